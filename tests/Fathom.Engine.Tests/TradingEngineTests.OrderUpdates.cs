using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Strategies;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Engine.Tests;

public partial class TradingEngineTests
{
    /// <summary>The market maker, recording every order update and callback the engine makes.</summary>
    private sealed class RecordingStrategy : IStrategy
    {
        private readonly MarketMaker _inner = new(new MarketMakerOptions { InstrumentId = 0, HalfSpreadTicks = 1, QuoteQty = 10_000, MaxPosition = 1_000_000 });
        public readonly List<OrderView> Updates = [];
        public int Fills;
        public bool Stopped;
        public int CallbacksAfterStop;
        public string Name => "recording";
        public IReadOnlyList<int> InstrumentIds { get; } = [0];
        public void OnStart(IStrategyContext context) => _inner.OnStart(context);
        public void OnMarketData(IStrategyContext context, int instrumentId) { After(); _inner.OnMarketData(context, instrumentId); }
        public void OnTrade(IStrategyContext context, in Trade trade) => After();
        public void OnFill(IStrategyContext context, in FillView fill) { After(); Fills++; _inner.OnFill(context, fill); }
        public void OnOrderUpdate(IStrategyContext context, in OrderView order) { After(); Updates.Add(order); }
        public void OnTimer(IStrategyContext context, int timerId) { After(); _inner.OnTimer(context, timerId); }
        public void OnStop(IStrategyContext context) { Stopped = true; _inner.OnStop(context); }
        private void After() { if (Stopped) CallbacksAfterStop++; }
    }

    [Fact]
    public void PauseThenResume_QuotesTheStandingTargetAtOnce_WithoutTheMarketMoving()
    {
        var strategy = new RecordingStrategy();
        var rig = NewRig(strategy);
        rig.Market(10_000, 10_010, 1);
        var quotes = rig.Gateway.Sent.Where(c => c.Kind == CommandKind.Place).ToArray();
        Assert.Equal(2, quotes.Length);
        foreach (var q in quotes)
            rig.Engine.OnAck(new AckReport(0, q.ClientOrderId, 600 + q.ClientOrderId.Sequence, rig.Now));

        // The operator pauses: the quotes are cancelled under the strategy.
        rig.Engine.Pause();
        var cancels = rig.Gateway.Sent.Where(c => c.Kind == CommandKind.Cancel).ToArray();
        Assert.Equal(2, cancels.Length);
        foreach (var c in cancels)
            rig.Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, rig.Now));
        int before = rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place);
        rig.Market(10_000, 10_010, 2); // paused: the strategy is not called, nothing is placed
        Assert.Equal(before, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));

        // The resume quotes the standing target at once: the market maker does not resend an unchanged
        // quote, and the market has not moved.
        rig.Engine.Resume();
        Assert.Equal(before + 2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));
        rig.Market(10_000, 10_010, 3);
        Assert.Equal(before + 2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));
    }

    [Fact]
    public void OrderUpdates_ReachTheStrategy_ForNewAckedAndCanceledOrders()
    {
        var strategy = new RecordingStrategy();
        var rig = NewRig(strategy);
        rig.Market(10_000, 10_010, 1);
        Assert.Equal(2, rig.Gateway.Sent.Count);
        Assert.Equal(2, strategy.Updates.Count(u => u.State == OrderState.PendingNew));

        OrderCommand bid = rig.Gateway.Sent[0];
        rig.Engine.OnAck(new AckReport(0, bid.ClientOrderId, 501, rig.Now));
        Assert.Contains(strategy.Updates, u => u.OrderId == bid.ClientOrderId.Sequence && u.State == OrderState.Accepted);

        rig.Engine.OnCanceled(new CanceledReport(0, bid.ClientOrderId, rig.Now));
        Assert.Contains(strategy.Updates, u => u.OrderId == bid.ClientOrderId.Sequence && u.State == OrderState.Canceled);
    }

    [Fact]
    public void AfterStop_NoCallbackReachesTheStrategy_AndAFillDoesNotRequote()
    {
        var strategy = new RecordingStrategy();
        var rig = NewRig(strategy);
        rig.Market(10_000, 10_010, 1);
        foreach (var c in rig.Gateway.Sent.ToArray())
            rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));
        OrderCommand bid = rig.Gateway.Sent[0];
        rig.Engine.Stop();
        Assert.True(strategy.Stopped);
        int sent = rig.Gateway.Sent.Count;

        // The bid fills while its cancel is in flight: the fill is applied, the strategy is not asked to requote.
        rig.Engine.OnFill(new FillReport(0, bid.ClientOrderId, 1000 + bid.ClientOrderId.Sequence, 77, OrderSide.Buy, bid.Price, bid.Qty,
            Qty.Zero, 0, Qty.Zero, true, rig.Now));
        rig.Engine.OnTimer();
        rig.Market(10_005, 10_015, 2);
        Assert.Equal(0, strategy.CallbacksAfterStop);
        Assert.DoesNotContain(rig.Gateway.Sent.Skip(sent), c => c.Kind is CommandKind.Place or CommandKind.CancelReplace);
        Assert.Equal(1, rig.Engine.Fills);
    }
}
