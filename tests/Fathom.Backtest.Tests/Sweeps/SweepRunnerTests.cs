using Fathom.Backtest.Sweeps;
using Fathom.Backtest.Tests.Report;
using Fathom.Core;
using Xunit;
using static Fathom.Backtest.Tests.Report.Scenario;

namespace Fathom.Backtest.Tests.Sweeps;

public class SweepRunnerTests
{
    /// <summary>A backtest whose only fill is a buy at <paramref name="price"/>, marked at 101: net PnL 101 − price.</summary>
    internal static BacktestResult FakeRun(SweepPoint point, decimal price) => Scenario.OneInstrument(strategy: point.ToString()) with
    {
        Fills = [Fill(0, OrderSide.Buy, price, 1m, 0m, maker: true, "b")],
        Marks = [Mark(0, 100m), Mark(12, 101m)],
    };

    [Fact]
    public void Run_PointsFinishInReverse_OutcomesInGridOrder()
    {
        var grid = SweepGrid.Parse(["strategy.price=99,100,100.5"]);
        var finished = new ManualResetEventSlim[] { new(), new(), new() };
        var completion = new System.Collections.Concurrent.ConcurrentQueue<int>();

        var outcomes = SweepRunner.Run(grid.Points, (point, _) =>
        {
            int i = point.Index;
            // Point i waits for point i + 1, so the last point finishes first. The bound only keeps a broken runner
            // from hanging the test run; the test asserts on order, never on time.
            if (i + 1 < finished.Length && !finished[i + 1].Wait(TimeSpan.FromSeconds(30)))
                throw new TimeoutException("point " + (i + 1) + " never finished: the points did not run in parallel");
            var result = FakeRun(point, decimal.Parse(point.Settings[0].Value, System.Globalization.CultureInfo.InvariantCulture));
            completion.Enqueue(i);
            finished[i].Set();
            return result;
        }, maxParallelism: 3, CancellationToken.None);

        Assert.Equal(new[] { 2, 1, 0 }, completion);
        Assert.Equal(new[] { 0, 1, 2 }, outcomes.Select(o => o.Point.Index));
        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.Error));
        Assert.Equal(new[] { 2m, 1m, 0.5m }, outcomes.Select(o => o.Summary!.Total.NetPnl));
        Assert.Equal(grid.Points.Select(p => p.ToString()), outcomes.Select(o => o.Summary!.Strategy));
    }

    [Fact]
    public void Run_OnePointThrows_ItsRowHoldsTheErrorAndTheOthersRun()
    {
        var grid = SweepGrid.Parse(["strategy.price=99,bad,100"]);

        var outcomes = SweepRunner.Run(grid.Points, (point, _) =>
            point.Settings[0].Value == "bad"
                ? throw new InvalidOperationException("strategy 'mm' rejects price 'bad'")
                : FakeRun(point, decimal.Parse(point.Settings[0].Value, System.Globalization.CultureInfo.InvariantCulture)),
            maxParallelism: 2, CancellationToken.None);

        Assert.Equal(3, outcomes.Count);
        Assert.True(outcomes[0].Succeeded);
        Assert.False(outcomes[1].Succeeded);
        Assert.Null(outcomes[1].Summary);
        Assert.Equal("InvalidOperationException: strategy 'mm' rejects price 'bad'", outcomes[1].Error);
        Assert.True(outcomes[2].Succeeded);
        Assert.Equal(1m, outcomes[2].Summary!.Total.NetPnl);
    }

    [Fact]
    public void Run_CanceledBeforeStart_EveryPointReportedCanceled()
    {
        var grid = SweepGrid.Parse(["a=1,2,3"]);
        int calls = 0;
        var outcomes = SweepRunner.Run(grid.Points, (point, _) =>
        {
            Interlocked.Increment(ref calls);
            return FakeRun(point, 100m);
        }, maxParallelism: 2, new CancellationToken(canceled: true));

        Assert.Equal(0, calls);
        Assert.All(outcomes, o => Assert.Equal("canceled before it ran", o.Error));
    }

    [Fact]
    public void Run_ZeroParallelism_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SweepRunner.Run(SweepGrid.Parse(["a=1"]).Points, (p, _) => FakeRun(p, 100m), 0, CancellationToken.None));
    }
}
