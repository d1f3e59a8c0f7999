namespace Fathom.Signals;

/// <summary>
/// The last <c>W</c> values of a series with their median, MAD and robust z-score, updated per value.
/// </summary>
/// <remarks>
/// Two views of the same values: a ring in arrival order (which value leaves next) and a sorted
/// array (order statistics). An update removes the oldest value from the sorted array by binary
/// search and inserts the new one, each a memmove of at most W doubles. The MAD is the median of
/// two sorted sequences that are never built: the distances of the values below the median (read
/// right to left) and above it (left to right). Its k-th element is found by binary search in
/// O(log W). Every result is bit-identical to sorting the window and its deviations from scratch.
/// </remarks>
internal sealed class RobustWindow
{
    /// <summary>Scales the MAD to a standard deviation under normality (1 / Φ⁻¹(3/4)).</summary>
    public const double MadToSigma = 1.4826;

    private readonly double[] _ring;
    private readonly double[] _sorted;
    private int _head;
    private int _count;

    public RobustWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new double[capacity];
        _sorted = new double[capacity];
    }

    public int Count => _count;
    public int Capacity => _ring.Length;

    public void Add(double value)
    {
        if (_count == _ring.Length)
        {
            RemoveSorted(_ring[_head]);
            _ring[_head] = value;
            _head = _head + 1 == _ring.Length ? 0 : _head + 1;
            InsertSorted(value, _count - 1);
        }
        else
        {
            int tail = _head + _count;
            _ring[tail >= _ring.Length ? tail - _ring.Length : tail] = value;
            InsertSorted(value, _count);
            _count++;
        }
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
    private int LowerBound(double x, int n)
    {
        int lo = 0, hi = n;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private void RemoveSorted(double value)
    {
        int n = _count;
        int i = LowerBound(value, n);
        Array.Copy(_sorted, i + 1, _sorted, i, n - i - 1);
    }

    // Inserts into the first n sorted values, after any equal ones.
    private void InsertSorted(double value, int n)
    {
        int lo = 0, hi = n;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid] <= value)
                lo = mid + 1;
            else
                hi = mid;
        }
        Array.Copy(_sorted, lo, _sorted, lo + 1, n - lo);
        _sorted[lo] = value;
    }
}
