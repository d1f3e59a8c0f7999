namespace Fathom.Risk;

/// <summary>
/// The last N ack latencies with their times; a percentile is computed on demand (from the risk timer,
/// not per order) by selecting its rank in a pre-allocated scratch copy (a quickselect: the same sample a
/// sort would put there, in linear time). Samples older than the maximum age drop out.
/// </summary>
/// <remarks>
/// The risk timer asks every tick (every 20 ms), while samples arrive once per order and age out rarely: the last
/// answer is kept with the samples it was computed from (no sample added since, the oldest sample it counted still
/// young enough, the youngest it left out still too old) and given again without selecting. Same samples, same
/// percentile, same answer: the cache changes nothing but the cost.
/// </remarks>
internal sealed class LatencyWindow
{
    private readonly long[] _values;
    private readonly long[] _times;
    private readonly long[] _scratch;
    private int _next;
    private int _count;

    // The last answer and what it was computed from.
    private bool _cached;
    private double _cachedPercentile;
    private int _cachedMinSamples;
    private long _oldestIncluded;   // long.MaxValue when none was counted
    private long _youngestExcluded; // long.MinValue when none was left out
    private bool _cachedFound;
    private long _cachedValue;

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
        _cached = false;
    }

    /// <summary>The percentile over samples no older than <paramref name="maxAgeNs"/>, or false below <paramref name="minSamples"/>.</summary>
    public bool TryPercentile(double percentile, int minSamples, long nowNs, long maxAgeNs, out long value)
    {
        // A sample counts when nowNs - time <= maxAgeNs: a threshold on its time, so the counted set is the same
        // as last time exactly when the oldest counted sample still counts and the youngest left out still does not.
        if (_cached && percentile == _cachedPercentile && minSamples == _cachedMinSamples
            && (_oldestIncluded == long.MaxValue || nowNs - _oldestIncluded <= maxAgeNs)
            && (_youngestExcluded == long.MinValue || nowNs - _youngestExcluded > maxAgeNs))
        {
            value = _cachedValue;
            return _cachedFound;
        }
        int n = 0;
        long oldestIncluded = long.MaxValue, youngestExcluded = long.MinValue;
        for (int i = 0; i < _count; i++)
        {
            long t = _times[i];
            if (nowNs - t <= maxAgeNs)
            {
                _scratch[n++] = _values[i];
                if (t < oldestIncluded)
                    oldestIncluded = t;
            }
            else if (t > youngestExcluded)
            {
                youngestExcluded = t;
            }
        }
        value = 0;
        bool found = n >= minSamples;
        if (found)
        {
            // Nearest-rank: the smallest sample with at least p of the samples at or below it.
            int rank = (int)Math.Ceiling(percentile * n);
            value = Select(_scratch.AsSpan(0, n), Math.Clamp(rank - 1, 0, n - 1));
        }
        _cached = true;
        _cachedPercentile = percentile;
        _cachedMinSamples = minSamples;
        _oldestIncluded = oldestIncluded;
        _youngestExcluded = youngestExcluded;
        _cachedFound = found;
        _cachedValue = value;
        return found;
    }

    /// <summary>
    /// The <paramref name="k"/>-th smallest of <paramref name="values"/> (0-based: what <c>values.Sort()</c> would put
    /// at index <paramref name="k"/>), reordering them: Hoare partitions around a median of three, narrowing to the side
    /// that holds index <paramref name="k"/>, then an insertion sort of the last 16 or fewer.
    /// </summary>
    internal static long Select(Span<long> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (hi - lo >= 16)
        {
            int mid = lo + (hi - lo) / 2;
            if (values[mid] < values[lo])
                (values[mid], values[lo]) = (values[lo], values[mid]);
            if (values[hi] < values[lo])
                (values[hi], values[lo]) = (values[lo], values[hi]);
            if (values[hi] < values[mid])
                (values[hi], values[mid]) = (values[mid], values[hi]);
            long pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot)
                    i++;
                while (values[j] > pivot)
                    j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            // Now lo..j ≤ pivot ≤ i..hi, and anything between j and i equals the pivot.
            if (k <= j)
                hi = j;
            else if (k >= i)
                lo = i;
            else
                return values[k];
        }
        for (int a = lo + 1; a <= hi; a++)
        {
            long v = values[a];
            int b = a - 1;
            while (b >= lo && values[b] > v)
            {
                values[b + 1] = values[b];
                b--;
            }
            values[b + 1] = v;
        }
        return values[k];
    }
}
