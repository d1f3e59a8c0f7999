using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// The demo's core, composed in one place so <c>fathom demo</c> and <c>fathom replay --journal</c>
/// build exactly the same thing: the analyzer in the feed core's path, risk limits, execution and
/// the sample market maker. Sizes: 0.001 base per quote, at most 0.02 long or short.
/// </summary>
internal static class DemoCore
{
    /// <summary>What a journal's meta record must carry to rebuild this core.</summary>
    internal sealed record Setup(InstrumentSpec Spec, ushort Node, uint Epoch, int HalfSpreadTicks = 3);

    internal sealed record Parts(TradingEngine Engine, ExecutionEngine Execution, RiskManager Risk, Fathom.Signals.SignalEngine Signals);

    public static Parts Build(BinanceFeedCore core, Setup setup, MonotonicClock clock, ISequenceReservation reservation,
        Action<RiskTransition>? riskObserver = null, Action<OrderTransition>? orderObserver = null)
    {
        InstrumentSpec spec = setup.Spec;
        long quoteQty = FixedPoint.Pow10(spec.QtyDecimals) / 1000;
        long maxPosition = quoteQty * 20;
        long money = FixedPoint.Pow10(spec.PriceDecimals);
        var limits = new RiskLimits
        {
            Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(maxPosition), MaxOrderQty = new Qty(quoteQty * 5), MaxOrderNotional = 10_000 * money }],
            MaxTotalNotional = 100_000 * money,
            MarkoutLossLimit = 500 * money,
            MaxDailyLoss = 5_000 * money,
            PriceBandBps = 200,
        };
        var risk = new RiskManager(limits, [spec], riskObserver);
        var ids = new ClientOrderIdGenerator(setup.Node, setup.Epoch, reservation);
        var execution = new ExecutionEngine([spec], new ExecutionOptions(), risk, ids, orderObserver);
        var strategy = new MarketMaker(new MarketMakerOptions
        {
            InstrumentId = 0, HalfSpreadTicks = setup.HalfSpreadTicks, QuoteQty = quoteQty, MaxPosition = maxPosition, MaxSkewTicks = 5,
        });
        // The analyzer sits in the feed's path for this instrument: it sees each level's old and new size.
        var signals = new Fathom.Signals.SignalEngine();
        core.Router.SetHandler(0, new Fathom.Signals.SignalFeed(core.Books[0], signals));
        var engine = new TradingEngine(core.CoreLock, [spec], core.Books, execution, strategy, clock, _ => SignalViews.From(signals));
        core.AfterApply = engine.OnMarketDataApplied;
        return new Parts(engine, execution, risk, signals);
    }

    // ---- the journal's meta record

    public static string ToJson(Setup setup)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            InstrumentSpec s = setup.Spec;
            w.WriteStartObject();
            w.WriteString("core", "demo");
            w.WriteNumber("node", setup.Node);
            w.WriteNumber("epoch", setup.Epoch);
            w.WriteNumber("halfSpreadTicks", setup.HalfSpreadTicks);
            w.WriteStartObject("spec");
            w.WriteString("symbol", s.Symbol);
            w.WriteNumber("venue", (int)s.Venue);
            w.WriteNumber("priceDecimals", s.PriceDecimals);
            w.WriteNumber("qtyDecimals", s.QtyDecimals);
            w.WriteNumber("tickSize", s.TickSize.Raw);
            w.WriteNumber("stepSize", s.StepSize.Raw);
            w.WriteNumber("minQty", s.MinQty.Raw);
            w.WriteNumber("maxQty", s.MaxQty.Raw);
            w.WriteNumber("minPrice", s.MinPrice.Raw);
            w.WriteNumber("maxPrice", s.MaxPrice.Raw);
            w.WriteNumber("minNotional", s.MinNotional.Raw);
            w.WriteNumber("status", (int)s.Status);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static Setup FromJson(ReadOnlySpan<byte> json)
    {
        using var doc = JsonDocument.Parse(json.ToArray());
        JsonElement root = doc.RootElement;
        if (root.GetProperty("core").GetString() != "demo")
            throw new InvalidDataException($"the journal was written by a '{root.GetProperty("core").GetString()}' core; this build replays 'demo' journals");
        JsonElement s = root.GetProperty("spec");
        var spec = new InstrumentSpec
        {
            Symbol = s.GetProperty("symbol").GetString()!,
            Venue = (Venue)s.GetProperty("venue").GetInt32(),
            PriceDecimals = s.GetProperty("priceDecimals").GetInt32(),
            QtyDecimals = s.GetProperty("qtyDecimals").GetInt32(),
            TickSize = new Price(s.GetProperty("tickSize").GetInt64()),
            StepSize = new Qty(s.GetProperty("stepSize").GetInt64()),
            MinQty = new Qty(s.GetProperty("minQty").GetInt64()),
            MaxQty = new Qty(s.GetProperty("maxQty").GetInt64()),
            MinPrice = new Price(s.GetProperty("minPrice").GetInt64()),
            MaxPrice = new Price(s.GetProperty("maxPrice").GetInt64()),
            MinNotional = new Price(s.GetProperty("minNotional").GetInt64()),
            Status = (InstrumentStatus)s.GetProperty("status").GetInt32(),
        };
        return new Setup(spec.Validate(), (ushort)root.GetProperty("node").GetInt32(), root.GetProperty("epoch").GetUInt32(),
            root.GetProperty("halfSpreadTicks").GetInt32());
    }
}
