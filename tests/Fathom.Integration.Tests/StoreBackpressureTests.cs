using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// "A store that falls behind halts trading rather than drop": the demo's core, composed by
/// <see cref="Fathom.Hosting.CoreComposition"/>, with a store whose writer has stalled (its bounded
/// queue fills and is never drained). The first refused record halts trading with the reason, every
/// refusal is counted by the engine as the store counted it, and no order goes out while halted.
/// </summary>
public sealed class StoreBackpressureTests
{
    /// <summary>A store whose writer never runs: it takes <c>capacity</c> records, then refuses every one.</summary>
    private sealed class StalledStore(int capacity) : ITradeStore
    {
        public List<string> Queued { get; } = [];
        public long Offered { get; private set; }
        public long Refused { get; private set; }
        public string? Failure => null; // not failing: just behind
        public bool IsHealthy => true;
        public Action<string>? FaultObserver { get; set; }

        public bool TryAppend(in FillReport fill) => Take($"fill {fill.TradeId}");
        public bool TryAppend(in OrderTransition transition) => Take($"order {transition.OrderSeq} {transition.From}->{transition.To}");
        public bool TryAppend(in RiskDayRecord day) => Take($"day {day.DayIndex}");
        public bool TryAppend(in RiskHaltRecord halt) => Take($"halt {halt.Halted}");
        public bool TryAppend(in Fathom.Risk.RiskTransition transition) => Take($"risk {transition.To}");
        public PersistedState Load() => PersistedState.Empty;

        private bool Take(string record)
        {
            Offered++;
            if (Queued.Count >= capacity)
            {
                Refused++;
                return false;
            }
            Queued.Add(record);
            return true;
        }

        public Task FlushAsync(TimeSpan timeout) => throw new TimeoutException("the writer is stalled");
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public void StalledStore_QueueFull_HaltsTradingWithTheReason_CountsEveryRefusal_SendsNoNewOrder()
    {
        var rig = RiskRig.Quoting();
        var store = new StalledStore(capacity: 4);
        rig.Engine.Store = store;

        // Fills and the order state changes they cause fill the queue well before trading stops by itself.
        rig.Venue.Fill(OrderSide.Buy);
        rig.Wiggle(20);
        if (rig.Risk.State != RiskState.Halted && rig.Venue.RestingCount(OrderSide.Sell) == 1)
            rig.Venue.Fill(OrderSide.Sell);

        Assert.True(store.Refused > 0, $"the queue of 4 must overflow: {store.Offered} offered; {rig.Describe()}");
        Assert.Equal(RiskState.Halted, rig.Risk.State);
        Assert.NotNull(rig.Engine.HaltReason);
        Assert.StartsWith("trade store: refused", rig.Engine.HaltReason);
        Assert.Contains("queue is full", rig.Engine.HaltReason);
        // Nothing vanished silently: what the store kept plus what it refused is everything offered,
        // and the engine counted each refusal the store made.
        Assert.Equal(4, store.Queued.Count);
        Assert.Equal(store.Offered, store.Queued.Count + store.Refused);
        Assert.Equal(store.Refused, rig.Engine.StoreRefusals);

        // Halted, it stays halted: the market moves and no new order goes out (a fault is not released by time).
        int mark = rig.Venue.Sent.Count;
        rig.Wiggle(200);
        Assert.Equal(RiskState.Halted, rig.Risk.State);
        var sent = rig.NewOrdersSince(mark);
        Assert.True(sent.Count == 0, $"halted by the store: {sent.Count} new orders went out; {rig.Describe()}");
    }
}
