using Fathom.Book;

namespace Fathom.Signals;

/// <summary>
/// Exponentially distance-weighted depth of both sides, Σ q·exp(−|tick − mid| / λ), kept in O(1)
/// per level change.
/// </summary>
/// <remarks>
/// The exponential factorizes around a fixed anchor tick A: Wb = exp((A − m)/λ) · Σ qb·exp((b − A)/λ),
/// Wa = exp((m − A)/λ) · Σ qa·exp((A − a)/λ), so a moving mid re-weights nothing and a level change
/// adds one term. Adding and later subtracting the same terms leaves rounding residue that does not
/// shrink with the sum: after large levels near A come and go, a sum of far levels can be 10^−6 of
/// what passed through it. So each sum is compensated: the exact rounding error of every product
/// (FMA) and every addition (Knuth's TwoSum) is carried in a second double and added back on
/// reading. A level's weight is the same double each time it changes at the same anchor, so a level
/// added and later removed cancels exactly, and what is left is the rounding of the small
/// compensation itself. Each side carries a running bound on that (ε · Σ |compensation and its
/// increments|, the recursive-summation bound applied to error terms that are ~ε of the sum) and is
/// rebuilt from the book when that, plus a bound on what the last rebuild left out (see SumSide),
/// exceeds <see cref="RelativeErrorBudget"/> of the sum. (*Measured on the BTCUSDT replay:* the
/// uncompensated sum's bound, ε · Σ |partial sums| + 2ε · Σ |terms|, forced 256 rebuilds, most on
/// diffs that move the touch, each a walk of ~580 levels with an exp; now 107.) The sums are also
/// rebuilt around a new anchor when the mid
/// has drifted more than <see cref="ReanchorLambdas"/> λ (keeps terms within e^±8 of 1: precision is
/// the error bound's job, so this only has to keep exponents far from overflow while keeping rebuilds
/// rare) and when a change lands so far on the growing side of A that its term could overflow. A
/// rebuild leaves out levels more than <see cref="CutoffLambdas"/> λ behind the side's best: each
/// weighs less than e^−40 ≈ 4·10^−18 of the best.
/// </remarks>
internal sealed class WeightedDepth
{
    internal const double ReanchorLambdas = 8;
    internal const double OverflowLambdas = 30;
    internal const double CutoffLambdas = 40;
    internal const double RelativeErrorBudget = 1e-12;
    // A rebuild may leave out levels weighing this share of the budget: the sum can then shrink ~1000×
    // (its best levels pulled) before what was left out forces the next rebuild.
    internal const double TruncationShare = 1.0 / 1024;
    private const double Epsilon = 1.0 / (1L << 53);

    // exp(d / λ) for every tick distance d within ±TableReach, computed by the same expression the sums use, so a
    // level's weight is the same double read from here or computed (tests hold every entry to Math.Exp). A level
    // change near the mid then costs a load instead of an exp (~20 ns); farther ones still call Math.Exp.
    internal const int TableReach = 4096;
    private readonly double[] _weights = new double[2 * TableReach + 1];

    private readonly double _lambda;
    private readonly double _inverseLambda;
    private long _anchor;
    private bool _anchored;
    // Each sum is _xSum + _xCompensation (TwoSum: the compensation holds the rounding errors of the additions).
    private double _bidSum;
    private double _askSum;
    private double _bidCompensation;
    private double _askCompensation;
    // Σ|compensation| after each addition since the last rebuild; times ε it bounds the sum's rounding error.
    private double _bidErrorMass;
    private double _askErrorMass;
    // What the levels a rebuild left out weigh at most (anchor units): later changes to them add their
    // differences, so what stays missing is at most their weight at the rebuild.
    private double _bidTruncation;
    private double _askTruncation;
    // Every level's size summed, per side, kept from the book at Start and every change since.
    private long _bidQty;
    private long _askQty;

    public WeightedDepth(double decayTicks)
    {
        _lambda = decayTicks;
        _inverseLambda = 1.0 / decayTicks;
        for (long d = -TableReach; d <= TableReach; d++)
            _weights[d + TableReach] = Math.Exp(d * _inverseLambda);
    }

    /// <summary>exp(<paramref name="distance"/> / λ): from the table within its reach, else computed; the same double either way.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal double Weight(long distance)
    {
        ulong i = (ulong)(distance + TableReach);
        return i < (ulong)_weights.Length ? _weights[i] : Math.Exp(distance * _inverseLambda);
    }

    /// <summary>Rebuilds performed (tests check that the re-anchoring path runs).</summary>
    public long Rebuilds { get; private set; }

    /// <summary>Forgets the sums: they are rebuilt from the book at the next publish.</summary>
    public void Reset() => _anchored = false;

    /// <summary>Starts following <paramref name="book"/> (an engine reset): reads each side's total size once, O(levels).</summary>
    public void Start(OrderBook book)
    {
        _anchored = false;
        _bidQty = TotalQty(book, Side.Bid);
        _askQty = TotalQty(book, Side.Ask);
    }

    private static long TotalQty(OrderBook book, Side side)
    {
        long total = 0;
        foreach (Level l in book.Levels(side))
            total += l.Qty;
        return total;
    }

    public void OnLevelChange(Side side, long tick, long oldQty, long newQty)
    {
        if (side == Side.Bid)
            _bidQty += newQty - oldQty;
        else
            _askQty += newQty - oldQty;
        if (!_anchored)
            return; // rebuilt from the book at the next publish
        long distance = side == Side.Bid ? tick - _anchor : _anchor - tick;
        double x = distance * _inverseLambda;
        if (x > OverflowLambdas)
        {
            _anchored = false;
            return;
        }
        double change = newQty - oldQty, weight = Weight(distance);
        if (side == Side.Bid)
            Add(ref _bidSum, ref _bidCompensation, ref _bidErrorMass, change, weight);
        else
            Add(ref _askSum, ref _askCompensation, ref _askErrorMass, change, weight);
    }

    // Adds change·weight exactly, up to the rounding of the compensation. The product's own rounding
    // error is exact by FMA; the sum's by TwoSum (branch-free). A level added and later removed at the
    // same anchor then cancels exactly: its weight is the same double both times. The JIT neither
    // reassociates nor contracts these operations.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Add(ref double sum, ref double compensation, ref double errorMass, double change, double weight)
    {
        double term = change * weight;
        double productError = Math.FusedMultiplyAdd(change, weight, -term);
        double s = sum;
        double t = s + term;
        double termPart = t - s;
        double sumError = (s - (t - termPart)) + (term - termPart);
        double error = sumError + productError;
        sum = t;
        compensation += error;
        // Each of the two additions above rounds by at most ε of its result.
        errorMass += Math.Abs(error) + Math.Abs(compensation);
    }

    /// <summary>The weighted depths around the mid of a two-sided book whose best ticks are given.</summary>
    public void Publish(OrderBook book, long bestBidTick, long bestAskTick, out double bidDepth, out double askDepth)
    {
        double mid = (bestBidTick + bestAskTick) * 0.5;
        double bidSum = _bidSum + _bidCompensation, askSum = _askSum + _askCompensation;
        if (!_anchored
            || Math.Abs(mid - _anchor) > ReanchorLambdas * _lambda
            || (_bidErrorMass + Math.Abs(bidSum)) * Epsilon + _bidTruncation > RelativeErrorBudget * Math.Abs(bidSum)
            || (_askErrorMass + Math.Abs(askSum)) * Epsilon + _askTruncation > RelativeErrorBudget * Math.Abs(askSum))
        {
            Rebuild(book, (bestBidTick + bestAskTick) >> 1);
            bidSum = _bidSum + _bidCompensation;
            askSum = _askSum + _askCompensation;
        }
        bidDepth = Math.Exp((_anchor - mid) * _inverseLambda) * bidSum;
        askDepth = Math.Exp((mid - _anchor) * _inverseLambda) * askSum;
    }

    private void Rebuild(OrderBook book, long anchor)
    {
        _anchor = anchor;
        _bidSum = _askSum = _bidCompensation = _askCompensation = _bidErrorMass = _askErrorMass = 0;
        _bidTruncation = SumSide(book, Side.Bid, anchor, _bidQty, ref _bidSum, ref _bidCompensation, ref _bidErrorMass);
        _askTruncation = SumSide(book, Side.Ask, anchor, _askQty, ref _askSum, ref _askCompensation, ref _askErrorMass);
        _anchored = true;
        Rebuilds++;
    }

    // Sums the side from its best until at least CutoffLambdas behind it, and on until what is left
    // weighs at most TruncationShare of the error budget; returns that bound on what was left out.
    // Each level left out weighs at most the first one's weight per unit (levels come best first),
    // and together they hold what the side holds minus what was summed.
    private double SumSide(OrderBook book, Side side, long anchor, long sideQty, ref double sum, ref double compensation, ref double errorMass)
    {
        double cutoff = double.NaN;
        long summedQty = 0;
        var e = book.Levels(side);
        while (e.MoveNext())
        {
            Level l = e.Current;
            long distance = side == Side.Bid ? l.Tick - anchor : anchor - l.Tick;
            double x = distance * _inverseLambda;
            // Measured from the side's own best, not the mid: when the best itself is far from the
            // mid, the side's sum is small and the levels behind it are what it is made of.
            if (double.IsNaN(cutoff))
            {
                cutoff = x - CutoffLambdas;
            }
            else if (x < cutoff)
            {
                double leftOut = (sideQty - summedQty) * Weight(distance);
                if (leftOut <= TruncationShare * RelativeErrorBudget * Math.Abs(sum + compensation))
                    return leftOut;
            }
            double weight = Weight(distance);
            Add(ref sum, ref compensation, ref errorMass, l.Qty, weight);
            summedQty += l.Qty;
        }
        return 0;
    }
}
