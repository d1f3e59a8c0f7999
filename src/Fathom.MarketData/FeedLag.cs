namespace Fathom.MarketData;

/// <summary>
/// Feed lag measured the only way that survives clock skew: the apparent lag
/// (local receive time − venue event time) minus its recent minimum. Local and venue clocks differ
/// by more than a second in real recordings (the shared BTCUSDT files receive messages ~1.27 s
/// *before* their event time), so the raw difference means nothing; its excess over the best case
/// seen lately is the queueing and network delay that grows when the feed falls behind.
/// </summary>
/// <remarks>
/// The baseline is the minimum over the last <c>bucketCount × bucketNanos</c> of receive time,
/// kept in a ring of per-bucket minima: O(1) per sample, no allocation, and a clock step
/// (NTP adjustment) ages out within the window.
/// </remarks>
public sealed class FeedLag
{
    private readonly long[] _bucketMin;
    private readonly long _bucketNanos;
    private long _currentBucket = long.MinValue;

    public FeedLag(int bucketCount = 60, long bucketNanos = 1_000_000_000)
    {
        if (bucketCount < 1 || bucketNanos < 1)
            throw new ArgumentOutOfRangeException(nameof(bucketCount), "need at least one bucket of positive width");
        _bucketMin = new long[bucketCount];
        Array.Fill(_bucketMin, long.MaxValue);
        _bucketNanos = bucketNanos;
    }

    /// <summary>Apparent lag of the last sample, in nanoseconds (may be negative: clocks differ).</summary>
    public long ApparentNanos { get; private set; }

    /// <summary>Minimum apparent lag over the window.</summary>
    public long BaselineNanos { get; private set; } = long.MaxValue;

    /// <summary>How far the last sample is above the baseline: the lag that matters. 0 before any sample.</summary>
    public long ExcessNanos => BaselineNanos == long.MaxValue ? 0 : ApparentNanos - BaselineNanos;

    public long Samples { get; private set; }

    public void Record(long receiveTimeNs, long exchangeTimeMs)
    {
        if (exchangeTimeMs <= 0)
            return; // e.g. spot bookTicker carries no event time
        long apparent = receiveTimeNs - exchangeTimeMs * 1_000_000;
        ApparentNanos = apparent;
        Samples++;
        long bucket = receiveTimeNs / _bucketNanos;
        int slot = (int)(((bucket % _bucketMin.Length) + _bucketMin.Length) % _bucketMin.Length);
        if (bucket != _currentBucket)
        {
            // Buckets skipped over (a quiet period) must not keep stale minima.
            long steps = _currentBucket == long.MinValue ? _bucketMin.Length : Math.Min(bucket - _currentBucket, _bucketMin.Length);
            for (long i = 0; i < steps; i++)
                _bucketMin[(int)(((bucket - i) % _bucketMin.Length + _bucketMin.Length) % _bucketMin.Length)] = long.MaxValue;
            _currentBucket = bucket;
        }
        if (apparent < _bucketMin[slot])
            _bucketMin[slot] = apparent;
        long min = long.MaxValue;
        foreach (long m in _bucketMin)
            if (m < min)
                min = m;
        BaselineNanos = min;
    }
}
