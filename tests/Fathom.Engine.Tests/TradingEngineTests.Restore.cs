using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary><see cref="TradingEngine.Restore"/>: positions from stored fills, the risk day, a halt; each trade applied once.</summary>
public partial class TradingEngineTests
{
    // CoreRig.Setup trades as node 1.
    private static PersistedFill Stored(long tradeId, OrderSide side, long qty, ushort node = 1, string symbol = "BTCUSDT") =>
        new(symbol, tradeId, 9_000 + tradeId, new ClientOrderId(node, 1, tradeId), side, new Price(10_000_000_000), new Qty(qty), 5, Qty.Zero, true, 1);

    private static PersistedState State(IReadOnlyList<PersistedFill> fills, RiskDayRecord? day = null, RiskHaltRecord? halt = null) =>
        new(fills, [], new Dictionary<string, long>(), day, halt);

    [Fact]
    public void Restore_StoredFills_SeedThePositionOnceAndARepeatedReportIsNotAppliedAgain()
    {
        var rig = NewRig(start: false);
        PersistedFill[] fills =
        [
            Stored(1, OrderSide.Buy, 30_000), Stored(2, OrderSide.Sell, 10_000),
            Stored(3, OrderSide.Buy, 99_000, node: 2), // another instance's
            Stored(4, OrderSide.Buy, 99_000, symbol: "DOGEUSDT"), // a symbol this engine does not trade
        ];
        Assert.Equal(2, rig.Engine.Restore(State(fills), dayIndex: 20_000));
        Assert.Equal(1, rig.Engine.RestoreSkippedFills);
        Assert.Equal(20_000, rig.Engine.DayIndex);
        Assert.Equal(20_000, rig.Engine.Execution.Position(0).Position.Raw);
        Assert.Equal(10, rig.Engine.Execution.Position(0).FeesPaid);

        // Reconciliation or the user stream reports a stored trade again: it is a duplicate, not a new fill.
        rig.Engine.Start();
        rig.Engine.OnFill(new FillReport(0, fills[0].ClientId, fills[0].VenueOrderId, 1, OrderSide.Buy, fills[0].Price, fills[0].Qty, fills[0].Qty,
            5, Qty.Zero, true, rig.Now));
        Assert.Equal(20_000, rig.Engine.Execution.Position(0).Position.Raw);
        Assert.Equal(1, rig.Engine.Execution.Counters.DuplicateFills);
    }

    [Fact]
    public void Restore_SameDay_KeepsTheStoredDayStartSoTheLossCarriesOver()
    {
        var rig = NewRig(start: false);
        rig.Engine.Restore(State([], new RiskDayRecord(20_000, 777, 1)), dayIndex: 20_000);
        Assert.Equal(777, rig.Engine.Execution.Risk.DayStartPnl);

        var nextDay = NewRig(start: false);
        nextDay.Engine.Restore(State([], new RiskDayRecord(19_999, 777, 1)), dayIndex: 20_000);
        Assert.Equal(0, nextDay.Engine.Execution.Risk.DayStartPnl); // a new day starts from the PnL now
    }

    [Fact]
    public void Restore_StoredHalt_HaltsWithTheReasonUntilResume()
    {
        var rig = NewRig(start: false);
        rig.Engine.Restore(State([], halt: new RiskHaltRecord(true, "trade store: disk full", 1)), dayIndex: 20_000);
        Assert.Equal(RiskState.Halted, rig.Engine.Execution.Risk.State);
        Assert.Contains("trade store: disk full", rig.Engine.HaltReason);
        rig.Engine.Start();
        rig.Market(bid: 10_000, ask: 10_010, id: 1);
        Assert.Empty(rig.Gateway.Sent); // halted: nothing placed
        rig.Engine.Resume();
        Assert.Null(rig.Engine.HaltReason);
        Assert.NotEqual(RiskState.Halted, rig.Engine.Execution.Risk.State);
    }

    [Fact]
    public void Restore_AfterStart_Throws()
    {
        var rig = NewRig();
        Assert.Throws<InvalidOperationException>(() => rig.Engine.Restore(PersistedState.Empty, 20_000));
    }
}
