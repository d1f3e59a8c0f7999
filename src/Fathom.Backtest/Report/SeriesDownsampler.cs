namespace Fathom.Backtest.Report;

/// <summary>
/// Shrinks a chart series to at most a budget of points, deterministically: the points are cut into budget / 2
/// buckets of consecutive indices, and each bucket keeps its lowest and highest value (in time order), so spikes
/// and drawdowns survive.
/// </summary>
internal static class SeriesDownsampler
{
    public const int MaxPoints = 5000;

    /// <summary>
    /// Drops all but the last point of each run of equal x (a chart keys its points by x), then downsamples.
    /// </summary>
    public static (double[] X, double[] Y) Reduce(IReadOnlyList<double> x, IReadOnlyList<double> y, int maxPoints = MaxPoints)
    {
        var xs = new List<double>(x.Count);
        var ys = new List<double>(y.Count);
        for (int i = 0; i < x.Count; i++)
        {
            if (xs.Count > 0 && xs[^1] == x[i])
            {
                ys[^1] = y[i];
                continue;
            }
            xs.Add(x[i]);
            ys.Add(y[i]);
        }
        if (xs.Count <= maxPoints)
            return ([.. xs], [.. ys]);

        int buckets = maxPoints / 2;
        var outX = new List<double>(maxPoints);
        var outY = new List<double>(maxPoints);
        long n = xs.Count;
        for (long b = 0; b < buckets; b++)
        {
            int from = (int)(b * n / buckets), to = (int)((b + 1) * n / buckets);
            int lo = from, hi = from;
            for (int i = from + 1; i < to; i++)
            {
                if (ys[i] < ys[lo])
                    lo = i;
                if (ys[i] > ys[hi])
                    hi = i;
            }
            int first = Math.Min(lo, hi), second = Math.Max(lo, hi);
            outX.Add(xs[first]);
            outY.Add(ys[first]);
            if (second != first)
            {
                outX.Add(xs[second]);
                outY.Add(ys[second]);
            }
        }
        return ([.. outX], [.. outY]);
    }
}
