using Fathom.Journal;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;
using static Fathom.Engine.EngineOperatorState;

namespace Fathom.Engine.Tests;

public class EngineOperatorStateMachineTests
{
    // Columns: Start, Stop, Pause, Resume, Flatten, FlattenDone, StrategyFault ("-" = illegal).
    // Written out by hand, not derived from the encoding, so a wrong cell in the table fails here.
    [Theory]
    [InlineData(Stopped, "Running Stopped StoppedPaused Stopped StoppedFlattening - -")]
    [InlineData(StoppedPaused, "Paused StoppedPaused StoppedPaused Stopped StoppedFlattening - -")]
    [InlineData(StoppedFlattening, "Flattening StoppedFlattening StoppedFlattening Stopped StoppedFlattening StoppedPaused -")]
    [InlineData(Running, "Running Stopped Paused Running Flattening - Faulted")]
    [InlineData(Paused, "Paused StoppedPaused Paused Running Flattening - -")]
    [InlineData(Flattening, "Flattening StoppedFlattening Flattening Running Flattening Paused -")]
    [InlineData(StoppedFaulted, "Faulted StoppedFaulted StoppedFaultedPaused StoppedFaulted StoppedFaultedFlattening - -")]
    [InlineData(StoppedFaultedPaused, "FaultedPaused StoppedFaultedPaused StoppedFaultedPaused StoppedFaulted StoppedFaultedFlattening - -")]
    [InlineData(StoppedFaultedFlattening, "FaultedFlattening StoppedFaultedFlattening StoppedFaultedFlattening StoppedFaulted StoppedFaultedFlattening StoppedFaultedPaused -")]
    [InlineData(Faulted, "Faulted StoppedFaulted FaultedPaused Faulted FaultedFlattening - -")]
    [InlineData(FaultedPaused, "FaultedPaused StoppedFaultedPaused FaultedPaused Faulted FaultedFlattening - -")]
    [InlineData(FaultedFlattening, "FaultedFlattening StoppedFaultedFlattening FaultedFlattening Faulted FaultedFlattening FaultedPaused -")]
    public void EveryCell_MatchesExpectedRow(EngineOperatorState state, string row)
    {
        string[] cells = row.Split(' ');
        var triggers = Enum.GetValues<EngineOperatorTrigger>();
        Assert.Equal(triggers.Length, cells.Length);
        for (int i = 0; i < triggers.Length; i++)
        {
            bool ok = EngineOperatorStateMachine.TryNext(state, triggers[i], out var next);
            if (cells[i] == "-")
            {
                Assert.False(ok, $"{state} + {triggers[i]}");
                Assert.Equal(state, next);
                Assert.Equal(EngineOperatorStateMachine.Illegal, EngineOperatorStateMachine.Cell(state, triggers[i]));
            }
            else
            {
                Assert.True(ok, $"{state} + {triggers[i]}");
                Assert.Equal(Enum.Parse<EngineOperatorState>(cells[i]), next);
            }
        }
    }

    [Fact]
    public void AllStatesAndTriggersCovered()
    {
        Assert.Equal(12, EngineOperatorStateMachine.StateCount);
        Assert.Equal(7, EngineOperatorStateMachine.TriggerCount);
    }

    [Theory]
    [InlineData(Stopped, false, false, false, false)]
    [InlineData(StoppedPaused, false, true, false, false)]
    [InlineData(StoppedFlattening, false, true, true, false)]
    [InlineData(Running, true, false, false, false)]
    [InlineData(Paused, true, true, false, false)]
    [InlineData(Flattening, true, true, true, false)]
    [InlineData(StoppedFaulted, false, false, false, true)]
    [InlineData(StoppedFaultedPaused, false, true, false, true)]
    [InlineData(StoppedFaultedFlattening, false, true, true, true)]
    [InlineData(Faulted, true, false, false, true)]
    [InlineData(FaultedPaused, true, true, false, true)]
    [InlineData(FaultedFlattening, true, true, true, true)]
    public void Views_ReadTheState(EngineOperatorState state, bool started, bool paused, bool flattening, bool faulted)
    {
        Assert.Equal(started, EngineOperatorStateMachine.IsStarted(state));
        Assert.Equal(paused, EngineOperatorStateMachine.IsPaused(state));
        Assert.Equal(flattening, EngineOperatorStateMachine.IsFlattening(state));
        Assert.Equal(faulted, EngineOperatorStateMachine.IsStrategyFaulted(state));
        Assert.Equal(state == Running, EngineOperatorStateMachine.CallsStrategy(state));
    }
}

public partial class TradingEngineTests
{
    private static void AssertOperator(CoreRig rig, EngineOperatorState expected)
    {
        TradingEngine e = rig.Engine;
        Assert.Equal(expected, e.OperatorState);
        // The public booleans are views of the one state.
        Assert.Equal(EngineOperatorStateMachine.IsPaused(expected), e.Paused);
        Assert.Equal(EngineOperatorStateMachine.IsFlattening(expected), e.Flattening);
        Assert.Equal(EngineOperatorStateMachine.IsStrategyFaulted(expected), e.StrategyHalted);
    }

    [Fact]
    public void OperatorInputs_WalkTheOperatorTable()
    {
        var rig = NewRig(start: false);
        AssertOperator(rig, Stopped);
        rig.Engine.Pause();                 // paused before the start
        AssertOperator(rig, StoppedPaused);
        rig.Engine.Start();
        AssertOperator(rig, Paused);        // the start keeps the pause
        rig.Engine.Start();                 // a second start is a no-op
        AssertOperator(rig, Paused);
        rig.Engine.Resume();
        AssertOperator(rig, Running);
        rig.Engine.Flatten();               // already flat: the flatten is done within its own input
        AssertOperator(rig, Paused);
        rig.Engine.Resume();
        rig.Engine.Stop();
        AssertOperator(rig, Stopped);
        rig.Engine.Stop();                  // a repeat: cancels again, stays
        AssertOperator(rig, Stopped);
        rig.Engine.Start();
        AssertOperator(rig, Running);
        Assert.Equal(0, rig.Engine.IllegalOperatorTransitions);
    }

    [Fact]
    public void StrategyFault_IsOnlyLeftByARestart_PauseAndStopStillApply()
    {
        var rig = NewRig(new ThrowingStrategy());
        AssertOperator(rig, Running);
        rig.Market(10_000, 10_010, 1);
        AssertOperator(rig, Faulted);
        rig.Engine.Resume();                // a resume does not bring a faulted strategy back
        AssertOperator(rig, Faulted);
        rig.Engine.Pause();
        AssertOperator(rig, FaultedPaused);
        rig.Engine.Stop();
        AssertOperator(rig, StoppedFaultedPaused);
        rig.Engine.Start();
        rig.Engine.Resume();
        AssertOperator(rig, Faulted);
        rig.Market(10_001, 10_011, 2);
        Assert.DoesNotContain(rig.Gateway.Sent, c => c.Kind == CommandKind.Place);
        Assert.Equal(0, rig.Engine.IllegalOperatorTransitions);
    }

    [Fact]
    public void StopWhileFlattening_KeepsFlattening_UntilFlat()
    {
        var rig = NewRig();
        rig.Market(10_000, 10_010, 1);
        var buy = rig.Gateway.Sent.First(c => c.Side == OrderSide.Buy);
        rig.Engine.OnAck(new AckReport(0, buy.ClientOrderId, 77, rig.Now));
        rig.Engine.OnFill(new FillReport(0, buy.ClientOrderId, 77, 1, OrderSide.Buy, buy.Price, buy.Qty, buy.Qty, 0, Qty.Zero, true, rig.Now));
        rig.Engine.Flatten(slippageTicks: 5);
        AssertOperator(rig, Flattening);
        rig.Engine.Stop();
        AssertOperator(rig, StoppedFlattening);
        for (int round = 0; round < 4; round++)
        {
            AckAll(rig);
            foreach (var c in rig.Gateway.Sent.Where(c => c.Kind == CommandKind.Cancel).ToArray())
                rig.Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, rig.Now));
        }
        var sell = rig.Gateway.Sent.Last(c => c.Kind == CommandKind.Place);
        Assert.Equal((OrderSide.Sell, OrderType.LimitIoc), (sell.Side, sell.Type));
        rig.Engine.OnFill(new FillReport(0, sell.ClientOrderId, 78, 2, OrderSide.Sell, sell.Price, sell.Qty, sell.Qty, 0, Qty.Zero, false, rig.Now));
        AssertOperator(rig, StoppedPaused);
        Assert.Equal(0, rig.Engine.IllegalOperatorTransitions);
    }

    [Fact]
    public void OperatorState_IsExposedAsAMetric()
    {
        var rig = NewRig();
        rig.Engine.Pause();
        string text;
        lock (rig.CoreLock)
            text = PrometheusMetrics.Build(rig.Engine, [rig.Books[0]]);
        Assert.Contains($"fathom_operator_state {(int)Paused}", text);
        Assert.Contains("fathom_operator_illegal_transitions_total 0", text);
    }

    [Fact]
    public void JournaledOperatorInputs_ReplayThroughTheSameStates()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fathom-operator-{Guid.NewGuid():N}.fathomjnl");
        try
        {
            var live = new List<EngineOperatorState>();
            using (var journal = CoreJournal.Create(path))
            {
                var rig = NewRig(journal: journal, start: false);
                rig.Engine.Pause();
                live.Add(rig.Engine.OperatorState);
                rig.Engine.Start();
                live.Add(rig.Engine.OperatorState);
                rig.Engine.Flatten();
                live.Add(rig.Engine.OperatorState);
                rig.Engine.Resume();
                live.Add(rig.Engine.OperatorState);
                rig.Engine.Stop();
                live.Add(rig.Engine.OperatorState);
                rig.Engine.Flatten();
                live.Add(rig.Engine.OperatorState);
                rig.Engine.Start();
                live.Add(rig.Engine.OperatorState);
                journal.Flush();
            }

            var replayed = NewRig(start: false);
            var states = new List<EngineOperatorState>();
            using (var reader = CoreJournalReader.Open(path))
            {
                while (reader.TryRead(out JournalEntry entry))
                    if (replayed.Engine.Replay(entry) && entry.Kind == RecordKind.OperatorCommand)
                        states.Add(replayed.Engine.OperatorState);
                Assert.Null(reader.Problem);
            }
            Assert.Equal([StoppedPaused, Paused, Paused, Running, Stopped, StoppedPaused, Paused], live);
            Assert.Equal(live, states);
            Assert.Equal(0, replayed.Engine.IllegalOperatorTransitions);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
