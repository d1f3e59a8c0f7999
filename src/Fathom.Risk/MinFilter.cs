namespace Fathom.Risk;

/// <summary>
/// Minimum of a value over a sliding window, kept as per-bucket minima (exact to one bucket). Used as the
/// feed-lag baseline: local and venue clocks differ by more than a second, so lag is only meaningful as
/// the excess over the smallest recent (receive − exchange) difference.
/// </summary>
internal sealed class MinFilter
{
    private readonly long[] _mins;
    private readonly long _bucketNs;
    private long _headBucket = long.MinValue;

    public MinFilter(long windowNs, int buckets)
    {
        _mins = new long[buckets];
        Array.Fill(_mins, long.MaxValue);
        _bucketNs = Math.Max(1, windowNs / buckets);
    }

    public void Add(long value, long nowNs)
    {
        Advance(nowNs);
        int slot = (int)(_headBucket % _mins.Length);
        if (value < _mins[slot])
            _mins[slot] = value;
    }

    /// <summary>The window's minimum, or false when it holds no sample.</summary>
    public bool TryMin(long nowNs, out long min)
    {
        Advance(nowNs);
        min = long.MaxValue;
        foreach (long m in _mins)
            if (m < min)
                min = m;
        return min != long.MaxValue;
    }

    private void Advance(long nowNs)
    {
        long bucket = nowNs / _bucketNs;
        if (bucket <= _headBucket)
            return;
        if (_headBucket == long.MinValue || bucket - _headBucket >= _mins.Length)
            Array.Fill(_mins, long.MaxValue);
        else
            for (long b = _headBucket + 1; b <= bucket; b++)
                _mins[(int)(b % _mins.Length)] = long.MaxValue;
        _headBucket = bucket;
    }
}
