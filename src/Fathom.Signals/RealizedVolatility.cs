namespace Fathom.Signals;

/// <summary>
/// Short-horizon realized volatility of the mid (docs/signals.md §6), sampled on the diff clock: the
/// squared log returns between consecutive two-sided diffs over the last H ms. Used by risk throttling.
/// </summary>
/// <remarks>
/// A running sum over a FIFO of (E, r²). Subtracting expired terms leaves rounding residue, so the
/// sum is recomputed from the FIFO every <see cref="ResumEvery"/> expiries, and it is exactly 0 when
/// the window holds no non-zero return (the common case of a mid that did not move), instead of a
/// residue that would read as a tiny volatility.
/// </remarks>
public sealed class RealizedVolatility
{
    internal const int ResumEvery = 1_024;

    private struct Sample
    {
        public long TimeMs;
        public double Squared;
    }

    private readonly SignalClock _clock;
    private readonly long _windowMs;
    private readonly Ring<Sample> _samples = new(256);
    private double _sum;
    private int _nonZero;
    private int _expiries;
    private long _lastMidTimesTwo;
    private long _firstSampleMs = long.MinValue;

    internal RealizedVolatility(SignalOptions options, SignalClock clock)
    {
        _clock = clock;
        _windowMs = options.VolatilityWindowMs;
    }

    /// <summary>Σ r² over the window (ln-return²).</summary>
    public double SumSquares => _nonZero == 0 ? 0 : Math.Max(_sum, 0);

    /// <summary>10^4 · √Σr²: volatility over the window, in basis points.</summary>
    public double RealizedBps => 1e4 * Math.Sqrt(SumSquares);

    /// <summary>10^4 · √(Σr² / window seconds), in basis points per √second.</summary>
    public double BpsPerSqrtSecond => 1e4 * Math.Sqrt(SumSquares / (_windowMs / 1000.0));

    /// <summary>Returns in the window.</summary>
    public int Samples => _samples.Count;

    /// <summary>The first return is at least H old, so the window is fully covered.</summary>
    public bool IsWarm => _firstSampleMs != long.MinValue && _clock.NowMs - _firstSampleMs >= _windowMs;

    /// <summary>
    /// Starts the return chain afresh from the reset book's mid (0 when it is one-sided): no return is
    /// taken across a reset, since a resync gap is not a price move.
    /// </summary>
    internal void Restart(long midTimesTwo) => _lastMidTimesTwo = midTimesTwo;

    internal void Clear()
    {
        _samples.Clear();
        _sum = 0;
        _nonZero = 0;
        _expiries = 0;
        _lastMidTimesTwo = 0;
        _firstSampleMs = long.MinValue;
    }

    internal void OnDiff(long timeMs, long midTimesTwo)
    {
        if (_lastMidTimesTwo > 0)
        {
            double r = Math.Log((double)midTimesTwo / _lastMidTimesTwo);
            double squared = r * r;
            _samples.PushBack(new Sample { TimeMs = timeMs, Squared = squared });
            _sum += squared;
            if (squared != 0)
                _nonZero++;
            if (_firstSampleMs == long.MinValue)
                _firstSampleMs = timeMs;
            Expire();
        }
        _lastMidTimesTwo = midTimesTwo;
    }

    internal void Expire()
    {
        long cutoff = _clock.NowMs - _windowMs;
        bool expired = false;
        while (_samples.Count > 0 && _samples.Front.TimeMs <= cutoff)
        {
            double squared = _samples.Front.Squared;
            _sum -= squared;
            if (squared != 0)
                _nonZero--;
            _samples.PopFront();
            expired = true;
            if (++_expiries % ResumEvery == 0)
                Resum();
        }
        if (expired && _nonZero == 0)
            _sum = 0;
    }

    private void Resum()
    {
        double sum = 0;
        for (int i = 0; i < _samples.Count; i++)
            sum += _samples[i].Squared;
        _sum = sum;
    }
}
