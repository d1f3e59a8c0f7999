namespace Fathom.Gateway.Abstractions;

/// <summary>Why a command's outcome is unknown (feeds venue-health accounting).</summary>
public enum UnknownCause : byte
{
    Timeout = 0,
    ServerError,
    Disconnected,
}
