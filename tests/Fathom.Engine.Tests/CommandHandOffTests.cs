using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using HdrHistogram;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// A command goes to the gateway the moment execution has decided it, before execution records the state change it
/// makes (the order's claim and state machine edge, the store's record, risk's in-flight count); that bookkeeping
/// follows in the same input, so the next decision and anything the venue answers see it. A frame's tick-to-order
/// stamp is the hand-off of its last command, not the end of that bookkeeping.
/// </summary>
public class CommandHandOffTests
{
    private const long Raw = 1_000_000; // one tick (0.01) at 8 decimals
    private const long HandOffNs = 1_000;        // what the gateway's Send costs on the test's clock
    private const long BookkeepingNs = 1_000_000; // what the store's record of one state change costs on it

    /// <summary>Quotes the bid only, so a frame causes one command.</summary>
    private sealed class BidOnly() : StrategyStub("bid only", 0)
    {
        public override void OnMarketData(IStrategyContext context, int instrumentId) =>
            context.Submit(Intent.Quote(0, new Price(9_995 * Raw), new Qty(10_000), new Price(10_015 * Raw), Qty.Zero));
    }

    /// <summary>Takes every record; each order state change moves the test's clock, as real bookkeeping takes time.</summary>
    private sealed class SlowStore(ManualTimeProvider time) : AcceptingTradeStore
    {
        public int Transitions;

        public override bool TryAppend(in OrderTransition transition)
        {
            Transitions++;
            time.Advance(TimeSpan.FromTicks(BookkeepingNs / 100));
            return true;
        }
    }

    [Fact]
    public void EachCommand_ReachesTheGatewayBeforeItsStateChange_WhichIsRecordedInTheSameInput()
    {
        var gateway = new RecordingGateway();
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)), gateway);
        var store = new SlowStore(rig.Time);
        rig.Engine.Store = store;
        var seenAtSend = new List<(bool InTable, int Transitions, long Places)>();
        gateway.OnSend = c => seenAtSend.Add((rig.Engine.Execution.TryGetOrder(c.ClientOrderId.Sequence, out _), store.Transitions,
            rig.Engine.Execution.Counters.Places));

        rig.Market(10_000, 10_010, 1);

        Assert.Equal(2, gateway.Sends);
        Assert.All(gateway.Sent, c => Assert.Equal(CommandKind.Place, c.Kind));
        // At its Send neither place was in the order table yet, nor counted; the bid's state change (one store
        // record) was recorded before the ask was decided, the ask's after it went out.
        Assert.Equal([(false, 0, 0L), (false, 1, 1L)], seenAtSend);
        // After the input both orders stand recorded, in flight.
        foreach (OrderCommand c in gateway.Sent)
        {
            Assert.True(rig.Engine.Execution.TryGetOrder(c.ClientOrderId.Sequence, out OrderView order));
            Assert.Equal(OrderState.PendingNew, order.State);
        }
        Assert.Equal(2, store.Transitions);
        Assert.Equal(2, rig.Engine.Execution.Counters.Places);
    }

    [Fact]
    public void TickToOrder_EndsAtTheHandOff_NotAfterTheBookkeeping()
    {
        var gateway = new RecordingGateway();
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)), gateway, strategies: [new BidOnly()]);
        var store = new SlowStore(rig.Time);
        rig.Engine.Store = store;
        gateway.OnSend = _ => rig.Time.Advance(TimeSpan.FromTicks(HandOffNs / 100));

        rig.Market(10_000, 10_010, 1);

        Assert.Equal(1, gateway.Sends);
        Assert.Equal(1, store.Transitions);
        // One sample: the frame's read stamp to its one command handed over (the gateway's microsecond), without
        // the millisecond of bookkeeping that followed; the core's cost per event does include it.
        Assert.Equal(1, rig.Engine.Latency.TickToOrder.TotalCount);
        long tickToOrder = rig.Engine.Latency.TickToOrder.GetMaxValue();
        Assert.InRange(tickToOrder, HandOffNs, HandOffNs + HandOffNs / 100);
        Assert.True(rig.Engine.Latency.CoreCost.GetMaxValue() >= BookkeepingNs);
    }

    /// <summary>Encodes (the test's clock moves), stamps "handed to the socket", then writes (it moves again) and returns the stamp.</summary>
    private sealed class StampingGateway(ManualTimeProvider time, MonotonicClock clock) : IOrderEntry
    {
        public const long EncodeNs = 2_000, WriteNs = 50_000;
        public long Handed;
        public bool IsReady => true;
        public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
        public void Send(in OrderCommand command) => Send(command, 0);

        public long Send(in OrderCommand command, long triggerStampNs)
        {
            time.Advance(TimeSpan.FromTicks(EncodeNs / 100));
            Handed = clock.NowNanos();
            time.Advance(TimeSpan.FromTicks(WriteNs / 100));
            return Handed;
        }

        public void CancelAll(int instrumentId, ClientOrderId cancelId) { }
    }

    [Fact]
    public void TickToOrder_EndsWhereTheGatewayHandedTheFrameToTheSocket_NotAfterTheWrite()
    {
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)), new RecordingGateway(), strategies: [new BidOnly()]);
        var gateway = new StampingGateway(rig.Time, rig.Clock);
        rig.Engine.AttachGateway(gateway);
        long readStamp = rig.Now;

        rig.Market(10_000, 10_010, 1);

        Assert.True(gateway.Handed > 0);
        Assert.Equal(1, rig.Engine.Latency.TickToOrder.TotalCount);
        // The frame's read stamp to the gateway's stamp: the encoding's 2 µs, not the 50 µs write after it.
        long tickToOrder = rig.Engine.Latency.TickToOrder.GetMaxValue();
        Assert.Equal(rig.Engine.Latency.TickToOrder.LowestEquivalentValue(gateway.Handed - readStamp),
            rig.Engine.Latency.TickToOrder.LowestEquivalentValue(tickToOrder));
        Assert.InRange(tickToOrder, StampingGateway.EncodeNs, StampingGateway.WriteNs - 1);
    }
}
