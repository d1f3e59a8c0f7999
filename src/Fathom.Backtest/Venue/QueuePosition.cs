namespace Fathom.Backtest.Venue;

/// <summary>
/// How the quantity ahead of a resting order moves when its recorded level changes without a trade explaining it,
/// after hftbacktest's queue models (<c>RiskAdverseQueueModel</c>, <c>ProbQueueModel</c> with <c>PowerProbQueueFunc</c>
/// and <c>LogProbQueueFunc</c>). The probabilistic models move the position by the expected share of the decrease
/// that came from ahead (hftbacktest does the same; nothing is drawn), so the venue stays deterministic.
/// </summary>
internal static class QueuePosition
{
    /// <summary>
    /// The new quantity ahead after the level went from <paramref name="prevQty"/> to <paramref name="newQty"/> (raw).
    /// <paramref name="tradedSinceUpdate"/> is the trade quantity printed at the level since its last update: it is
    /// taken out of the decrease (a trade already advanced the position). <paramref name="unit"/> is one whole unit of
    /// quantity in raw (10^qty decimals): hftbacktest's functions take quantities in units, and log(1 + x) is not
    /// scale-free.
    /// </summary>
    public static long AfterLevelChange(QueueModel model, long ahead, long tradedSinceUpdate, long prevQty, long newQty, double unit)
    {
        if (model.Kind == QueueKind.RiskAverse)
            return Math.Clamp(ahead, 0, Math.Max(newQty, 0));
        long change = prevQty - newQty - tradedSinceUpdate;
        if (change < 0)
            return Math.Clamp(ahead, 0, Math.Max(newQty, 0)); // a net increase joins behind us
        double front = ahead / unit;
        double back = Math.Max(prevQty - ahead, 0) / unit;
        double chg = change / unit;
        double p = BehindProbability(model, front, back);
        // Expected: (1 - p) of the decrease came from ahead; what the back cannot supply came from ahead too.
        double estimate = front - (1 - p) * chg + Math.Min(back - p * chg, 0);
        long raw = (long)Math.Round(estimate * unit, MidpointRounding.AwayFromZero);
        return Math.Clamp(raw, 0, Math.Max(newQty, 0));
    }

    /// <summary>The probability that a decrease came from behind us: f(back) / (f(back) + f(front)).</summary>
    public static double BehindProbability(QueueModel model, double front, double back)
    {
        switch (model.Kind)
        {
            case QueueKind.PowerProbability:
                // 1 / (1 + (front/back)^n): the same ratio without overflowing x^n for large queues.
                if (back <= 0)
                    return front > 0 ? 0 : 1;
                return 1 / (1 + Math.Pow(front / back, model.Exponent));
            case QueueKind.LogProbability:
            {
                double fb = Math.Log(1 + back), ff = Math.Log(1 + front);
                double sum = fb + ff;
                return sum > 0 ? fb / sum : 1;
            }
            default:
                return 1;
        }
    }
}
