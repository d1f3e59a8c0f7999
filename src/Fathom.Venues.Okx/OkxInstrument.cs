using System.Text;
using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// A registered OKX instrument (<c>instId</c>, e.g. "BTC-USDT") with what the parser needs precomputed:
/// its id as UTF-8 and its tick in raw price units. Prices are read at the instrument's own
/// <see cref="InstrumentSpec.PriceDecimals"/> (the decimals of <c>tickSz</c>), sizes at
/// <see cref="InstrumentSpec.QtyDecimals"/> (the decimals of <c>lotSz</c>).
/// </summary>
public sealed class OkxInstrument
{
    internal OkxInstrument(int id, InstrumentSpec spec)
    {
        spec.Validate();
        Id = id;
        Spec = spec;
        InstId = Encoding.ASCII.GetBytes(spec.Symbol);
        TickRaw = spec.TickSize.Raw;
    }

    public int Id { get; }
    public InstrumentSpec Spec { get; }
    internal byte[] InstId { get; }
    internal long TickRaw { get; }

    /// <summary>Market-data pushes (messages with <c>data</c>) received for this instrument, on any channel.</summary>
    public long Messages { get; internal set; }
}
