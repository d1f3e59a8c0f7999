namespace Fathom.Gateway.Abstractions;

/// <summary>The kind of an <see cref="OrderCommand"/>, and of the command a report answers.</summary>
public enum CommandKind : byte
{
    None = 0,
    Place,
    Cancel,
    CancelReplace,
    AmendQty,
    /// <summary>Read the order's status by client id (resolves an Unknown order; never changes it).</summary>
    Query,
}
