using Fathom.Backtest.Report;

namespace Fathom.Backtest.Sweeps;

/// <summary>
/// Runs the points of a sweep on dedicated threads (each backtest is a long, CPU-bound run) and summarizes each,
/// keeping only the summary (so memory holds one result per running thread).
/// Outcomes come back in grid order whatever order the points finish in; a point that throws reports its error in
/// its own outcome and the others go on.
/// </summary>
public static class SweepRunner
{
    /// <summary>
    /// Runs <paramref name="runOne"/> for every point, at most <paramref name="maxParallelism"/> at a time, and
    /// returns one outcome per point in the order of <paramref name="points"/>. When <paramref name="cancellationToken"/>
    /// is canceled, points not yet started are reported as canceled (and <paramref name="runOne"/> gets the token to
    /// stop the running ones); finished points keep their results.
    /// </summary>
    public static IReadOnlyList<SweepOutcome> Run(
        IReadOnlyList<SweepPoint> points,
        Func<SweepPoint, CancellationToken, BacktestResult> runOne,
        int maxParallelism,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(runOne);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallelism, 1);

        var outcomes = new SweepOutcome[points.Count];
        int next = -1;
        void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < points.Count)
                outcomes[i] = RunPoint(points[i], runOne, cancellationToken);
        }

        int threads = Math.Min(maxParallelism, points.Count);
        if (threads <= 1)
        {
            Work();
            return outcomes;
        }
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(Work) { IsBackground = true, Name = $"sweep-{t}" };
            workers[t].Start();
        }
        foreach (var worker in workers)
            worker.Join();
        return outcomes;
    }

    private static SweepOutcome RunPoint(SweepPoint point, Func<SweepPoint, CancellationToken, BacktestResult> runOne, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return new SweepOutcome(point, null, "canceled before it ran");
        try
        {
            var result = runOne(point, cancellationToken)
                ?? throw new InvalidOperationException("the backtest returned no result");
            return new SweepOutcome(point, BacktestReport.Summarize(result), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new SweepOutcome(point, null, "canceled");
        }
        catch (Exception ex)
        {
            // Isolation: a point's failure is its row's content, never the sweep's end.
            var inner = ex is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerExceptions[0] : ex;
            return new SweepOutcome(point, null, $"{inner.GetType().Name}: {inner.Message}");
        }
    }
}
