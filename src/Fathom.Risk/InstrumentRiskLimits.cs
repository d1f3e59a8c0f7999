using Fathom.Core;

namespace Fathom.Risk;

/// <summary>Per-instrument limits. Quantities raw at the instrument's qty decimals; notional at <see cref="RiskLimits.MoneyDecimals"/>.</summary>
public sealed record InstrumentRiskLimits
{
    /// <summary>Largest absolute position (base units against the baseline).</summary>
    public required Qty MaxPosition { get; init; }
    public required Qty MaxOrderQty { get; init; }
    public required long MaxOrderNotional { get; init; }
}
