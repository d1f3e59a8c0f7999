using Xunit;
using static Fathom.Signals.Tests.Scenario;

namespace Fathom.Signals.Tests;

public class RealizedVolatilityTests
{
    private static readonly SignalOptions Options = new() { VolatilityWindowMs = 1_000 };

    [Fact]
    public void MidReturns_SumOfSquares_InBasisPoints()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1)], [L(102, 1)])   // mid 101
            .Diff(100, bids: [L(100, 0), L(101, 1)], asks: [L(102, 0), L(103, 1)])   // mid 102
            .Diff(200, bids: [L(101, 0), L(100, 1)], asks: [L(103, 0), L(102, 1)]);  // mid 101
        double r = Math.Log(102.0 / 101.0);
        RealizedVolatility v = s.Engine.Volatility;
        Assert.Equal(2, v.Samples);
        Assert.Equal(2 * r * r, v.SumSquares, 15);
        Assert.Equal(1e4 * Math.Sqrt(2 * r * r), v.RealizedBps, 9);
        Assert.Equal(1e4 * Math.Sqrt(2 * r * r / 1.0), v.BpsPerSqrtSecond, 9); // a 1 s window
    }

    [Fact]
    public void Window_ExpiresReturns_AndAStillMidReadsExactlyZero()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1)], [L(102, 1)])
            .Diff(100, bids: [L(101, 1)])       // mid 101.5
            .Diff(200, bids: [L(99, 5)]);        // mid unchanged: a zero return
        Assert.False(s.Engine.Volatility.IsWarm);
        Assert.True(s.Engine.Volatility.SumSquares > 0);

        s.Diff(1_100, asks: [L(105, 1)]);        // now 1100: the return at 100 leaves; two zero returns remain
        Assert.True(s.Engine.Volatility.IsWarm);  // first sample at 100 is a full window old
        Assert.Equal(2, s.Engine.Volatility.Samples);
        Assert.Equal(0.0, s.Engine.Volatility.SumSquares); // exactly, not a rounding residue
        Assert.Equal(0.0, s.Engine.Volatility.RealizedBps);
    }

    [Fact]
    public void NoReturnAcrossAReset_NorAcrossAOneSidedBook()
    {
        var s = new Scenario(Options).Snapshot([L(100, 1)], [L(102, 1)]).Diff(100, bids: [L(99, 1)]);
        Assert.Equal(1, s.Engine.Volatility.Samples); // zero return

        s.Snapshot([L(200, 1)], [L(202, 1)]);         // a resync far away
        s.Diff(200, bids: [L(199, 1)]);
        Assert.Equal(2, s.Engine.Volatility.Samples);
        Assert.Equal(0.0, s.Engine.Volatility.SumSquares); // the gap 101 → 201 is not a return

        s.Diff(300, asks: [L(202, 0)]);               // one-sided: no sample
        Assert.Equal(2, s.Engine.Volatility.Samples);
        s.Diff(400, asks: [L(204, 1)]);               // two-sided again: mid 202 vs the last, 201
        Assert.Equal(3, s.Engine.Volatility.Samples);
        Assert.Equal(Math.Pow(Math.Log(202.0 / 201.0), 2), s.Engine.Volatility.SumSquares, 15);
    }
}
