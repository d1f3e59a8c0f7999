using System.Runtime.CompilerServices;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// An L2 order book on integer ticks for one instrument.
/// </summary>
/// <remarks>
/// Entry points: <see cref="Set"/> (one level: set a quantity, 0 removes, removing an absent level is
/// normal), <see cref="ApplySnapshot"/> (replace everything), <see cref="Clear"/>. Best bid and ask are
/// maintained on every update in O(1) (an occupancy index finds the next level when the best is
/// removed). Prices far from the touch are kept exactly in a spill store. Updates allocate nothing.
/// The book is owned by the single-threaded core: it is not thread-safe. Analysis layers read it
/// through <see cref="BookView"/>; <see cref="CopyTo"/> takes a copy when one is needed elsewhere.
/// Quantities are raw fixed-point values at the instrument's qty decimals; a tick is
/// <see cref="InstrumentSpec.TickSize"/> raw price units.
/// </remarks>
public sealed class OrderBook
{
    /// <summary>Highest tick accepted (2^52): keeps key arithmetic and notional products far from overflow.</summary>
    public const long MaxTick = 1L << 52;

    private BookSide _bids;
    private BookSide _asks;
    private long _tickSizeRaw;
    private double _tickToPrice;

    public OrderBook(InstrumentSpec instrument, BookOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        instrument.Validate();
        options = (options ?? BookOptions.Default).Validate();
        Instrument = instrument;
        Options = options;
        _tickSizeRaw = instrument.TickSize.Raw;
        _tickToPrice = (double)_tickSizeRaw / FixedPoint.Pow10(instrument.PriceDecimals);
        _bids = new BookSide(isBid: true, options.WindowTicks);
        _asks = new BookSide(isBid: false, options.WindowTicks);
    }

    public InstrumentSpec Instrument { get; }
    public BookOptions Options { get; }

    /// <summary>
    /// The book's price resolution in raw price units: a tick is this much. It starts at the
    /// instrument's order-entry tick size and only gets finer (see <see cref="Regrid"/>): venues keep
    /// resting orders at old, finer prices after raising a tick size, so the book must hold prices the
    /// order-entry grid no longer allows.
    /// </summary>
    public long TickRaw => _tickSizeRaw;

    /// <summary>The price of a book tick.</summary>
    public Price PriceOf(long tick) => new(checked(tick * _tickSizeRaw));

    /// <summary>
    /// Moves the book to a finer grid of <paramref name="newTickRaw"/> raw units per tick, which must
    /// divide the current one; every level, the known range and the update id are kept exactly.
    /// Rare and cold: it rebuilds both sides (allocates).
    /// </summary>
    public void Regrid(long newTickRaw)
    {
        if (newTickRaw <= 0 || _tickSizeRaw % newTickRaw != 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(newTickRaw), $"new tick {newTickRaw} must divide the current tick {_tickSizeRaw}.");
        long factor = _tickSizeRaw / newTickRaw;
        if (factor == 1)
            return;
        _bids = _bids.Rescaled(factor);
        _asks = _asks.Rescaled(factor);
        _tickSizeRaw = newTickRaw;
        _tickToPrice = (double)_tickSizeRaw / FixedPoint.Pow10(Instrument.PriceDecimals);
    }

    /// <summary>The venue's id of the last update applied (Binance <c>u</c> / <c>lastUpdateId</c>).</summary>
    public long UpdateId { get; set; }

    /// <summary>Sets the quantity of one level; 0 removes it. Throws on a non-positive tick or negative quantity.
    /// Returns the quantity the level had before (0: none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Set(Side side, long tick, long qty)
    {
        if ((ulong)(tick - 1) >= MaxTick || qty < 0)
            ThrowInvalidLevel(tick, qty);
        return (side == Side.Bid ? _bids : _asks).Set(tick, qty);
    }

    /// <summary><see cref="Set"/> on the bid side; returns the quantity the level had before (0: none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long SetBid(long tick, long qty)
    {
        if ((ulong)(tick - 1) >= MaxTick || qty < 0)
            ThrowInvalidLevel(tick, qty);
        return _bids.Set(tick, qty);
    }

    /// <summary><see cref="Set"/> on the ask side; returns the quantity the level had before (0: none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long SetAsk(long tick, long qty)
    {
        if ((ulong)(tick - 1) >= MaxTick || qty < 0)
            ThrowInvalidLevel(tick, qty);
        return _asks.Set(tick, qty);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidLevel(long tick, long qty) =>
        ThrowHelper.ThrowArgumentOutOfRange(nameof(tick), $"invalid level: tick {tick} (must be 1..2^52), qty {qty} (must be ≥ 0)");

    /// <summary>
    /// Replaces the whole book. A side flagged complete had fewer levels than the depth requested,
    /// so the venue sent all of it; otherwise prices beyond its worst level stay unknown.
    /// </summary>
    public void ApplySnapshot(ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks, long updateId,
        bool bidsComplete = false, bool asksComplete = false)
    {
        foreach (ref readonly Level l in bids)
            if ((ulong)(l.Tick - 1) >= MaxTick || l.Qty < 0) ThrowInvalidLevel(l.Tick, l.Qty);
        foreach (ref readonly Level l in asks)
            if ((ulong)(l.Tick - 1) >= MaxTick || l.Qty < 0) ThrowInvalidLevel(l.Tick, l.Qty);
        _bids.LoadSnapshot(bids, bidsComplete);
        _asks.LoadSnapshot(asks, asksComplete);
        UpdateId = updateId;
    }

    /// <summary>Empties the book and forgets what was known (e.g. before a resync).</summary>
    public void Clear()
    {
        _bids.Clear();
        _asks.Clear();
        UpdateId = 0;
    }

    // ---- top of book ----

    public bool HasBid => !_bids.IsEmpty;
    public bool HasAsk => !_asks.IsEmpty;
    public long BestBidTick => _bids.BestTick;
    public long BestAskTick => _asks.BestTick;
    public long BestBidQty => _bids.BestQty;
    public long BestAskQty => _asks.BestQty;
    /// <summary>Bid levels; O(levels): it walks them (no count is kept per update).</summary>
    public int BidCount => _bids.Count;
    /// <summary>Ask levels; O(levels): it walks them (no count is kept per update).</summary>
    public int AskCount => _asks.Count;

    /// <summary>Best ask − best bid in ticks; 0 when either side is empty (check <see cref="IsTwoSided"/>).</summary>
    public long SpreadTicks => IsTwoSided ? _asks.BestTick - _bids.BestTick : 0;

    public bool IsTwoSided => !_bids.IsEmpty && !_asks.IsEmpty;

    /// <summary>Best bid ≥ best ask. Never true for a correctly maintained venue book: it means a missed update.</summary>
    public bool IsCrossed => IsTwoSided && _bids.BestTick > _asks.BestTick;

    /// <summary>Best bid == best ask.</summary>
    public bool IsLocked => IsTwoSided && _bids.BestTick == _asks.BestTick;

    /// <summary>(best bid + best ask) in ticks, exact; half of it is the mid.</summary>
    public long MidTicksTimesTwo => IsTwoSided ? _bids.BestTick + _asks.BestTick : 0;

    /// <summary>Mid price in price units (NaN if one-sided). For signals and display, not for order prices.</summary>
    public double Mid => IsTwoSided ? (_bids.BestTick + _asks.BestTick) * 0.5 * _tickToPrice : double.NaN;

    /// <summary>
    /// Size-weighted mid, (bid × askQty + ask × bidQty) / (bidQty + askQty), in price units: leans
    /// toward the side with less size, where the next trade is more likely to move the price.
    /// </summary>
    public double Microprice
    {
        get
        {
            if (!IsTwoSided)
                return double.NaN;
            double bq = _bids.BestQty, aq = _asks.BestQty;
            return (_bids.BestTick * aq + _asks.BestTick * bq) / (bq + aq) * _tickToPrice;
        }
    }

    /// <summary>Converts ticks to price units (double); display and signals only.</summary>
    public double TicksToPrice(double ticks) => ticks * _tickToPrice;

    // ---- levels and depth ----

    public long QtyAt(Side side, long tick) => SideOf(side).QtyAt(tick);

    /// <summary>True when the venue has told us the state of this price (between the touch and the snapshot's depth).</summary>
    public bool IsKnown(Side side, long tick) => SideOf(side).IsKnown(tick);

    /// <summary>The worst price (ticks) whose state is known; null before a snapshot; ±long.MaxValue when the whole side is known.</summary>
    public long? KnownUntilTick(Side side) => SideOf(side).KnownUntilTick;

    /// <summary>Levels from the best outward.</summary>
    public LevelEnumerator Levels(Side side) => new(SideOf(side));

    /// <summary>Copies up to <c>destination.Length</c> levels from the best outward; returns how many.</summary>
    public int TopLevels(Side side, Span<Level> destination)
    {
        int n = 0;
        var e = new LevelEnumerator(SideOf(side));
        while (n < destination.Length && e.MoveNext())
            destination[n++] = e.Current;
        return n;
    }

    /// <summary>Notional of <paramref name="qty"/> at <paramref name="tick"/>, at price decimals + qty decimals.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Int128 NotionalOf(long tick, long qty) => (Int128)(tick * _tickSizeRaw) * qty;

    /// <summary>
    /// Cumulative quantity and notional on <paramref name="side"/> within <paramref name="bps"/> basis
    /// points of the mid. Incomplete when that band reaches past the known range.
    /// </summary>
    public DepthResult DepthWithinBps(Side side, double bps)
    {
        if (!IsTwoSided || bps < 0)
            return new DepthResult(0, 0, 0, Complete: false);
        double mid = (_bids.BestTick + _asks.BestTick) * 0.5;
        BookSide s = SideOf(side);
        // The last tick inside the band: bids at or above it, asks at or below it.
        long limit = side == Side.Bid
            ? (long)Math.Ceiling(mid * (1 - bps / 10_000.0))
            : (long)Math.Floor(mid * (1 + bps / 10_000.0));
        long qty = 0;
        Int128 notional = 0;
        int levels = 0;
        var e = new LevelEnumerator(s);
        while (e.MoveNext())
        {
            Level l = e.Current;
            if (side == Side.Bid ? l.Tick < limit : l.Tick > limit)
                break;
            qty += l.Qty;
            notional += NotionalOf(l.Tick, l.Qty);
            levels++;
        }
        return new DepthResult(qty, notional, levels, s.IsKnown(limit));
    }

    /// <summary>
    /// Quantity a taker would get by spending up to <paramref name="notional"/> (price decimals + qty
    /// decimals) against <paramref name="side"/>, walking from the best level; the last level is taken
    /// partly. Incomplete when the walk ran out of known levels before spending it all.
    /// </summary>
    public DepthResult DepthForNotional(Side side, Int128 notional)
    {
        BookSide s = SideOf(side);
        long qty = 0;
        Int128 spent = 0;
        int levels = 0;
        var e = new LevelEnumerator(s);
        while (spent < notional && e.MoveNext())
        {
            Level l = e.Current;
            if (!s.IsKnown(l.Tick))
                break; // beyond the snapshot's depth the book may be missing levels
            Int128 levelNotional = NotionalOf(l.Tick, l.Qty);
            levels++;
            if (spent + levelNotional <= notional)
            {
                spent += levelNotional;
                qty += l.Qty;
                continue;
            }
            long pricePerQty = l.Tick * _tickSizeRaw;
            long partial = (long)((notional - spent) / pricePerQty);
            qty += partial;
            spent += (Int128)pricePerQty * partial;
            return new DepthResult(qty, spent, levels, Complete: true);
        }
        return new DepthResult(qty, spent, levels, Complete: spent >= notional);
    }

    /// <summary>A read-only view for analysis layers; no copy.</summary>
    public BookView View => new(this);

    /// <summary>Copies the whole book into <paramref name="copy"/>, reusing its arrays.</summary>
    public void CopyTo(BookCopy copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        copy.Fill(this);
    }

    /// <summary>A new independent copy (allocates).</summary>
    public BookCopy Copy()
    {
        var copy = new BookCopy();
        copy.Fill(this);
        return copy;
    }

    internal BookSide SideOf(Side side) => side == Side.Bid ? _bids : _asks;

    /// <summary>Brute-force consistency check of both sides; for tests.</summary>
    internal void AssertInvariants()
    {
        _bids.AssertInvariants();
        _asks.AssertInvariants();
    }
}
