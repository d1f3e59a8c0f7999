using Fathom.Book;
using Xunit.Sdk;

namespace Fathom.Signals.Tests;

/// <summary>
/// Compares every output of a <see cref="SignalEngine"/> with <see cref="NaiveSignals"/>. Integers
/// and the doubles both sides compute with the same operations must be identical; the
/// distance-weighted depth and the volatility sum (running sums) must be within 10^−9 relative.
/// </summary>
internal static class SignalAssert
{
    public const double Relative = 1e-9;

    public static void Matches(SignalEngine engine, NaiveSignals naive, string where)
    {
        Equal(naive.Now, engine.NowMs, "NowMs", where);
        NaiveSignals.Expected e = naive.Book;
        BookImbalance im = engine.Imbalance;
        Equal(e.TwoSided, im.IsTwoSided, "IsTwoSided", where);
        Same(e.Top, im.TopImbalance, "TopImbalance", where);
        Same(e.MicroTicks, im.MicropriceTicks, "MicropriceTicks", where);
        Same(e.Micro, im.Microprice, "Microprice", where);
        Same(e.MicroOffset, im.MicropriceOffsetTicks, "MicropriceOffsetTicks", where);
        Same(e.Mid, im.MidTicks, "MidTicks", where);
        Equal(e.BidDepth, im.BidDepth, "BidDepth", where);
        Equal(e.AskDepth, im.AskDepth, "AskDepth", where);
        Same(e.DepthImbalance, im.DepthImbalance, "DepthImbalance", where);
        Close(e.WBid, im.WeightedBidDepth, "WeightedBidDepth", where);
        Close(e.WAsk, im.WeightedAskDepth, "WeightedAskDepth", where);
        Near(e.WImbalance, im.WeightedImbalance, 1e-9, "WeightedImbalance", where);

        foreach (Side side in (ReadOnlySpan<Side>)[Side.Bid, Side.Ask])
        {
            int s = (int)side;
            string n = side.ToString();
            Wall expected = e.Walls[s], actual = engine.Walls.Of(side);
            if (expected.Exists || actual.Exists)
            {
                Equal(expected.Exists, actual.Exists, n + " wall exists", where);
                Equal(expected.Tick, actual.Tick, n + " wall tick", where);
                Equal(expected.Qty, actual.Qty, n + " wall qty", where);
                Same(expected.Ratio, actual.Ratio, n + " wall ratio", where);
                Same(expected.DistanceTicks, actual.DistanceTicks, n + " wall distance", where);
                Same(expected.MedianQty, actual.MedianQty, n + " wall median", where);
                Equal(expected.Count, actual.Count, n + " wall count", where);
                Equal(expected.SinceMs, actual.SinceMs, n + " wall since", where);
            }
            Equal(naive.WallPersistence(side), engine.Walls.PersistenceMs(side), n + " wall persistence", where);

            var (withdrawn, traded) = naive.Withdrawal(side);
            Equal(withdrawn, engine.Withdrawal.Withdrawn(side), n + " withdrawn", where);
            Equal(traded, engine.Withdrawal.Traded(side), n + " traded", where);
            Same(naive.WithdrawalFraction(side), engine.Withdrawal.Fraction(side), n + " withdrawal fraction", where);

            Equal(naive.Absorbed(side), engine.Absorption.Absorbed(side), n + " absorbed", where);
            Same(naive.AbsorptionRatio(side), engine.Absorption.Ratio(side), n + " absorption ratio", where);
            Equal(naive.IsAbsorbing(side), engine.Absorption.IsAbsorbing(side), n + " absorbing", where);

            Same(e.LevelZ[s], engine.Sizes.LevelZ(side), n + " level z", where);
            Equal(e.LargestTick[s], engine.Sizes.LargestLevelTick(side), n + " largest level tick", where);
            Equal(e.LargestQty[s], engine.Sizes.LargestLevelQty(side), n + " largest level qty", where);
        }
        Equal(naive.WithdrawalWarm, engine.Withdrawal.IsWarm, "withdrawal warm", where);
        Equal(naive.AbsorptionWarm, engine.Absorption.IsWarm, "absorption warm", where);

        Same(naive.LastTradeZ, engine.Sizes.LastTradeZ, "LastTradeZ", where);
        Equal(naive.LastTradeQty, engine.Sizes.LastTradeQty, "LastTradeQty", where);
        Equal(naive.LastTradeSide, engine.Sizes.LastTradeSide, "LastTradeSide", where);

        var (sum, count) = naive.Volatility();
        Equal(count, engine.Volatility.Samples, "volatility samples", where);
        Close(sum, engine.Volatility.SumSquares, "volatility sum of squares", where);
        Equal(naive.VolatilityWarm, engine.Volatility.IsWarm, "volatility warm", where);
    }

    public static void Equal<T>(T expected, T actual, string what, string where)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            throw new XunitException($"{what} at {where}: expected {expected}, got {actual}");
    }

    /// <summary>Bit-for-bit (NaN equals NaN).</summary>
    public static void Same(double expected, double actual, string what, string where)
    {
        if (!expected.Equals(actual))
            throw new XunitException($"{what} at {where}: expected {expected:R}, got {actual:R}");
    }

    /// <summary>Within <see cref="Relative"/> of the expected magnitude (NaN equals NaN; 0 must be exact).</summary>
    public static void Close(double expected, double actual, string what, string where)
    {
        if (expected.Equals(actual))
            return;
        if (double.IsNaN(expected) || double.IsNaN(actual) || Math.Abs(expected - actual) > Relative * Math.Abs(expected))
            throw new XunitException($"{what} at {where}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(expected - actual) / Math.Abs(expected):E2})");
    }

    public static void Near(double expected, double actual, double tolerance, string what, string where)
    {
        if (expected.Equals(actual))
            return;
        if (double.IsNaN(expected) || double.IsNaN(actual) || Math.Abs(expected - actual) > tolerance)
            throw new XunitException($"{what} at {where}: expected {expected:R}, got {actual:R}");
    }
}
