namespace Fathom.Engine;

/// <summary>
/// What <see cref="TradingEngine.Adopt"/> did at a restart: earlier runs' open orders kept as quotes,
/// adopted and cancelled, and orders the store held as open that the venue did not list (recovered as
/// Unknown, settled by query).
/// </summary>
public readonly record struct AdoptionSummary(int Kept, int Cancelled, int Recovered)
{
    public int Adopted => Kept + Cancelled;
}
