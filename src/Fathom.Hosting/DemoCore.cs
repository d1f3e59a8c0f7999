using Fathom.Core;
using Fathom.Execution;
using Fathom.Risk;

namespace Fathom.Hosting;

/// <summary>
/// The demo's core setup: one instrument, the sample market maker three ticks either side of fair
/// value, following the real-time ticker with at most one quote change per 250 ms (the venue's order
/// budget), 0.001 base per quote, at most 0.02 long or short, and limits sized to that.
/// </summary>
public static class DemoCore
{
    public static CoreSetup Setup(InstrumentSpec spec, ushort node, uint epoch)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long quoteQty = FixedPoint.Pow10(spec.QtyDecimals) / 1000;
        long maxPosition = quoteQty * 20;
        // Money limits are at the risk limits' MoneyDecimals, not the instrument's price decimals: the two agree on
        // Binance (8), not on OKX (tickSz's decimals, e.g. 2 for 0.01), where 10 000 at price decimals would be 0.01.
        const int moneyDecimals = 8;
        long money = FixedPoint.Pow10(moneyDecimals);
        var limits = new RiskLimits
        {
            MoneyDecimals = moneyDecimals,
            Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(maxPosition), MaxOrderQty = new Qty(quoteQty * 5), MaxOrderNotional = 10_000 * money }],
            MaxTotalNotional = 100_000 * money,
            MarkoutLossLimit = 500 * money,
            MaxDailyLoss = 5_000 * money,
            PriceBandBps = 200,
        };
        var strategy = new StrategySetup(StrategyCatalog.MarketMaker, [0], new Dictionary<string, string?>
        {
            ["halfSpreadTicks"] = "3",
            ["quoteQty"] = FixedPoint.ToString(quoteQty, spec.QtyDecimals),
            ["maxPosition"] = FixedPoint.ToString(maxPosition, spec.QtyDecimals),
            ["maxSkewTicks"] = "5",
            ["followTicker"] = "true",
            ["minRequoteIntervalMs"] = "250",
        });
        return new CoreSetup([spec], limits, [strategy], new ExecutionOptions(), node, epoch);
    }
}
