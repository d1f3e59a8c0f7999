namespace Fathom.Gateway.Abstractions;

/// <summary>
/// One asset's balance as the venue reports it (read for reconciliation, never on the hot path).
/// <see cref="Free"/> and <see cref="Locked"/> are fixed-point raw values at <see cref="Decimals"/> (8)
/// decimals: 1.5 BTC is 150 000 000. Locked is what open orders hold.
/// </summary>
public readonly record struct VenueBalance(string Asset, long Free, long Locked)
{
    /// <summary>Decimals of <see cref="Free"/> and <see cref="Locked"/>.</summary>
    public const int Decimals = 8;

    public long Total => Free + Locked;
}
