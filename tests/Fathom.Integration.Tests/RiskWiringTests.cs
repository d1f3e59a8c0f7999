using Fathom.Hosting;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using HdrHistogram;
using Xunit;
using static Fathom.Integration.Tests.RiskRig;

namespace Fathom.Integration.Tests;

/// <summary>
/// Every risk rule acts through the one composition (issue 14): for each <see cref="RiskLimits"/> field
/// the rule's input is driven into a core built by <see cref="CoreComposition.Build"/> the way it arrives
/// live (Binance depth frames, venue reports and health through <see cref="IReportSink"/>, timer ticks,
/// operator and fault inputs), on virtual time, and the test asserts what the venue saw: the risk
/// transition and its reason, the cancels sent, the new orders that did not go out, and quoting again
/// after a release (not before the cool-down). docs/execution.md maps each field to its test here.
/// </summary>
/// <remarks>
/// The quotes come from the demo's market maker, which hides some refusals: it quotes only the side a
/// reduce-only state allows and its intents are turned into cancels while risk wants everything pulled,
/// so "refused" is asserted as "no place or cancel-replace sent" where no pre-trade check runs, and as
/// <see cref="RiskCounters.RefusedBy"/> where one does.
/// </remarks>
public class RiskWiringTests
{
    private const long Ms = 1_000_000;
    private const long Sec = 1_000_000_000;

    private static long Refused(RiskRig rig, RiskDecision decision) => rig.Risk.Counters.RefusedBy(decision);

    private static void AssertNoNewOrdersSince(RiskRig rig, int mark, string why)
    {
        var sent = rig.NewOrdersSince(mark);
        Assert.True(sent.Count == 0, $"{why}: {sent.Count} new orders went out ({string.Join(", ", sent.Select(c => $"{c.Kind} {c.Side}"))}); {rig.Describe()}");
    }

    /// <summary>A cancel was sent for each of <paramref name="orders"/> since index <paramref name="mark"/> of the sent commands.</summary>
    private static void AssertCancelsSentFor(RiskRig rig, IEnumerable<ClientOrderId> orders, int mark)
    {
        var cancelled = rig.SentSince(mark, CommandKind.Cancel).Select(c => c.OrigClientOrderId).ToHashSet();
        foreach (var id in orders)
            Assert.True(cancelled.Contains(id), $"a cancel for {id}: {rig.Describe()}");
    }

    private static void AssertQuotingBothSides(RiskRig rig, int mark, string when)
    {
        Assert.True(rig.NewOrdersSince(mark).Count > 0, $"new orders {when}: {rig.Describe()}");
        Assert.True(rig.Venue.RestingCount(OrderSide.Buy) == 1 && rig.Venue.RestingCount(OrderSide.Sell) == 1, $"both sides quoted {when}: {rig.Describe()}");
    }

    private static ClientOrderId RestingId(RiskRig rig, OrderSide side) => rig.Venue.Resting.Single(kv => kv.Value.Side == side).Key;

    /// <summary>The largest number of <paramref name="times"/> in any window of <paramref name="buckets"/> aligned buckets (how risk's rolling counters count).</summary>
    private static int MaxInWindow(IReadOnlyList<long> times, long bucketNs, int buckets)
    {
        int max = 0;
        foreach (long t in times)
        {
            long b = t / bucketNs;
            max = Math.Max(max, times.Count(u => u / bucketNs <= b && u / bucketNs > b - buckets));
        }
        return max;
    }

    /// <summary>The rig's clock, counting the timers armed on it: the host's timer loop arms one delay per tick.</summary>
    private sealed class ArmCountingTime(TimeProvider inner) : TimeProvider
    {
        public int Armed;
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();
        public override long GetTimestamp() => inner.GetTimestamp();
        public override long TimestampFrequency => inner.TimestampFrequency;
        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ITimer timer = inner.CreateTimer(callback, state, dueTime, period);
            Interlocked.Increment(ref Armed);
            return timer;
        }
    }

    // ------------------------------------------------------------------ pre-trade limits

    [Theory]
    [InlineData(QuoteQty, true)]
    [InlineData(QuoteQty - 1_000, false)] // one step (0.00001) below the quote size
    public void MaxOrderQty_QuoteLargerThanTheLimit_IsRefusedAndNeverSent(long maxOrderQty, bool quotes)
    {
        var rig = Synced(Limits(l => l with { Instruments = [l.Instruments[0] with { MaxOrderQty = new Qty(maxOrderQty) }] }));
        rig.Wiggle(40);
        if (quotes)
        {
            AssertQuotingBothSides(rig, 0, "at the limit");
            Assert.Equal(0, Refused(rig, RiskDecision.MaxOrderQty));
        }
        else
        {
            AssertNoNewOrdersSince(rig, 0, "quotes above the order qty limit");
            Assert.True(Refused(rig, RiskDecision.MaxOrderQty) >= 2, rig.Describe());
        }
    }

    /// <summary>
    /// The quotes sit three ticks either side of 10,000.00: the bid 0.001 × 9,999.97 = 9.99997 USDT, the ask
    /// 10.00003. A 10 USDT limit passes the bid and refuses the ask, whatever the money scale the limit is
    /// written at (<see cref="RiskLimits.MoneyDecimals"/>): a scale ignored would refuse both or neither.
    /// </summary>
    [Theory]
    [InlineData(8, 1_000_000_000)] // 10.00000000
    [InlineData(5, 1_000_000)]     // 10.00000
    public void MaxOrderNotional_AtTheMoneyScale_PassesTheBid_RefusesTheAsk(int moneyDecimals, long tenUsdt)
    {
        var rig = Synced(Limits(l => l with
        {
            MoneyDecimals = moneyDecimals,
            Instruments = [l.Instruments[0] with { MaxOrderNotional = tenUsdt }],
            MaxTotalNotional = FixedPoint.Pow10(moneyDecimals) * 100_000,
            MarkoutLossLimit = FixedPoint.Pow10(moneyDecimals) * 500,
            MaxDailyLoss = FixedPoint.Pow10(moneyDecimals) * 5_000,
        }));
        rig.Wiggle(40);
        var sent = rig.NewOrdersSince(0);
        Assert.Contains(sent, c => c.Side == OrderSide.Buy);
        Assert.DoesNotContain(sent, c => c.Side == OrderSide.Sell);
        Assert.Equal(1, rig.Venue.RestingCount(OrderSide.Buy));
        Assert.True(Refused(rig, RiskDecision.MaxOrderNotional) > 0, rig.Describe());
    }

    /// <summary>Quotes 150 ticks (1.5 bp of 10,000) from mid: outside a 1 bp band, inside a 2 bp one.</summary>
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void PriceBand_QuotesFartherFromMidThanTheBand_AreRefused(int bandBps, bool quotes)
    {
        var rig = Synced(s => s with
        {
            Limits = s.Limits with { PriceBandBps = bandBps },
            Strategies = [s.Strategies[0].With("halfSpreadTicks", "150")],
        });
        rig.Wiggle(40);
        if (quotes)
        {
            AssertQuotingBothSides(rig, 0, "inside the band");
            Assert.Equal(0, Refused(rig, RiskDecision.PriceBand));
        }
        else
        {
            AssertNoNewOrdersSince(rig, 0, "quotes outside the price band");
            Assert.True(Refused(rig, RiskDecision.PriceBand) >= 2, rig.Describe());
        }
    }

    public enum Exposure { Position, TotalNotional }

    /// <summary>
    /// Max position and max total notional, set to the same exposure (0.002 BTC, 20 USDT at 10,000): a
    /// fill of this run's orders can only go as far as the pre-trade check let it, but a fill of an order an
    /// earlier run left resting can go past it, and then risk goes Reducing: the bid (which would add) is
    /// cancelled, only the ask quotes, and once fills bring the position back inside, the state returns to
    /// Active after the cool-down; the bid that would now go past the limit is refused before it is sent.
    /// </summary>
    [Theory]
    [InlineData(Exposure.Position)]
    [InlineData(Exposure.TotalNotional)]
    public void Exposure_FillPastTheLimit_Reduces_BackInsideReleases_AndTheBidPastItIsRefused(Exposure rule)
    {
        var (decision, reason) = rule == Exposure.Position
            ? (RiskDecision.MaxPosition, RiskReason.PositionLimit)
            : (RiskDecision.MaxTotalNotional, RiskReason.NotionalLimit);
        var rig = Quoting(Limits(l => rule == Exposure.Position
            ? l with { Instruments = [l.Instruments[0] with { MaxPosition = new Qty(200_000) }], ReleaseCooldownNs = Sec }
            : l with { MaxTotalNotional = 20 * Usdt, ReleaseCooldownNs = Sec }));

        rig.Venue.Fill(OrderSide.Buy); // long 0.001; the strategy bids 0.00095 more (0.00195 ≤ 0.002)
        rig.Frames(20);
        Assert.Equal(1, rig.Venue.RestingCount(OrderSide.Buy));
        Assert.Equal(0, Refused(rig, decision));
        ClientOrderId bid = RestingId(rig, OrderSide.Buy);

        int mark = rig.Venue.Sent.Count;
        rig.Venue.FillFromEarlierEpoch(OrderSide.Buy, rig.Mid, 110_000); // long 0.0021: past the limit
        Assert.Equal(RiskState.Reducing, rig.Risk.State);
        var reduce = rig.LastAccountTransition();
        Assert.Equal((RiskState.Active, RiskState.Reducing, RiskTrigger.Reduce), (reduce.From, reduce.To, reduce.Trigger));
        Assert.True(reduce.Reasons.HasFlag(reason), reduce.ToString());
        AssertCancelsSentFor(rig, [bid], mark);
        rig.Wiggle(50);
        Assert.DoesNotContain(rig.NewOrdersSince(mark), c => c.Side == OrderSide.Buy);
        Assert.Equal(0, rig.Venue.RestingCount(OrderSide.Buy));
        Assert.Equal(1, rig.Venue.RestingCount(OrderSide.Sell)); // toward flat: still quoted

        rig.Venue.Fill(OrderSide.Sell); // long 0.0011: inside again
        long insideNs = rig.NowNs;
        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Wiggle(10), 30, "released after the cool-down");
        var release = rig.LastAccountTransition();
        Assert.Equal((RiskState.Reducing, RiskState.Active, RiskTrigger.Release), (release.From, release.To, release.Trigger));
        Assert.True(release.TimeNs - insideNs >= Sec - 100 * Ms, $"released {(release.TimeNs - insideNs) / 1e6} ms after the position came back inside");

        // Active again: a bid of 0.00094 on 0.0011 would make 0.00204, past the limit, so it never leaves.
        long refusedBefore = Refused(rig, decision);
        mark = rig.Venue.Sent.Count;
        rig.Wiggle(50);
        Assert.True(Refused(rig, decision) > refusedBefore, rig.Describe());
        Assert.DoesNotContain(rig.NewOrdersSince(mark), c => c.Side == OrderSide.Buy);
        Assert.Equal(1, rig.Venue.RestingCount(OrderSide.Sell));
    }

    // ------------------------------------------------------------------ rates

    [Fact]
    public void MaxNewOrdersPerSecond_RequotesEveryFrame_NoSecondSeesMoreThanTheLimit()
    {
        var rig = Quoting(s => s with
        {
            Limits = s.Limits with { MaxNewOrdersPerSecond = 4, OrderBudget = 1_000 },
            Strategies = [s.Strategies[0].With("minRequoteIntervalMs", "0")],
        });
        rig.Wiggle(300); // the market maker wants both sides replaced on every frame: 200 new orders a second
        var times = rig.Venue.Sent.Where(s => s.Command.Kind is CommandKind.Place or CommandKind.CancelReplace).Select(s => s.Command.IssuedNs).ToList();
        Assert.True(Refused(rig, RiskDecision.OrderRate) > 0, rig.Describe());
        // Risk counts a second as ten 100 ms buckets.
        Assert.Equal(4, MaxInWindow(times, 100 * Ms, 10));
        Assert.True(times.Count >= 3 * 4, $"orders kept going out at the limit: {times.Count}");
    }

    /// <summary>
    /// A venue budget of 10 commands per 2 s with 4 kept for cancels: new orders stop at 6 commands in the
    /// window, cancels still go out past it, and new orders flow again as the window slides.
    /// </summary>
    [Fact]
    public void OrderBudget_NewOrdersStopAtBudgetMinusHeadroom_CancelsStillGo_WindowSlides()
    {
        var rig = Quoting(s => s with
        {
            Limits = s.Limits with { MaxNewOrdersPerSecond = 1_000, OrderBudget = 10, CancelHeadroom = 4, OrderBudgetWindowNs = 2 * Sec },
            Strategies = [s.Strategies[0].With("minRequoteIntervalMs", "0")],
        });
        rig.Wiggle(500);
        var commands = rig.Venue.Sent.Where(s => s.Command.Kind != CommandKind.Query).Select(s => s.Command).ToList();
        var newOrders = commands.Where(c => c.Kind is CommandKind.Place or CommandKind.CancelReplace).Select(c => c.IssuedNs).ToList();
        Assert.True(Refused(rig, RiskDecision.RateBudget) > 0, rig.Describe());

        // Risk's rule, checked on what the venue saw: no new order left while the window (20 buckets of
        // 100 ms) already held budget − headroom commands of any kind; a cancel did (the headroom is the cancels').
        int CommandsInWindowBefore(int index)
        {
            long b = commands[index].IssuedNs / (100 * Ms);
            return commands.Take(index).Count(c => c.IssuedNs / (100 * Ms) > b - 20);
        }
        var indices = Enumerable.Range(0, commands.Count).ToList();
        Assert.All(indices.Where(i => commands[i].Kind is CommandKind.Place or CommandKind.CancelReplace), i => Assert.True(CommandsInWindowBefore(i) < 6));
        Assert.Contains(indices, i => commands[i].Kind == CommandKind.Cancel && CommandsInWindowBefore(i) >= 6);
        Assert.InRange(MaxInWindow(newOrders, 100 * Ms, 20), 1, 6);
        // And the window slides: new orders in each of the last two windows.
        long end = rig.NowNs;
        Assert.Contains(newOrders, t => t > end - 2 * Sec);
        Assert.Contains(newOrders, t => t > end - 4 * Sec && t <= end - 2 * Sec);
    }

    /// <summary>
    /// Risk tracks one command in flight: with the venue holding its answers, the bid goes out and the ask
    /// is refused (TooManyInFlight) until the bid is answered. Cancels are never refused: with tracking
    /// full a cancel goes out untracked.
    /// </summary>
    [Fact]
    public void MaxTrackedInFlight_Full_RefusesNewOrders_NeverCancels()
    {
        var rig = Synced(Limits(l => l with { MaxTrackedInFlight = 1 }), holdAnswers: true);
        rig.Frames(20);
        Assert.Single(rig.NewOrdersSince(0));
        Assert.Equal(1, rig.Risk.InFlightCount);
        Assert.True(Refused(rig, RiskDecision.TooManyInFlight) > 0, rig.Describe());

        rig.Venue.Release();
        rig.Frames(5);
        AssertQuotingBothSides(rig, 0, "once the first was answered");

        rig.Venue.Holding = true;
        int mark = rig.Venue.Sent.Count;
        rig.Engine.Halt();
        Assert.Equal(2, rig.SentSince(mark, CommandKind.Cancel).Count);
        Assert.Equal(1, rig.Risk.Counters.InFlightUntracked);
    }

    // ------------------------------------------------------------------ per-instrument gates

    /// <summary>
    /// Markout: a 0.001 BTC fill marked more than 3 ticks against it (0.00003 USDT) within the 2 s horizon
    /// makes the instrument reduce-only for 3 s; the same move against a fill older than the horizon does not.
    /// </summary>
    [Fact]
    public void Markout_AdverseMoveWithinTheHorizon_ReduceOnlyForTheCoolDown_ThenBidsAgain()
    {
        var rig = Quoting(Limits(l => l with
        {
            MarkoutLossLimit = 3_000, MarkoutHorizonNs = 2 * Sec, MarkoutCooldownNs = 3 * Sec, VwapStopBps = 10_000,
        }));
        rig.Venue.Fill(OrderSide.Buy);
        rig.Frames(250); // the fill is now older than the horizon
        rig.Frame(rig.Mid - 10);
        rig.Frames(20);
        Assert.Equal(0, rig.Risk.Counters.MarkoutBreaches);
        Assert.True(rig.Risk.AllowsIncrease(0, rig.NowNs));

        rig.Venue.Fill(OrderSide.Buy);
        rig.Frames(5);
        ClientOrderId bid = RestingId(rig, OrderSide.Buy);
        int mark = rig.Venue.Sent.Count;
        rig.Frame(rig.Mid - 10); // 6-7 ticks below the fresh fill
        Assert.Equal(1, rig.Risk.Counters.MarkoutBreaches);
        var gate = rig.Transitions.Last(t => t.InstrumentId == 0);
        Assert.Equal((RiskState.Reducing, RiskReason.MarkoutLoss), (gate.To, gate.Reasons));
        Assert.Equal(RiskState.Active, rig.Risk.State); // an instrument gate, not the account state
        long trippedNs = gate.TimeNs;
        // The market maker's requote waits out its 250 ms interval; the timer re-applies the reduce-only target.
        rig.Frames(10);
        AssertCancelsSentFor(rig, [bid], mark);

        while (rig.NowNs < trippedNs + 3 * Sec - 100 * Ms)
            rig.Wiggle(10);
        Assert.False(rig.Risk.AllowsIncrease(0, rig.NowNs), "reduce-only for the whole cool-down");
        Assert.DoesNotContain(rig.NewOrdersSince(mark), c => c.Side == OrderSide.Buy);
        Assert.Contains(rig.NewOrdersSince(mark), c => c.Side == OrderSide.Sell); // toward flat: still quoted

        // The breach is renewed while the fill is inside the horizon; 3 s after that the gate lifts.
        int released = rig.Venue.Sent.Count;
        rig.Until(() => rig.Risk.AllowsIncrease(0, rig.NowNs), () => rig.Wiggle(10), 40, "the markout gate lifts");
        rig.Wiggle(20);
        Assert.Contains(rig.NewOrdersSince(released), c => c.Side == OrderSide.Buy);
        Assert.Equal(1, rig.Venue.RestingCount(OrderSide.Buy));
    }

    /// <summary>1 bp of 10,000 is 100 ticks: a long 0.001 marked 110 ticks below its entry stops the instrument until flat.</summary>
    [Fact]
    public void VwapStop_MidPastTheStop_ReduceOnlyUntilFlat_ThenBidsAgain()
    {
        var rig = Quoting(Limits(l => l with { VwapStopBps = 1, MarkoutLossLimit = 1_000 * Usdt }));
        long entry = rig.Venue.Fill(OrderSide.Buy).Price.Raw / Btc.TickSize.Raw;
        rig.Frames(5);
        rig.Frame(entry - 50);
        rig.Frames(20);
        Assert.Equal(0, rig.Risk.Counters.VwapStops);
        Assert.Equal(1, rig.Venue.RestingCount(OrderSide.Buy));

        ClientOrderId bid = RestingId(rig, OrderSide.Buy);
        int mark = rig.Venue.Sent.Count;
        rig.Frame(entry - 110);
        Assert.Equal(1, rig.Risk.Counters.VwapStops);
        var stop = rig.Transitions.Last(t => t.InstrumentId == 0);
        Assert.Equal((RiskState.Reducing, RiskReason.VwapStop), (stop.To, stop.Reasons));
        rig.Frames(10); // the next timer tick re-applies the target reduce-only
        AssertCancelsSentFor(rig, [bid], mark);

        rig.Wiggle(500); // no cool-down: five seconds later still stopped
        Assert.False(rig.Risk.AllowsIncrease(0, rig.NowNs));
        Assert.DoesNotContain(rig.NewOrdersSince(mark), c => c.Side == OrderSide.Buy);

        // A requote of the ask while reduce-only goes out as a cancel, then a place: wait for one resting.
        rig.Until(() => rig.Venue.RestingCount(OrderSide.Sell) == 1, () => rig.Frames(10), 10, "the ask resting");
        rig.Venue.Fill(OrderSide.Sell); // flat
        var release = rig.Transitions.Last(t => t.InstrumentId == 0);
        Assert.Equal((RiskState.Active, RiskTrigger.Release, RiskReason.VwapStop), (release.To, release.Trigger, release.Reasons));
        int flat = rig.Venue.Sent.Count;
        rig.Wiggle(20);
        AssertQuotingBothSides(rig, flat, "once flat");
    }

    /// <summary>
    /// Volatility is the analyzer's: a one-tick mid move is a log return of 1e-6, so n moves in its 10 s
    /// window read sqrt(n · 1e-12 / 10) per √s: a move every frame 1.0e-5, every 2nd frame 7.1e-6, every
    /// 4th 5.0e-6, every 50th 1.4e-6. With widen at 3e-6, pause at 8e-6 and release ratio 0.8 (release
    /// below 6.4e-6 and 2.4e-6): calm quotes full size, every 4th widens them 5 ticks a side and cuts
    /// them to 60 %, every frame pauses (all cancelled), every 2nd stays paused (hysteresis), every 4th
    /// quotes again, smaller and wider, calm at full size. The market maker's own volatility levels (5e-4,
    /// 5e-3) are far above all of it. (60 %, not the default 50 %: half of 0.001 BTC at 9,999.97 is under
    /// the symbol's 5 USDT minimum notional, and a quote the filters refuse is cancelled, not shrunk.)
    /// </summary>
    [Fact]
    public void Volatility_WidensAndShrinksQuotes_ThenPauses_ReleasesWithHysteresis()
    {
        var rig = Quoting(Limits(l => l with
        {
            VolatilityWidenAbove = 3e-6, VolatilityPauseAbove = 8e-6, VolatilityReleaseRatio = 0.8,
            VolatilityWidenTicks = 5, VolatilityQtyPercent = 60,
        }));
        long home = rig.Mid;
        bool up = false;
        int pauseMark = -1;
        void Phase(int moveEvery, Action<int>? eachTick = null)
        {
            for (int i = 1; i <= 1_100; i++)
            {
                if (i % moveEvery == 0)
                    up = !up;
                rig.Frame(up ? home + 1 : home);
                if (pauseMark < 0 && rig.Risk.VolatilityLevelOf(0) == 2)
                    pauseMark = rig.Venue.Sent.Count;
                if (i % 10 == 0)
                {
                    rig.Engine.OnTimer();
                    eachTick?.Invoke(i);
                }
            }
        }
        void AssertQuotes(long qty, long minSpreadTicks, long maxSpreadTicks)
        {
            Assert.True(rig.Venue.RestingCount(OrderSide.Buy) == 1 && rig.Venue.RestingCount(OrderSide.Sell) == 1,
                $"one quote a side at volatility level {rig.Risk.VolatilityLevelOf(0)}: {rig.Describe()}");
            var bid = rig.Venue.Resting.Values.Single(o => o.Side == OrderSide.Buy);
            var ask = rig.Venue.Resting.Values.Single(o => o.Side == OrderSide.Sell);
            Assert.Equal((qty, qty), (bid.Qty.Raw, ask.Qty.Raw));
            long spread = (ask.Price.Raw - bid.Price.Raw) / Btc.TickSize.Raw;
            Assert.InRange(spread, minSpreadTicks, maxSpreadTicks);
        }

        Phase(50);
        Assert.Equal(0, rig.Risk.VolatilityLevelOf(0));
        AssertQuotes(QuoteQty, 6, 9); // three ticks either side of fair, within the reprice tolerance

        Phase(4);
        Assert.Equal(1, rig.Risk.VolatilityLevelOf(0));
        Assert.Equal(new QuoteAdjustment(5, 60, false), rig.Risk.QuoteAdjustment(0));
        AssertQuotes(QuoteQty * 6 / 10, 14, 18); // five more ticks each side

        Phase(1);
        Assert.Equal(2, rig.Risk.VolatilityLevelOf(0));
        Assert.True(pauseMark >= 0);
        Assert.Equal(0, rig.Venue.RestingCount());
        Phase(2, _ => Assert.Equal(2, rig.Risk.VolatilityLevelOf(0))); // 7.1e-6: below the pause level, above its release
        Assert.Equal(0, rig.Venue.RestingCount());
        AssertNoNewOrdersSince(rig, pauseMark, "paused by volatility");

        Phase(4);
        Assert.Equal(1, rig.Risk.VolatilityLevelOf(0));
        Assert.NotEmpty(rig.NewOrdersSince(pauseMark));
        AssertQuotes(QuoteQty * 6 / 10, 14, 18);

        Phase(50);
        Assert.Equal(0, rig.Risk.VolatilityLevelOf(0));
        AssertQuotes(QuoteQty, 6, 9);
        Assert.Equal(RiskState.Active, rig.Risk.State);
    }

    // ------------------------------------------------------------------ account state: halts

    /// <summary>
    /// Daily drawdown with the trading day starting at 00:30 UTC: a loss past the limit halts (cancels
    /// everything); the market recovering does not release it (sticky); UTC midnight does not either; the
    /// host's timer loop (<see cref="EngineHost.RunTimersAsync"/>) crossing 00:30 starts a new day, and
    /// the halt steps down (Halted → Reducing → Active, a cool-down each) and quoting resumes.
    /// </summary>
    [Fact]
    public async Task DailyDrawdown_Halts_Sticky_PastMidnight_TheConfiguredDayStartReleases()
    {
        long dayStart = 30L * 60 * Sec;
        var rig = Quoting(Limits(l => l with { MaxDailyLoss = 10_000, TradingDayStartOffsetNs = dayStart, ReleaseCooldownNs = Sec }),
            new DateTimeOffset(2024, 8, 8, 23, 50, 0, TimeSpan.Zero));
        rig.Venue.Fill(OrderSide.Buy); // 0.001 at three ticks under mid
        rig.Frames(5);
        var resting = rig.Venue.Resting.Keys.ToList();
        int mark = rig.Venue.Sent.Count;

        rig.Frame(rig.Mid - 20); // 17 ticks under the entry: 0.00017 USDT, past 0.0001
        rig.Tick();
        var halt = rig.LastAccountTransition();
        Assert.Equal((RiskState.Halted, RiskTrigger.Halt), (halt.To, halt.Trigger));
        Assert.True(halt.Reasons.HasFlag(RiskReason.DailyDrawdown), halt.ToString());
        AssertCancelsSentFor(rig, resting, mark);
        Assert.Equal(0, rig.Venue.RestingCount());

        rig.Frame(rig.Mid + 40); // the loss is gone
        rig.Wiggle(300);
        Assert.Equal(RiskState.Halted, rig.Risk.State);
        Assert.True(rig.Risk.Reasons.HasFlag(RiskReason.DailyDrawdown));

        var time = new ArmCountingTime(rig.Time);
        using var stop = new CancellationTokenSource();
        Task timers = EngineHost.RunTimersAsync(rig.Engine, TimeSpan.FromSeconds(1), time, stop.Token, dayStart);
        async Task RunTimersTo(DateTimeOffset until)
        {
            while (rig.Time.GetUtcNow() < until)
            {
                // One tick: the loop's delay falls due, the tick runs (on whichever thread the continuation
                // gets), and the loop arms its next delay; wait (bounded) for that before moving time again.
                int armed = Volatile.Read(ref time.Armed);
                rig.Time.Advance(TimeSpan.FromSeconds(1));
                for (int i = 0; i < 1_000 && Volatile.Read(ref time.Armed) == armed; i++)
                    await Task.Delay(1);
                Assert.True(Volatile.Read(ref time.Armed) > armed, "the timer loop ticked");
            }
        }

        await RunTimersTo(new DateTimeOffset(2024, 8, 9, 0, 10, 0, TimeSpan.Zero));
        Assert.Equal(RiskState.Halted, rig.Risk.State); // midnight UTC is not the configured day start
        await RunTimersTo(new DateTimeOffset(2024, 8, 9, 0, 30, 5, TimeSpan.Zero));
        await stop.CancelAsync();
        await timers;
        Assert.Equal(RiskState.Active, rig.Risk.State);
        var steps = rig.Transitions.Where(t => t.InstrumentId < 0 && t.TimeNs > halt.TimeNs).ToList();
        Assert.Equal(new[] { (RiskState.Reducing, RiskTrigger.Release), (RiskState.Active, RiskTrigger.Release) }, steps.Select(t => (t.To, t.Trigger)));
        Assert.True(steps[1].TimeNs - steps[0].TimeNs >= Sec);
        // Nothing new while halted; from the release on, the standing quote target is quoted again by the timer.
        var early = rig.NewOrdersSince(mark).Where(c => c.IssuedNs < steps[0].TimeNs).ToList();
        Assert.True(early.Count == 0, $"nothing new while halted: {early.Count} new orders before the release; {rig.Describe()}");

        int released = rig.Venue.Sent.Count;
        rig.Wiggle(30);
        AssertQuotingBothSides(rig, released, "on the new day");
    }

    /// <summary>The venue stops answering: the oldest command in flight passing 1 s halts (from timer ticks alone), and everything that can be cancelled is.</summary>
    [Fact]
    public void MaxInFlightAge_VenueStopsAnswering_HaltsFromTimers_CancelsWhatItCan_ThenStepsDown()
    {
        var rig = Quoting(Limits(l => l with { MaxInFlightAgeNs = Sec, ReleaseCooldownNs = Sec }));
        ClientOrderId ask = RestingId(rig, OrderSide.Sell);
        rig.Venue.Holding = true;
        rig.Venue.Fill(OrderSide.Buy); // the market maker bids again; the venue never answers
        long sentNs = rig.NowNs;
        int mark = rig.Venue.Sent.Count;
        Assert.Equal(1, rig.Risk.InFlightCount);

        rig.Until(() => rig.Risk.State == RiskState.Halted, () => rig.Tick(), 20, "halted by the in-flight age");
        var halt = rig.LastAccountTransition();
        Assert.True(halt.Reasons.HasFlag(RiskReason.InFlightAge), halt.ToString());
        Assert.InRange(halt.TimeNs - sentNs, Sec + 1, Sec + 100 * Ms);
        AssertCancelsSentFor(rig, [ask], mark);
        rig.Wiggle(100);
        AssertNoNewOrdersSince(rig, mark, "halted");

        rig.Venue.Release(); // answers again: the bid's ack (then its cancel), the ask's cancel
        long answeredNs = rig.NowNs;
        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Wiggle(10), 40, "stepped down to Active");
        var steps = rig.Transitions.Where(t => t.InstrumentId < 0 && t.TimeNs > halt.TimeNs).ToList();
        Assert.Equal(new[] { RiskState.Reducing, RiskState.Active }, steps.Select(t => t.To));
        Assert.True(steps[0].TimeNs - answeredNs >= Sec - 100 * Ms && steps[1].TimeNs - steps[0].TimeNs >= Sec, rig.Describe());
        // Long 0.001 while Reducing: only the ask (toward flat) was quoted.
        Assert.DoesNotContain(rig.NewOrdersSince(mark), c => c.Side == OrderSide.Buy && c.IssuedNs < steps[1].TimeNs);
        int released = rig.Venue.Sent.Count;
        rig.Wiggle(30);
        Assert.Contains(rig.NewOrdersSince(released), c => c.Side == OrderSide.Buy);
    }

    /// <summary>
    /// Stale book, pre-trade. The market maker pulls its own quotes the moment the book goes stale, so the
    /// grace-period cancel (<c>FeedFaultTests</c>) is never the one that acts with it; an order that does
    /// not come from it, the operator's flatten, is refused by risk (StaleBook) until the book is live again.
    /// </summary>
    [Fact]
    public void StaleBook_FlattenWhileStale_IsRefusedUntilTheBookIsLiveAgain()
    {
        var rig = Quoting();
        rig.Venue.Fill(OrderSide.Buy);
        rig.Frames(5);
        rig.Disconnect();
        rig.Ticks(300);
        Assert.Equal(0, rig.Venue.RestingCount());
        int mark = rig.Venue.Sent.Count;
        rig.Engine.Flatten();
        rig.Ticks(2_000);
        Assert.True(rig.Engine.Flattening);
        AssertNoNewOrdersSince(rig, mark, "flattening on a stale book");
        Assert.True(Refused(rig, RiskDecision.StaleBook) > 0, rig.Describe());

        rig.Sync();
        var take = Assert.Single(rig.NewOrdersSince(mark));
        Assert.Equal((CommandKind.Place, OrderSide.Sell, OrderType.LimitIoc, QuoteQty), (take.Kind, take.Side, take.Type, take.Qty.Raw));
    }

    /// <summary>5xx and timeouts on new orders (their fate unknown, resolved by query) halt at 3 in a 3 s window and 20 % of the venue's answers; a 100 % rate is never reached while queries are answered.</summary>
    [Theory]
    [InlineData(UnknownCause.ServerError, 20, true)]
    [InlineData(UnknownCause.Timeout, 20, true)]
    [InlineData(UnknownCause.ServerError, 100, false)]
    public void VenueErrors_UnknownOutcomesHalt_ThenStepDownOnceTheWindowPasses(UnknownCause cause, int ratePercent, bool halts)
    {
        var rig = Quoting(Limits(l => l with
        {
            VenueErrorWindowNs = 3 * Sec, VenueErrorMinCount = 3, VenueErrorRatePercent = ratePercent, ReleaseCooldownNs = Sec,
        }));
        rig.Venue.NewOrderOutcome = cause;
        int mark = rig.Venue.Sent.Count;
        for (int i = 0; i < 40 && rig.Risk.State == RiskState.Active; i++)
        {
            rig.Wiggle(10);
            if (rig.Venue.UnknownReports < 3)
                Assert.Equal(RiskState.Active, rig.Risk.State); // fewer than the minimum count never halts
        }
        Assert.True(rig.Venue.UnknownReports >= 3, rig.Describe());
        if (!halts)
        {
            Assert.Equal(RiskState.Active, rig.Risk.State);
            Assert.DoesNotContain(rig.Transitions, t => t.Reasons.HasFlag(RiskReason.VenueErrors));
            return;
        }
        var halt = rig.LastAccountTransition();
        Assert.Equal(RiskState.Halted, halt.To);
        Assert.True(halt.Reasons.HasFlag(RiskReason.VenueErrors), halt.ToString());
        int haltMark = rig.Venue.Sent.Count;
        rig.Venue.NewOrderOutcome = null;

        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Wiggle(10), 80, "stepped down once the errors left the window");
        var steps = rig.Transitions.Where(t => t.InstrumentId < 0 && t.TimeNs > halt.TimeNs).ToList();
        Assert.Equal(new[] { RiskState.Reducing, RiskState.Active }, steps.Select(t => t.To));
        Assert.DoesNotContain(rig.NewOrdersSince(haltMark), c => c.IssuedNs < steps[1].TimeNs);
        Assert.True(steps[0].TimeNs - halt.TimeNs >= 3 * Sec, "not before the errors left the window");
        Assert.True(rig.SentSince(mark, CommandKind.Query).Count > 0, "unknown orders were queried");
        int released = rig.Venue.Sent.Count;
        rig.Wiggle(30);
        AssertQuotingBothSides(rig, released, "after the errors");
    }

    [Fact]
    public void OrderEntryDown_Halts_CancelsAttempted_UpReleasesAfterTheCoolDown()
    {
        var rig = Quoting(Limits(l => l with { ReleaseCooldownNs = Sec }));
        var resting = rig.Venue.Resting.Keys.ToList();
        int mark = rig.Venue.Sent.Count;
        rig.Venue.Holding = true; // the connection is gone: nothing sent is answered
        rig.Engine.OnVenueHealth(VenueHealthReport.OrderEntry(false, rig.WallNs));
        var halt = rig.LastAccountTransition();
        Assert.Equal((RiskState.Halted, RiskReason.OrderEntryDown), (halt.To, halt.Reasons));
        Assert.True(rig.Risk.OrderEntryDown);
        AssertCancelsSentFor(rig, resting, mark); // in the same input, not at the next tick

        rig.Wiggle(150);
        Assert.Equal(RiskState.Halted, rig.Risk.State);
        AssertNoNewOrdersSince(rig, mark, "order entry down");

        rig.Engine.OnVenueHealth(VenueHealthReport.OrderEntry(true, rig.WallNs));
        rig.Venue.Release();
        long upNs = rig.NowNs;
        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Wiggle(10), 40, "released after up");
        var steps = rig.Transitions.Where(t => t.InstrumentId < 0 && t.TimeNs > halt.TimeNs).ToList();
        Assert.Equal(new[] { RiskState.Reducing, RiskState.Active }, steps.Select(t => t.To));
        Assert.True(steps[0].TimeNs - upNs >= Sec - 100 * Ms, $"Halted → Reducing {(steps[0].TimeNs - upNs) / 1e6} ms after up");
        Assert.True(steps[1].TimeNs - steps[0].TimeNs >= Sec);
        int released = rig.Venue.Sent.Count;
        rig.Wiggle(30);
        AssertQuotingBothSides(rig, released, "after order entry came back");
    }

    [Theory]
    [InlineData(InstrumentStatus.Halt)]
    [InlineData(InstrumentStatus.Break)]
    [InlineData(InstrumentStatus.CancelOnly)]
    public void InstrumentStatus_NotTrading_CancelsAtOnce_QuotesNothing_TradingAgainResumes(InstrumentStatus status)
    {
        var rig = Quoting();
        var resting = rig.Venue.Resting.Keys.ToList();
        int mark = rig.Venue.Sent.Count;
        rig.Engine.OnVenueHealth(VenueHealthReport.Instrument(0, status, rig.WallNs));
        Assert.Equal(status, rig.Risk.StatusOf(0));
        AssertCancelsSentFor(rig, resting, mark); // in the same input
        Assert.Equal(0, rig.Venue.RestingCount());

        rig.Wiggle(100);
        AssertNoNewOrdersSince(rig, mark, $"instrument {status}");
        Assert.Equal(RiskState.Active, rig.Risk.State); // the instrument's gate, not the account's

        rig.Engine.OnVenueHealth(VenueHealthReport.Instrument(0, InstrumentStatus.Trading, rig.WallNs));
        int trading = rig.Venue.Sent.Count;
        rig.Wiggle(20);
        AssertQuotingBothSides(rig, trading, "trading again");
    }

    [Fact]
    public void Fault_StoreFailure_HaltsWithTheReason_CancelsAtOnce_OnlyResumeClearsIt()
    {
        var rig = Quoting();
        var resting = rig.Venue.Resting.Keys.ToList();
        int mark = rig.Venue.Sent.Count;
        rig.Engine.ReportFault(EngineFault.Store, "disk full");
        Assert.Equal(RiskState.Halted, rig.Risk.State);
        Assert.Equal("trade store: disk full", rig.Engine.HaltReason);
        Assert.Equal(1, rig.Engine.FaultHalts);
        AssertCancelsSentFor(rig, resting, mark);
        Assert.Equal(0, rig.Venue.RestingCount());

        rig.Wiggle(1_200); // longer than the default 10 s cool-down: a fault is not released by time
        Assert.Equal(RiskState.Halted, rig.Risk.State);
        AssertNoNewOrdersSince(rig, mark, "halted by a fault");

        rig.Engine.Resume();
        Assert.Null(rig.Engine.HaltReason);
        Assert.Equal(RiskState.Active, rig.Risk.State);
        int resumed = rig.Venue.Sent.Count;
        rig.Wiggle(20);
        AssertQuotingBothSides(rig, resumed, "after resume");
    }

    // ------------------------------------------------------------------ account state: reducing, with release

    private static Func<CoreSetup, CoreSetup> AckLatencyLimits(long maxAgeNs) => Limits(l => l with
    {
        AckLatencyMinSamples = 6, AckLatencyWindow = 32, AckLatencyTripNs = 250 * Ms, AckLatencyReleaseNs = 100 * Ms, AckLatencyMaxAgeNs = maxAgeNs,
        OrderFlowQuietNs = Sec, LatencyProbeMinSamples = 3, LatencyProbeMaxAgeNs = 5 * Sec, ReleaseCooldownNs = Sec,
    });

    /// <summary>
    /// Acks 300 ms late until the latency switch trips (the window needs 6 answers; Active before), then
    /// the venue is fast again: the late answers arrive (flat and reducing, both quotes are cancelled),
    /// three fast probes arrive while orders were answered under a second ago (no release: the orders'
    /// own answers are the evidence then), and timer ticks run until the probes release it.
    /// Returns the reducing transition and the probes' time.
    /// </summary>
    private static (RiskTransition Reduce, int Mark, long ProbedNs) SlowAcksThenFastProbes(RiskRig rig)
    {
        rig.Venue.AnswerDelayNs = 300 * Ms;
        long home = rig.Mid;
        for (int i = 0; i < 600 && rig.Risk.State == RiskState.Active; i++)
        {
            rig.Frame(i % 2 == 0 ? home + 2 : home);
            if (i % 10 != 9)
                continue;
            long samples = rig.Risk.AnswerSamples;
            rig.Engine.OnTimer();
            if (samples < 6)
                Assert.Equal(RiskState.Active, rig.Risk.State);
        }
        var reduce = rig.LastAccountTransition();
        Assert.Equal((RiskState.Reducing, RiskReason.AckLatency), (reduce.To, reduce.Reasons));
        int mark = rig.Venue.Sent.Count;

        rig.Venue.AnswerDelayNs = 0;
        rig.Wiggle(40);
        Assert.Equal(0, rig.Venue.RestingCount());
        for (int i = 0; i < 3; i++)
            rig.Engine.OnVenueHealth(VenueHealthReport.Probe(20 * Ms, rig.WallNs));
        long probedNs = rig.NowNs;
        rig.Tick();
        Assert.Equal(RiskState.Reducing, rig.Risk.State);
        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Wiggle(10), 40, "released by fast probes");
        AssertNoNewOrdersSince(rig, mark, "reducing while flat");
        return (reduce, mark, probedNs);
    }

    /// <summary>
    /// Acks 300 ms late reduce (p99 over at least 6 answers passes 250 ms); once orders are quiet for 1 s,
    /// fast probes release it after the cool-down, and quotes go out again. Command-to-ack is recorded
    /// per answer (decision-to-answer).
    /// </summary>
    [Fact]
    public void AckLatency_SlowAcks_Reduce_FastProbesReleaseOnceOrdersAreQuiet()
    {
        var rig = Quoting(AckLatencyLimits(maxAgeNs: 60 * Sec));
        var (_, _, probedNs) = SlowAcksThenFastProbes(rig);
        var release = rig.LastAccountTransition();
        Assert.Equal((RiskState.Reducing, RiskState.Active, RiskTrigger.Release), (release.From, release.To, release.Trigger));
        Assert.True(release.TimeNs - probedNs >= Sec, $"released {(release.TimeNs - probedNs) / 1e6} ms after the probes");
        Assert.Equal(rig.Risk.AnswerSamples, rig.Engine.Latency.DecisionToAnswer.TotalCount);
        Assert.InRange(rig.Engine.Latency.DecisionToAnswer.GetMaxValue(), 299 * Ms, 302 * Ms);

        // Quotes go out again (that they are pulled again at once is the bug the skipped test below pins).
        int released = rig.Venue.Sent.Count;
        rig.Until(() => rig.NewOrdersSince(released).Select(c => c.Side).Distinct().Count() == 2, () => rig.Frame(rig.Mid + 3), 50, "both sides quoted again");
    }

    /// <summary>
    /// The same release, with answers now fast: quoting must stay on. It does not: the first fast ack of
    /// the resumed quotes is evaluated against the ack window, which still holds the 300 ms answers from
    /// before the trip (they leave only after <see cref="RiskLimits.AckLatencyMaxAgeNs"/>, 60 s here, or
    /// <see cref="RiskLimits.AckLatencyWindow"/> newer answers), so the switch trips again at once, and
    /// again after every probe release, until the old answers age out.
    /// </summary>
    [Fact]
    public void AckLatency_ReleasedByProbes_StaysReleasedOnceQuotingResumes()
    {
        var rig = Quoting(AckLatencyLimits(maxAgeNs: 60 * Sec));
        var (reduce, _, _) = SlowAcksThenFastProbes(rig);
        int released = rig.Venue.Sent.Count;
        rig.Wiggle(500);
        Assert.DoesNotContain(rig.Transitions, t => t.TimeNs > reduce.TimeNs && t.To == RiskState.Reducing);
        AssertQuotingBothSides(rig, released, "five seconds after the release");
    }

    /// <summary>
    /// Probe round trips alone: the third slow one (the minimum) trips; probes between the release and trip
    /// levels hold; slow probes stop counting after their maximum age; fast ones then release.
    /// </summary>
    [Fact]
    public void AckLatency_SlowProbesAlone_Reduce_HysteresisHolds_FastProbesRelease()
    {
        var rig = Quoting(Limits(l => l with
        {
            LatencyProbeMinSamples = 3, LatencyProbeMaxAgeNs = 2 * Sec, OrderFlowQuietNs = Sec, ReleaseCooldownNs = Sec,
        }));
        var resting = rig.Venue.Resting.Keys.ToList();
        int mark = rig.Venue.Sent.Count;
        void Probes(int n, long rttNs)
        {
            for (int i = 0; i < n; i++)
                rig.Engine.OnVenueHealth(VenueHealthReport.Probe(rttNs, rig.WallNs));
        }
        Probes(2, 300 * Ms);
        Assert.Equal(RiskState.Active, rig.Risk.State);
        Probes(1, 300 * Ms);
        var reduce = rig.LastAccountTransition();
        Assert.Equal((RiskState.Reducing, RiskReason.AckLatency), (reduce.To, reduce.Reasons));
        AssertCancelsSentFor(rig, resting, mark);

        rig.Ticks(2_500); // the slow probes are now too old to count: the last verdict stands
        Probes(3, 150 * Ms); // below the trip level, above the release level
        rig.Ticks(1_500);
        Assert.Equal(RiskState.Reducing, rig.Risk.State);
        rig.Ticks(1_000); // those aged out too
        Probes(3, 20 * Ms);
        long fastNs = rig.NowNs;
        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Tick(), 30, "released by fast probes");
        Assert.True(rig.LastAccountTransition().TimeNs - fastNs >= Sec);
        AssertNoNewOrdersSince(rig, mark, "reducing while flat");
        int released = rig.Venue.Sent.Count;
        rig.Wiggle(30);
        AssertQuotingBothSides(rig, released, "after the probes were fast again");
    }

    /// <summary>Every third answer 300 ms late: the p99 sees it, the median does not.</summary>
    [Theory]
    [InlineData(0.99, true)]
    [InlineData(0.5, false)]
    public void AckLatency_Percentile_OneAnswerInThreeLate(double percentile, bool reduces)
    {
        var rig = Quoting(Limits(l => l with { AckLatencyPercentile = percentile, AckLatencyMinSamples = 6 }));
        int answers = 0;
        rig.Venue.DelayOf = _ => answers++ % 3 == 2 ? 300 * Ms : 0;
        rig.Wiggle(400);
        Assert.True(rig.Risk.AnswerSamples >= (reduces ? 6 : 12), rig.Describe());
        Assert.Equal(reduces, rig.Transitions.Any(t => t.To == RiskState.Reducing && t.Reasons.HasFlag(RiskReason.AckLatency)));
    }

    /// <summary>
    /// Long 0.001 and reducing on slow acks, the ask (toward flat) keeps quoting, so answers keep flowing
    /// and they, not probes, decide: fast answers release once the slow ones have left the window, by
    /// count (a window of 4) or by age (1.5 s); with neither, the slow answers hold the state.
    /// </summary>
    [Theory]
    [InlineData(4, 60_000, true)]
    [InlineData(256, 1_500, true)]
    [InlineData(256, 60_000, false)]
    public void AckLatency_WhileOrdersFlow_SlowAnswersLeaveByWindowOrAge(int window, long maxAgeMs, bool releases)
    {
        var rig = Quoting(Limits(l => l with
        {
            AckLatencyWindow = window, AckLatencyMinSamples = 4, AckLatencyMaxAgeNs = maxAgeMs * Ms, ReleaseCooldownNs = Sec,
        }));
        rig.Venue.Fill(OrderSide.Buy);
        rig.Frames(5);
        rig.Venue.AnswerDelayNs = 300 * Ms;
        rig.Until(() => rig.Risk.State == RiskState.Reducing, () => rig.Wiggle(10), 60, "slow answers reduce");
        Assert.True(rig.Risk.Reasons.HasFlag(RiskReason.AckLatency), rig.Describe());

        rig.Venue.AnswerDelayNs = 0;
        long fastFrom = rig.Risk.AnswerSamples;
        rig.Wiggle(400);
        Assert.True(rig.Risk.AnswerSamples - fastFrom >= 8, $"orders kept flowing: {rig.Describe()}");
        Assert.Equal(releases ? RiskState.Active : RiskState.Reducing, rig.Risk.State);
    }

    /// <summary>
    /// Exchange time (E) stands still while frames keep arriving: the lag over the baseline passes 500 ms and
    /// risk reduces (flat: both quotes pulled); 300 ms is inside the hysteresis and holds it; under 200 ms
    /// it releases after the cool-down and quoting resumes.
    /// </summary>
    [Fact]
    public void FeedLag_ExchangeTimeFallsBehind_Reduces_HoldsInsideHysteresis_Releases()
    {
        var rig = Quoting(Limits(l => l with { ReleaseCooldownNs = Sec }));
        var resting = rig.Venue.Resting.Keys.ToList();
        int mark = rig.Venue.Sent.Count;
        long lag = 0;
        for (int i = 1; i <= 80 && rig.Risk.State == RiskState.Active; i++)
        {
            lag = i * 10 * Ms;
            rig.Frame(null, lag);
            if (i % 10 == 0)
                rig.Engine.OnTimer();
            if (lag <= 500 * Ms)
                Assert.Equal(RiskState.Active, rig.Risk.State);
        }
        var reduce = rig.LastAccountTransition();
        Assert.Equal((RiskState.Reducing, RiskReason.FeedLag), (reduce.To, reduce.Reasons));
        Assert.InRange(lag, 510 * Ms, 600 * Ms);
        AssertCancelsSentFor(rig, resting, mark);

        rig.Wiggle(200, lagNs: 300 * Ms);
        Assert.Equal(RiskState.Reducing, rig.Risk.State);
        rig.Frame(null, 100 * Ms);
        long caughtUpNs = rig.NowNs;
        rig.Until(() => rig.Risk.State == RiskState.Active, () => rig.Wiggle(10, lagNs: 100 * Ms), 30, "released once caught up");
        Assert.True(rig.LastAccountTransition().TimeNs - caughtUpNs >= Sec - 100 * Ms);
        AssertNoNewOrdersSince(rig, mark, "reducing while flat");
        int released = rig.Venue.Sent.Count;
        rig.Wiggle(30, lagNs: 100 * Ms);
        AssertQuotingBothSides(rig, released, "once the feed caught up");
    }

    /// <summary>A lag that stays is clock skew, not a backlog: it becomes the baseline once the baseline window has passed.</summary>
    [Theory]
    [InlineData(3_000, true)]
    [InlineData(300_000, false)]
    public void FeedLag_ConstantOffset_BecomesTheBaselineAfterTheWindow(long windowMs, bool releases)
    {
        var rig = Quoting(Limits(l => l with { FeedLagBaselineWindowNs = windowMs * Ms, ReleaseCooldownNs = Sec }));
        rig.Wiggle(100, lagNs: 600 * Ms);
        Assert.Equal(RiskReason.FeedLag, rig.Risk.Reasons);
        rig.Wiggle(600, lagNs: 600 * Ms);
        Assert.Equal(releases ? RiskState.Active : RiskState.Reducing, rig.Risk.State);
    }
}
