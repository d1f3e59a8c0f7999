using System.Text;
using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// A registered Binance instrument with what the parser needs precomputed: its name as UTF-8 in
/// both cases (events carry "BTCUSDT", stream names "btcusdt") and how to turn a wire price into ticks.
/// </summary>
public sealed class BinanceSymbol
{
    /// <summary>Binance sends prices and quantities as decimal strings with (up to) 8 decimals.</summary>
    public const int WireDecimals = 8;

    internal BinanceSymbol(int id, InstrumentSpec spec)
    {
        spec.Validate();
        if (spec.PriceDecimals != WireDecimals || spec.QtyDecimals != WireDecimals)
            ThrowHelper.ThrowArgument(nameof(spec), $"{spec.Symbol}: Binance instruments use {WireDecimals} price and qty decimals (the wire precision).");
        Id = id;
        Spec = spec;
        Upper = Encoding.ASCII.GetBytes(spec.Symbol.ToUpperInvariant());
        Lower = Encoding.ASCII.GetBytes(spec.Symbol.ToLowerInvariant());
        SetGrid(spec.TickSize.Raw);
    }

    /// <summary>
    /// The book grid: raw price units per book tick. It starts at the order-entry tick size and is
    /// refined (never coarsened) when the venue sends a price between grid points: Binance keeps
    /// resting orders at old prices after raising a tick size (the shared 2021 NKNUSDT and CTKUSDT
    /// books hold such levels).
    /// </summary>
    public long BookTickRaw => TickRaw;

    internal void SetGrid(long tickRaw)
    {
        TickRaw = tickRaw;
        // A tick of exactly 10^-k lets the parser read ticks directly at k decimals: a non-zero digit
        // past k is then the off-grid case, and no division is needed per level.
        TickDecimals = -1;
        for (int k = 0; k <= WireDecimals; k++)
            if (FixedPoint.Pow10(WireDecimals - k) == tickRaw)
                TickDecimals = k;
    }

    public int Id { get; }
    public InstrumentSpec Spec { get; }
    internal byte[] Upper { get; }
    internal byte[] Lower { get; }
    internal long TickRaw { get; private set; }
    internal int TickDecimals { get; private set; }
}
