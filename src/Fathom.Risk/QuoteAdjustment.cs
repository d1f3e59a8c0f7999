namespace Fathom.Risk;

/// <summary>
/// How volatility throttling changes quotes on one instrument: widen each side by
/// <see cref="ExtraTicks"/>, scale size to <see cref="QtyPercent"/> %, or pause quoting altogether.
/// </summary>
public readonly record struct QuoteAdjustment(int ExtraTicks, int QtyPercent, bool Paused)
{
    public static QuoteAdjustment None => new(0, 100, false);
}
