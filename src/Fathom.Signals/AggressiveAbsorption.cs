using Fathom.Book;

namespace Fathom.Signals;

/// <summary>
/// Aggressive absorption (docs/signals.md §4): aggressive volume traded into a side's current best
/// price over the last H ms. Volume only counts while that price is still the best, i.e. while the
/// level holds or has refilled; a level that gave way leaves another price at the best.
/// </summary>
/// <remarks>
/// A FIFO of the trades in the window and, per side, a hash map price → volume: a trade adds, an
/// expiring trade subtracts (a price whose volume returns to 0 is deleted), a read is one lookup.
/// Trades are expired in arrival order, which is trade-time order on a venue's trade stream.
/// </remarks>
public sealed class AggressiveAbsorption
{
    private struct WindowTrade
    {
        public long TimeMs;
        public long Tick;
        public long Qty;
        public Side Side;
    }

    private readonly SignalClock _clock;
    private readonly long _windowMs;
    private readonly long _minQty;
    private readonly double _minRatio;
    // Sized so that a busy instrument's window does not grow them after start (on the shared BTCUSDT
    // recording a 2 s window held up to 2,048 trades at up to 1,024 prices per side); a busier one
    // doubles them once, which allocates.
    private readonly Ring<WindowTrade> _trades = new(4096);
    private readonly LongMap[] _volume = [new LongMap(1024), new LongMap(1024)];
    private readonly long[] _bestTick = new long[2];
    private readonly long[] _bestQty = new long[2];
    private bool _active;

    internal AggressiveAbsorption(SignalOptions options, SignalClock clock)
    {
        _clock = clock;
        _windowMs = options.AbsorptionWindowMs;
        _minQty = options.AbsorptionMinQty;
        _minRatio = options.AbsorptionMinRatio;
    }

    /// <summary>Volume traded into <paramref name="side"/>'s current best price within the window, raw qty.</summary>
    public long Absorbed(Side side)
    {
        long tick = _bestTick[(int)side];
        return tick == 0 ? 0 : _volume[(int)side].Get(tick);
    }

    /// <summary>Absorbed / visible size at the best; NaN while the side is empty.</summary>
    public double Ratio(Side side)
    {
        long q = _bestQty[(int)side];
        return q == 0 ? double.NaN : (double)Absorbed(side) / q;
    }

    /// <summary>Some volume was absorbed, at least the minimum quantity and at least the minimum ratio of the visible size.</summary>
    public bool IsAbsorbing(Side side)
    {
        long absorbed = Absorbed(side);
        return absorbed > 0 && absorbed >= _minQty && Ratio(side) >= _minRatio;
    }

    /// <summary>The window has been filling for at least H since the reset.</summary>
    public bool IsWarm => _active && _clock.ResetMs != SignalClock.Unknown && _clock.NowMs - _clock.ResetMs >= _windowMs;

    internal void Reset()
    {
        Suspend();
        _active = true;
    }

    /// <summary>Stops and empties: nothing is counted until the next reset.</summary>
    internal void Suspend()
    {
        _trades.Clear();
        _volume[0].Clear();
        _volume[1].Clear();
        SetBest(Side.Bid, 0, 0);
        SetBest(Side.Ask, 0, 0);
        _active = false;
    }

    internal void SetBest(Side side, long tick, long qty)
    {
        _bestTick[(int)side] = tick;
        _bestQty[(int)side] = qty;
    }

    internal void OnTrade(long timeMs, Side side, long tick, long qty)
    {
        if (!_active || timeMs <= _clock.NowMs - _windowMs)
            return; // already outside the window
        _trades.PushBack(new WindowTrade { TimeMs = timeMs, Tick = tick, Qty = qty, Side = side });
        _volume[(int)side].Add(tick, qty);
    }

    internal void Expire()
    {
        long cutoff = _clock.NowMs - _windowMs;
        while (_trades.Count > 0 && _trades.Front.TimeMs <= cutoff)
        {
            ref WindowTrade t = ref _trades.Front;
            _volume[(int)t.Side].Add(t.Tick, -t.Qty);
            _trades.PopFront();
        }
    }
}
