namespace Fathom.Gateway.Abstractions;

/// <summary>What a client order id read from the venue turned out to be.</summary>
public enum ClientOrderIdParse : byte
{
    /// <summary>Ours: prefix matches and every field is well formed.</summary>
    Ours = 0,
    /// <summary>No prefix of ours: another application's order. Never touched.</summary>
    Foreign,
    /// <summary>Our prefix with a body we could not have written (wrong length or charset): treated as foreign and counted.</summary>
    Malformed,
}
