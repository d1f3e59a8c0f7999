using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// One instrument of <c>GET /api/v5/public/instruments</c> with what order entry needs besides the spec:
/// <see cref="InstIdCode"/> (the integer the WebSocket trade ops name it by) and its currencies.
/// </summary>
/// <param name="InstIdCode">OKX's <c>instIdCode</c>; 0 when the answer carried none (order entry cannot trade it).</param>
public sealed record OkxListedInstrument(InstrumentSpec Spec, long InstIdCode, string BaseCcy, string QuoteCcy)
{
    /// <summary>The gateway's view of this instrument as the engine's instrument <paramref name="instrumentId"/>.</summary>
    public OkxOrderInstrument ToOrderInstrument(int instrumentId) =>
        new(instrumentId, Spec.Symbol, InstIdCode, Spec.PriceDecimals, Spec.QtyDecimals, BaseCcy, QuoteCcy);
}
