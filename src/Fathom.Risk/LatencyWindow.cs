namespace Fathom.Risk;

/// <summary>
/// The last N ack latencies with their times; a percentile is computed on demand (from the risk timer,
/// not per order) by sorting a pre-allocated scratch copy. Samples older than the maximum age drop out.
/// </summary>
internal sealed class LatencyWindow
{
    private readonly long[] _values;
    private readonly long[] _times;
    private readonly long[] _scratch;
    private int _next;
    private int _count;

    public LatencyWindow(int capacity)
    {
        _values = new long[capacity];
        _times = new long[capacity];
        _scratch = new long[capacity];
    }

    public void Add(long latencyNs, long nowNs)
    {
        _values[_next] = latencyNs;
        _times[_next] = nowNs;
        _next = (_next + 1) % _values.Length;
        if (_count < _values.Length)
            _count++;
    }

    /// <summary>The percentile over samples no older than <paramref name="maxAgeNs"/>, or false below <paramref name="minSamples"/>.</summary>
    public bool TryPercentile(double percentile, int minSamples, long nowNs, long maxAgeNs, out long value)
    {
        int n = 0;
        for (int i = 0; i < _count; i++)
            if (nowNs - _times[i] <= maxAgeNs)
                _scratch[n++] = _values[i];
        value = 0;
        if (n < minSamples)
            return false;
        var span = _scratch.AsSpan(0, n);
        span.Sort();
        // Nearest-rank: the smallest sample with at least p of the samples at or below it.
        int rank = (int)Math.Ceiling(percentile * n);
        value = span[Math.Clamp(rank - 1, 0, n - 1)];
        return true;
    }
}
