using Xunit;

namespace Fathom.Risk.Tests;

public class RiskStateMachineTests
{
    // Columns: Reduce, Halt, Release, OperatorHalt, OperatorResume ("-" = illegal).
    [Theory]
    [InlineData(RiskState.Active, "Reducing Halted - Halted Active")]
    [InlineData(RiskState.Reducing, "Reducing Halted Active Halted Active")]
    [InlineData(RiskState.Halted, "Halted Halted Reducing Halted Active")]
    public void EveryCell_MatchesExpectedRow(RiskState state, string row)
    {
        string[] cells = row.Split(' ');
        var triggers = Enum.GetValues<RiskTrigger>();
        Assert.Equal(triggers.Length, cells.Length);
        for (int i = 0; i < triggers.Length; i++)
        {
            bool ok = RiskStateMachine.TryNext(state, triggers[i], out var next);
            if (cells[i] == "-")
            {
                Assert.False(ok, $"{state} + {triggers[i]}");
                Assert.Equal(state, next);
            }
            else
            {
                Assert.True(ok, $"{state} + {triggers[i]}");
                Assert.Equal(Enum.Parse<RiskState>(cells[i]), next);
            }
        }
    }

    [Fact]
    public void AllStatesCovered() => Assert.Equal(3, Enum.GetValues<RiskState>().Length);

    [Fact]
    public void IllegalEdge_IsCountedAndLogged()
    {
        var h = new RiskHarness();
        Assert.False(h.Risk.Transition(RiskTrigger.Release, h.Now));
        Assert.Equal(1, h.Risk.Counters.IllegalTransitions);
        Assert.True(h.Log[^1].Illegal);
        Assert.Equal(RiskState.Active, h.Risk.State);
    }
}
