namespace Fathom.Risk;

/// <summary>
/// Counts events over a sliding window on virtual time, in fixed buckets (the window slides one bucket
/// at a time, so the count is exact to one bucket's width). Pre-sized; nothing allocated per event.
/// </summary>
internal sealed class RollingCounter
{
    private readonly long[] _counts;
    private readonly long _bucketNs;
    private long _headBucket = long.MinValue; // absolute bucket number of the newest slot
    private long _sum;

    public RollingCounter(long windowNs, int buckets)
    {
        _counts = new long[buckets];
        _bucketNs = Math.Max(1, windowNs / buckets);
    }

    public void Add(long nowNs, long n = 1)
    {
        Advance(nowNs);
        _counts[Slot(_headBucket)] += n;
        _sum += n;
    }

    public long Sum(long nowNs)
    {
        Advance(nowNs);
        return _sum;
    }

    private int Slot(long bucket) => (int)(((bucket % _counts.Length) + _counts.Length) % _counts.Length);

    private void Advance(long nowNs)
    {
        long bucket = nowNs / _bucketNs;
        if (bucket <= _headBucket)
            return; // virtual time never goes back; an equal bucket is the current one
        if (_headBucket == long.MinValue || bucket - _headBucket >= _counts.Length)
        {
            Array.Clear(_counts);
            _sum = 0;
        }
        else
        {
            for (long b = _headBucket + 1; b <= bucket; b++)
            {
                int slot = Slot(b);
                _sum -= _counts[slot];
                _counts[slot] = 0;
            }
        }
        _headBucket = bucket;
    }
}
