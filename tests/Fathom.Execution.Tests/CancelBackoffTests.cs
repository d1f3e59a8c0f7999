using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// Issue 14, the cancel storm: a refused cancel (or cancel-replace, or amend) is retried with per-order
/// exponential back-off on virtual time, a Retry-After or a ban holds every command, an "unknown order"
/// still resolves by query, and the order budget keeps headroom that only cancels may use.
/// </summary>
public class CancelBackoffTests
{
    private const long Bid = Harness.Mid - 100, Ask = Harness.Mid + 100;
    private const long Ms = 1_000_000;
    private static readonly ExecutionOptions Defaults = new();

    private static (Harness h, ClientOrderId id) RestingBid(RiskLimits? limits = null)
    {
        var h = new Harness(limits: limits);
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Ack(id);
        Assert.Empty(h.Drain());
        return (h, id);
    }

    private static void Refuse(Harness h, ClientOrderId id, CommandKind command, RejectReason reason, long retryAfterNs = 0) =>
        h.Engine.OnReject(new RejectReport(0, id, command, reason, -1003, null, h.Now, retryAfterNs), h.Now);

    /// <summary>The wait before the retry that follows the <paramref name="rejects"/>-th consecutive reject.</summary>
    private static long Delay(int rejects) =>
        Math.Min(Defaults.CancelRetryDelayNs << Math.Min(rejects - 1, 20), Defaults.MaxCancelBackoffNs);

    /// <summary>One step of the core as the engine runs it: a timer tick and a market update (each re-asks for the cancel).</summary>
    private static void Step(Harness h, long stepMs)
    {
        h.Advance(stepMs);
        h.Engine.OnTimer(h.Now);
        h.Market();
    }

    [Theory]
    [InlineData(true)]  // the kill switch: every input asks for the cancel again
    [InlineData(false)] // one cancel-all intent: only the order's "cancel wanted" drives the retries
    public void CancelRateLimited1000Times_SendsBoundedByTheBackoffSchedule_ThenCancels(bool halted)
    {
        var (h, id) = RestingBid();
        if (halted)
            h.Risk.OperatorHalt(h.Now);
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        const long stepMs = 20; // the engine host's timer period
        var sends = new List<long>();
        long start = h.Now;
        int rejects = 0, steps = 0;
        while (rejects < 1_000 && steps < 250_000)
        {
            // Answer every command the input produced; a refused cancel that came straight back would
            // loop here (the storm) until the 1,000 rejects are used up.
            for (var cmds = h.Drain(); cmds.Length > 0 && rejects < 1_000; cmds = h.Drain())
            {
                foreach (var c in cmds)
                {
                    Assert.Equal(CommandKind.Cancel, c.Kind);
                    sends.Add(h.Now);
                    rejects++;
                    Refuse(h, c.OrigClientOrderId, CommandKind.Cancel, RejectReason.RateLimited);
                    Assert.Equal(OrderState.Accepted, h.StateOf(id)); // back to working, still wanted
                }
            }
            Step(h, stepMs);
            steps++;
        }
        Assert.Equal(1_000, rejects);
        long span = sends[^1] - start;

        // Bounded by the schedule: k doubling waits fit in T only if base·(2^k − 1) ≤ T, the rest take a
        // cap each, so ≤ ⌊log2(T/base + 1)⌋ + T/cap + 1 sends (each one answered by one reject).
        double bound = Math.Floor(Math.Log2(span / (double)Defaults.CancelRetryDelayNs + 1))
            + span / (double)Defaults.MaxCancelBackoffNs + 1;
        Assert.True(sends.Count <= bound, $"{sends.Count} cancels in {span / Ms} ms, the back-off allows {bound:F1}");
        // Each wait is honoured, and the retry goes at the first input after it expires.
        for (int k = 1; k < sends.Count; k++)
        {
            long gap = sends[k] - sends[k - 1];
            Assert.InRange(gap, Delay(k), Delay(k) + stepMs * Ms);
        }
        Assert.True(steps * 2 > 50 * sends.Count, $"{steps} steps each asked for the cancel; only {sends.Count} went");

        // The venue accepts the next one: the order is cancelled after all.
        long due = sends[^1] + Delay(1_000);
        while (h.Now < due)
            Step(h, stepMs);
        var cancel = h.Single(CommandKind.Cancel);
        h.Canceled(cancel.OrigClientOrderId);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
        Assert.Equal(1_000, h.Engine.Counters.ModifyRejects);
        Assert.Equal(1_001, h.Engine.Counters.Cancels);
        Assert.Equal(0, h.Engine.Counters.IllegalTransitions);
    }

    [Fact]
    public void CancelRateLimitedWithRetryAfter_NoCancelOrPlaceBeforeItPasses_BothAfter()
    {
        var (h, id) = RestingBid();
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        var cancel = h.Single(CommandKind.Cancel);
        long retryAfter = 1_000 * Ms; // far past the order's own 50 ms back-off
        Refuse(h, cancel.OrigClientOrderId, CommandKind.Cancel, RejectReason.RateLimited, retryAfter);
        long until = h.Now + retryAfter;
        Assert.Equal(until, h.Engine.VenueHoldUntilNs);

        // The strategy quotes again: the bid is still to be cancelled, the new ask has to wait as well,
        // and so does a take.
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        h.Engine.Submit(Intent.Take(0, OrderSide.Buy, new Qty(100), new Price(Harness.Mid)), h.Now);
        Assert.Empty(h.Drain());
        while (h.Now + 10 * Ms < until)
        {
            Step(h, 10);
            h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
            Assert.Empty(h.Drain());
        }
        Assert.True(h.Engine.Counters.DeferredByVenueHold > 100);

        Step(h, 10); // Retry-After has passed
        Assert.True(h.Now >= until);
        var cmds = h.Drain();
        Assert.Equal(2, cmds.Length);
        Assert.Equal(id, cmds.Single(c => c.Kind == CommandKind.Cancel).OrigClientOrderId);
        var place = cmds.Single(c => c.Kind == CommandKind.Place);
        Assert.Equal((OrderSide.Sell, Ask), (place.Side, place.Price.Raw));
        // The order's own back-off still counts its rejects: refused again, the next try waits the second step.
        Refuse(h, id, CommandKind.Cancel, RejectReason.RateLimited);
        long refusedAt = h.Now;
        while (h.Now - refusedAt < Delay(2))
        {
            Assert.Empty(h.Drain());
            Step(h, 10);
        }
        Assert.Equal(id, h.Single(CommandKind.Cancel).OrigClientOrderId);
        h.Canceled(id);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        // With the bid cancelled, the quote target puts the bid back.
        Assert.Equal(OrderSide.Buy, h.Single(CommandKind.Place).Side);
    }

    [Theory]
    [InlineData(0L)]   // no Retry-After: the ban default
    [InlineData(300L)] // the venue's Retry-After, longer than the default
    public void Banned_HoldsEveryCommandForItsRetryAfter_ThenResumes(long retryAfterSeconds)
    {
        var (h, bid) = RestingBid();
        // An ask whose fate is unknown: its query is due at 0.5 s, inside the ban.
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var ask = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(ask, CommandKind.Place);
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(bid, cancel.OrigClientOrderId);

        long hold = retryAfterSeconds > 0 ? retryAfterSeconds * 1_000 * Ms : Defaults.BanHoldNs;
        Refuse(h, bid, CommandKind.Cancel, RejectReason.Banned, retryAfterSeconds * 1_000 * Ms);
        long until = h.Now + hold;
        Assert.Equal(1, h.Engine.Counters.Bans);

        // A shorter 429 answer meanwhile (here for a cancel-all, naming no order) does not lift the ban.
        Step(h, 1_000);
        Refuse(h, new ClientOrderId(7, 3, 999_999), CommandKind.Cancel, RejectReason.RateLimited, 1_000 * Ms);
        Assert.Equal(until, h.Engine.VenueHoldUntilNs);

        h.Risk.OperatorHalt(h.Now); // even the kill switch waits: a request into a ban only lengthens it
        int steps = 0;
        while (h.Now + 100 * Ms < until)
        {
            Step(h, 100);
            h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
            var cmds = h.Drain();
            Assert.True(cmds.Length == 0, $"at {(h.Now - until) / Ms} ms before the end of the ban: {string.Join(", ", cmds.Select(c => c.Kind))}");
            steps++;
        }
        Assert.True(steps >= hold / (100 * Ms) - 12);
        Assert.Equal(0, h.Engine.Counters.Queries);

        Step(h, 100);
        var after = h.Drain();
        Assert.Equal(bid, after.Single(c => c.Kind == CommandKind.Cancel).OrigClientOrderId);
        Assert.Equal(ask, after.Single(c => c.Kind == CommandKind.Query).OrigClientOrderId);
        Assert.Equal(2, after.Length);
        // Refused once more after the ban (a plain 429): the order's back-off goes on from its second step.
        Refuse(h, bid, CommandKind.Cancel, RejectReason.RateLimited);
        Assert.Empty(h.Drain());
        Step(h, Delay(2) / Ms - 1);
        Assert.Empty(h.Drain());
        Step(h, 1);
        Assert.Equal(bid, h.Single(CommandKind.Cancel).OrigClientOrderId);
    }

    [Fact]
    public void CancelRejectedUnknownOrder_ResolvesByQuery_NoCancelRetryLoop()
    {
        var (h, id) = RestingBid();
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        h.Single(CommandKind.Cancel);
        Refuse(h, id, CommandKind.Cancel, RejectReason.RateLimited);
        Assert.Empty(h.Drain()); // backing off
        Step(h, 50);
        h.Single(CommandKind.Cancel);

        h.Reject(id, CommandKind.Cancel, RejectReason.UnknownOrder);
        Assert.Equal(OrderState.Unknown, h.StateOf(id)); // filled or cancelled a moment ago: asked, never re-cancelled
        Assert.Empty(h.Drain());
        var kinds = new List<CommandKind>();
        for (int i = 0; i < 500; i++)
        {
            Step(h, 20);
            kinds.AddRange(h.Drain().Select(c => c.Kind));
        }
        Assert.All(kinds, k => Assert.Equal(CommandKind.Query, k));
        Assert.InRange(kinds.Count, 4, 5); // the query back-off: at 0.5, 1, 2, 4 and 8 s
        h.Status(id, VenueOrderStatus.Canceled);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        for (int i = 0; i < 100; i++)
            Step(h, 20);
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Engine.Counters.Cancels);
        Assert.Equal(1, h.Engine.Counters.ModifyRejects);
    }

    [Fact]
    public void BudgetNearlyUsed_NewOrderRefusedByRisk_CancelsStillGo()
    {
        // 12 commands per 10 s, the last 10 for cancels: two new orders use up what new orders may have.
        var limits = Harness.Limits() with { OrderBudget = 12, CancelHeadroom = 10 };
        var h = new Harness(limits: limits);
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var places = h.Drain();
        Assert.Equal(2, places.Length);
        foreach (var p in places)
            h.Ack(p.ClientOrderId);

        h.Engine.Submit(Intent.Take(0, OrderSide.Buy, new Qty(100), new Price(Harness.Mid)), h.Now);
        Assert.Empty(h.Drain());
        Assert.Equal(RiskDecision.RateBudget, h.Engine.LastRiskDecision);
        long refused = h.Engine.Counters.RiskRefusals;

        // Cancels use the headroom and keep going past the whole budget: 2 + 2 × 6 = 14 commands > 12.
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        for (int round = 0; round < 6; round++)
        {
            var cancels = h.Drain();
            Assert.Equal(2, cancels.Length);
            Assert.All(cancels, c => Assert.Equal(CommandKind.Cancel, c.Kind));
            foreach (var c in cancels)
                Refuse(h, c.OrigClientOrderId, CommandKind.Cancel, RejectReason.RateLimited);
            Assert.Empty(h.Drain()); // the back-off, not the budget, spaces them
            h.Engine.Submit(Intent.Take(0, OrderSide.Buy, new Qty(100), new Price(Harness.Mid)), h.Now);
            Assert.Empty(h.Drain()); // and a new order still may not go
            Step(h, Delay(round + 1) / Ms);
        }
        var last = h.Drain();
        Assert.Equal(2, last.Length);
        Assert.Equal(14, h.Risk.Counters.CancelsPassed);
        Assert.True(h.Engine.Counters.RiskRefusals > refused);
        Assert.Equal(RiskDecision.RateBudget, h.Engine.LastRiskDecision);
        foreach (var c in last)
            h.Canceled(c.OrigClientOrderId);
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
    }

    [Fact]
    public void CancelReplaceRejected_RetriedAfterBackoff_NotAtEveryInput()
    {
        var (h, id) = RestingBid();
        long moved = Bid - 50;
        var sends = new List<long>();
        for (int i = 0; i < 400 && sends.Count < 4; i++)
        {
            h.Quote(moved, Harness.OneBtc, Ask, 0);
            foreach (var c in h.Drain())
            {
                Assert.Equal(CommandKind.CancelReplace, c.Kind);
                sends.Add(h.Now);
                if (sends.Count < 4)
                    Refuse(h, c.OrigClientOrderId, CommandKind.CancelReplace, RejectReason.RateLimited);
                else
                {
                    h.Canceled(c.OrigClientOrderId);
                    h.Ack(c.NewClientOrderId);
                }
            }
            Step(h, 5);
        }
        Assert.Equal(4, sends.Count);
        for (int k = 1; k < sends.Count; k++)
            Assert.InRange(sends[k] - sends[k - 1], Delay(k), Delay(k) + 5 * Ms);
        Assert.Equal(OrderState.Canceled, h.StateOf(id));
        Assert.Equal(moved, h.Engine.TryGetOrder(h.Engine.QuoteOrder(0, OrderSide.Buy), out var v) ? v.Price.Raw : 0);
    }

    [Fact]
    public void AmendRejected_RetriedAfterBackoff_ThenBackoffResetBySuccess()
    {
        var (h, id) = RestingBid();
        h.Quote(Bid, 400, Ask, 0);
        var amend = h.Single(CommandKind.AmendQty);
        Refuse(h, id, CommandKind.AmendQty, RejectReason.RateLimited);
        h.Quote(Bid, 400, Ask, 0);
        Assert.Empty(h.Drain());
        Step(h, 50);
        h.Quote(Bid, 400, Ask, 0);
        amend = h.Single(CommandKind.AmendQty);
        h.Engine.OnAmended(new AmendedReport(0, id, amend.ClientOrderId, new Qty(400), h.Now), h.Now);
        // A success resets the order's back-off: the next reject waits the base delay again.
        h.Quote(Bid, 300, Ask, 0);
        h.Single(CommandKind.AmendQty);
        Refuse(h, id, CommandKind.AmendQty, RejectReason.RateLimited);
        Step(h, 50);
        h.Quote(Bid, 300, Ask, 0);
        Assert.Equal(300, h.Single(CommandKind.AmendQty).Qty.Raw);
    }

    [Fact]
    public void QueryRateLimited_LeavesTheUnknownOrderUnknown()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        h.Unknown(id, CommandKind.Place);
        Step(h, 500);
        var query = h.Single(CommandKind.Query);
        // A refused read says nothing about the order (it was "Rejected" before: written off while it may rest).
        Refuse(h, query.OrigClientOrderId, CommandKind.Query, RejectReason.RateLimited);
        Assert.Equal(OrderState.Unknown, h.StateOf(id));
        Assert.Equal(1, h.Engine.LiveOrderCount(0));
    }
}
