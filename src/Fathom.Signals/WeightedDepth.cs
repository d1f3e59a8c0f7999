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
/// what passed through it. So each side carries a running bound on its accumulated rounding error
/// (ε · Σ |partial sum| + 2ε · Σ |term|, the standard bound for recursive summation) and is rebuilt
/// from the book when that bound exceeds <see cref="RelativeErrorBudget"/> of the sum. The sums are
/// also rebuilt around a new anchor when the mid has drifted more than <see cref="ReanchorLambdas"/> λ
/// (keeps terms within e^±8 of 1: precision is the error bound's job, so this only has to keep
/// exponents far from overflow while keeping rebuilds rare) and when a change lands so far on the growing side of A that its term could
/// overflow. A rebuild leaves out levels more than <see cref="CutoffLambdas"/> λ behind the side's
/// best: each weighs less than e^−40 ≈ 4·10^−18 of the best.
/// </remarks>
internal sealed class WeightedDepth
{
    internal const double ReanchorLambdas = 8;
    internal const double OverflowLambdas = 30;
    internal const double CutoffLambdas = 40;
    internal const double RelativeErrorBudget = 1e-12;
    private const double Epsilon = 1.0 / (1L << 53);

    private readonly double _lambda;
    private readonly double _inverseLambda;
    private long _anchor;
    private bool _anchored;
    private double _bidSum;
    private double _askSum;
    // Σ|partial sum| + 2·Σ|term| since the last rebuild; times ε it bounds each sum's rounding error.
    private double _bidErrorMass;
    private double _askErrorMass;

    public WeightedDepth(double decayTicks)
    {
        _lambda = decayTicks;
        _inverseLambda = 1.0 / decayTicks;
    }

    /// <summary>Rebuilds performed (tests check that the re-anchoring path runs).</summary>
    public long Rebuilds { get; private set; }

    public void Reset() => _anchored = false;

    public void OnLevelChange(Side side, long tick, long oldQty, long newQty)
    {
        if (!_anchored)
            return; // rebuilt from the book at the next publish
        double x = (side == Side.Bid ? tick - _anchor : _anchor - tick) * _inverseLambda;
        if (x > OverflowLambdas)
        {
            _anchored = false;
            return;
        }
        double term = (newQty - oldQty) * Math.Exp(x);
        if (side == Side.Bid)
        {
            _bidSum += term;
            _bidErrorMass += Math.Abs(_bidSum) + 2 * Math.Abs(term);
        }
        else
        {
            _askSum += term;
            _askErrorMass += Math.Abs(_askSum) + 2 * Math.Abs(term);
        }
    }

    /// <summary>The weighted depths around the mid of a two-sided book whose best ticks are given.</summary>
    public void Publish(OrderBook book, long bestBidTick, long bestAskTick, out double bidDepth, out double askDepth)
    {
        double mid = (bestBidTick + bestAskTick) * 0.5;
        if (!_anchored
            || Math.Abs(mid - _anchor) > ReanchorLambdas * _lambda
            || _bidErrorMass * Epsilon > RelativeErrorBudget * Math.Abs(_bidSum)
            || _askErrorMass * Epsilon > RelativeErrorBudget * Math.Abs(_askSum))
            Rebuild(book, (bestBidTick + bestAskTick) >> 1);
        bidDepth = Math.Exp((_anchor - mid) * _inverseLambda) * _bidSum;
        askDepth = Math.Exp((mid - _anchor) * _inverseLambda) * _askSum;
    }

    private void Rebuild(OrderBook book, long anchor)
    {
        _anchor = anchor;
        _bidSum = SumSide(book, Side.Bid, anchor);
        _askSum = SumSide(book, Side.Ask, anchor);
        _bidErrorMass = _askErrorMass = 0;
        _anchored = true;
        Rebuilds++;
    }

    private double SumSide(OrderBook book, Side side, long anchor)
    {
        double sum = 0, cutoff = double.NaN;
        var e = book.Levels(side);
        while (e.MoveNext())
        {
            Level l = e.Current;
            double x = (side == Side.Bid ? l.Tick - anchor : anchor - l.Tick) * _inverseLambda;
            // Measured from the side's own best, not the mid: when the best itself is far from the
            // mid, the side's sum is small and the levels behind it are what it is made of.
            if (double.IsNaN(cutoff))
                cutoff = x - CutoffLambdas;
            else if (x < cutoff)
                break; // levels come best first, so every later one is farther still
            sum += l.Qty * Math.Exp(x);
        }
        return sum;
    }
}
