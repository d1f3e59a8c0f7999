namespace Fathom.Signals;

/// <summary>
/// The last <c>W</c> values of a series with their median, MAD and robust z-score, updated per value.
/// </summary>
/// <remarks>
/// Two views of the same values: a ring in arrival order (which value leaves next) and a sorted
/// array (order statistics). One update into a full window replaces the oldest value by the new one
/// in the sorted array with a single memmove of the values between their two positions (on average
/// a third of the window, instead of the whole window for a remove and an insert).
/// <see cref="AddRange"/> takes the values of one batch (the level sizes a diff posts) in one
/// pass: the sorted array is copied once into a spare one, segment by segment (memmoves), leaving
/// out the values that leave and slotting in the new ones, O(W + m log W) instead of m memmoves of
/// up to W. The MAD is the median of two sorted sequences that are never built: the distances of the
/// values below the median (read right to left) and above it (left to right). Its k-th element is
/// found by binary search in O(log W). The sorted array holds the same multiset of values whatever
/// the path, so every result is bit-identical to sorting the window and its deviations from scratch.
/// </remarks>
internal sealed class RobustWindow
{
    /// <summary>Scales the MAD to a standard deviation under normality (1 / Φ⁻¹(3/4)).</summary>
    public const double MadToSigma = 1.4826;

    private readonly double[] _ring;
    private double[] _sorted;
    private double[] _spare; // the other buffer of AddRange's copy; swapped with _sorted
    private readonly double[] _leaving;
    private readonly double[] _entering;
    private int _head;
    private int _count;

    /// <param name="capacity">W, the number of values kept.</param>
    /// <param name="batchCapacity">Most values one <see cref="AddRange"/> pass takes; larger batches are split.</param>
    public RobustWindow(int capacity, int batchCapacity = 64)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchCapacity, 1);
        _ring = new double[capacity];
        _sorted = new double[capacity];
        _spare = new double[capacity];
        int batch = Math.Min(batchCapacity, capacity);
        _leaving = new double[batch];
        _entering = new double[batch];
    }

    public int Count => _count;
    public int Capacity => _ring.Length;

    public void Add(double value)
    {
        if (_count == _ring.Length)
        {
            ReplaceSorted(_ring[_head], value);
            _ring[_head] = value;
            _head = _head + 1 == _ring.Length ? 0 : _head + 1;
        }
        else
        {
            int tail = _head + _count;
            _ring[tail >= _ring.Length ? tail - _ring.Length : tail] = value;
            InsertSorted(value, _count);
            _count++;
        }
    }

    /// <summary>
    /// Adds <paramref name="values"/> in order, as that many <see cref="Add"/> calls would, with no
    /// query in between: the window ends up holding the same values.
    /// </summary>
    public void AddRange(ReadOnlySpan<double> values)
    {
        int batch = _entering.Length;
        while (values.Length > 0)
        {
            int m = Math.Min(values.Length, batch);
            if (m == 1)
                Add(values[0]);
            else
                AddBatch(values[..m]);
            values = values[m..];
        }
    }

    // m ≤ W values: those that leave are the oldest max(0, count + m − W) values, all of them from
    // before the batch (a new value could only leave if more than W came in).
    private void AddBatch(ReadOnlySpan<double> values)
    {
        int m = values.Length, capacity = _ring.Length;
        int leaving = Math.Max(0, _count + m - capacity), left = 0;
        for (int i = 0; i < m; i++)
        {
            if (_count < capacity)
            {
                int tail = _head + _count;
                _ring[tail >= capacity ? tail - capacity : tail] = values[i];
                _count++;
            }
            else
            {
                _leaving[left++] = _ring[_head];
                _ring[_head] = values[i];
                _head = _head + 1 == capacity ? 0 : _head + 1;
            }
            _entering[i] = values[i];
        }
        Span<double> gone = _leaving.AsSpan(0, leaving), come = _entering.AsSpan(0, m);
        gone.Sort();
        come.Sort();

        // One pass over the old sorted values (n of them): copy the stretch up to the next event,
        // then either drop the leaving value found there or place the entering one.
        double[] from = _sorted, to = _spare;
        int n = _count - m + leaving, read = 0, write = 0, g = 0, c = 0;
        // Where the next leaving value sits (it is present), and where the next entering one goes (after equal
        // values). Each is searched again only when its own value was consumed: the other stays at or after the
        // read position, so a search from there would find it where it is.
        int drop = leaving > 0 ? LowerBound(from, gone[0], 0, n) : n;
        int place = UpperBound(from, come[0], 0, n);
        while (g < leaving || c < m)
        {
            int stop = Math.Min(drop, place);
            Array.Copy(from, read, to, write, stop - read);
            write += stop - read;
            read = stop;
            if (c < m && place <= drop)
            {
                to[write++] = come[c++];
                place = c < m ? UpperBound(from, come[c], read, n) : n;
            }
            else
            {
                read++; // skip the leaving value
                g++;
                drop = g < leaving ? LowerBound(from, gone[g], read, n) : n;
            }
        }
        Array.Copy(from, read, to, write, n - read);
        _sorted = to;
        _spare = from;
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }

    /// <summary>The median (mean of the two middle values when the count is even); NaN when empty.</summary>
    public double Median()
    {
        int n = _count;
        if (n == 0)
            return double.NaN;
        return (n & 1) == 1 ? _sorted[n / 2] : (_sorted[n / 2 - 1] + _sorted[n / 2]) * 0.5;
    }

    /// <summary>The median of |v − <paramref name="median"/>| over the window; NaN when empty.</summary>
    public double MedianAbsoluteDeviation(double median)
    {
        int n = _count;
        if (n == 0)
            return double.NaN;
        // Left: values below the median, as distances (ascending when read from split-1 down to 0).
        int split = LowerBound(median, n);
        int k = n / 2;
        double hi = KthDeviation(k, split, n, median);
        return (n & 1) == 1 ? hi : (KthDeviation(k - 1, split, n, median) + hi) * 0.5;
    }

    /// <summary>
    /// <c>(x − median) / max(1.4826 · MAD, floor)</c> against the current window; NaN when it holds
    /// fewer than <paramref name="minSamples"/> values.
    /// </summary>
    public double ZScore(double x, int minSamples, double floor)
    {
        if (_count < minSamples || _count == 0)
            return double.NaN;
        double median = Median();
        double scale = Math.Max(MadToSigma * MedianAbsoluteDeviation(median), floor);
        return (x - median) / scale;
    }

    // Deviation sequences: A[i] = median − sorted[split − 1 − i] (i < split), B[j] = sorted[split + j] − median.
    private double KthDeviation(int k, int split, int n, double median)
    {
        int a = split, b = n - split;
        int lo = Math.Max(0, k + 1 - b), hi = Math.Min(a, k + 1);
        while (lo < hi)
        {
            int i = (lo + hi) >>> 1;
            int j = k + 1 - i;
            double ai = median - _sorted[split - 1 - i];
            double bj1 = _sorted[split + j - 1] - median;
            if (ai < bj1)
                lo = i + 1; // A[i] belongs among the k+1 smallest: take more from A
            else
                hi = i;
        }
        int takeA = lo, takeB = k + 1 - lo;
        double last = double.NegativeInfinity;
        if (takeA > 0)
            last = median - _sorted[split - takeA];
        if (takeB > 0)
            last = Math.Max(last, _sorted[split + takeB - 1] - median);
        return last;
    }

    // First index whose value is ≥ x among the first n sorted values.
    private int LowerBound(double x, int n) => LowerBound(_sorted, x, 0, n);

    // First index in [lo, hi) whose value is ≥ x (hi when none is).
    private static int LowerBound(double[] sorted, double x, int lo, int hi)
    {
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    // First index in [lo, hi) whose value is > x (hi when none is).
    private static int UpperBound(double[] sorted, double x, int lo, int hi)
    {
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    // The window is full: one occurrence of `leaving` (present) makes room for `value`. Only the values
    // between the two positions move, by one place.
    private void ReplaceSorted(double leaving, double value)
    {
        int n = _count;
        int r = LowerBound(leaving, n);
        int s = UpperBound(_sorted, value, 0, n);
        if (s > r)
        {
            // Everything in (r, s) is ≤ value: shift it down over the leaving value.
            Array.Copy(_sorted, r + 1, _sorted, r, s - 1 - r);
            _sorted[s - 1] = value;
        }
        else
        {
            // Everything in [s, r) is > value: shift it up over the leaving value.
            Array.Copy(_sorted, s, _sorted, s + 1, r - s);
            _sorted[s] = value;
        }
    }

    // Inserts into the first n sorted values, after any equal ones.
    private void InsertSorted(double value, int n)
    {
        int at = UpperBound(_sorted, value, 0, n);
        Array.Copy(_sorted, at, _sorted, at + 1, n - at);
        _sorted[at] = value;
    }
}
