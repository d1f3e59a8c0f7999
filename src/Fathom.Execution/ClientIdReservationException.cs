namespace Fathom.Execution;

/// <summary>The durable reservation of client order ids failed (disk full, file unwritable): no id can be issued safely.</summary>
public sealed class ClientIdReservationException : IOException
{
    public ClientIdReservationException(string message, Exception inner) : base(message, inner) { }
    public ClientIdReservationException(string message) : base(message) { }
    public ClientIdReservationException() { }
}
