using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

public class QuoteManagementTests
{
    internal const long Bid = Harness.Mid - 100, Ask = Harness.Mid + 100;

    /// <summary>A harness quoting one BTC each side at <see cref="Bid"/>/<see cref="Ask"/>, both orders acked; the other test classes share it.</summary>
    internal static (Harness h, ClientOrderId bid, ClientOrderId ask) TwoSided(ExecutionOptions? options = null)
    {
        var h = new Harness(options);
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var cmds = h.Drain();
        Assert.Equal(2, cmds.Length);
        Assert.All(cmds, c => Assert.Equal(CommandKind.Place, c.Kind));
        var bid = cmds.Single(c => c.Side == OrderSide.Buy).ClientOrderId;
        var ask = cmds.Single(c => c.Side == OrderSide.Sell).ClientOrderId;
        h.Ack(bid);
        h.Ack(ask);
        Assert.Empty(h.Drain());
        return (h, bid, ask);
    }

    [Fact]
    public void FlaggedLevel_IsNotJoined_QuoteStepsBehindIt()
    {
        var h = new Harness();
        long tick = Harness.Btc.TickSize.Raw;
        h.Engine.SetAvoidLevels(0, new Price(Bid), new Price(Ask));
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var cmds = h.Drain();
        Assert.Equal(Bid - tick, cmds.Single(c => c.Side == OrderSide.Buy).Price.Raw);
        Assert.Equal(Ask + tick, cmds.Single(c => c.Side == OrderSide.Sell).Price.Raw);

        // Once the flag clears, the quote may join that price again.
        var fresh = new Harness();
        fresh.Engine.SetAvoidLevels(0, new Price(Bid), Price.Zero);
        fresh.Engine.SetAvoidLevels(0, Price.Zero, Price.Zero);
        fresh.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Equal(Bid, fresh.Drain().Single(c => c.Side == OrderSide.Buy).Price.Raw);
    }

    [Fact]
    public void UnchangedTarget_KeepsRestingOrders()
    {
        var (h, _, _) = TwoSided();
        long before = h.Engine.Counters.QuotesKept;
        for (int i = 0; i < 10; i++)
            h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Empty(h.Drain());
        Assert.Equal(20, h.Engine.Counters.QuotesKept - before);
    }

    [Fact]
    public void PriceMoveWithinTolerance_IsKept_BeyondIt_IsCancelReplaced()
    {
        var (h, bid, _) = TwoSided(new ExecutionOptions { RepriceToleranceTicks = 2 });
        h.Quote(Bid - 2, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Empty(h.Drain());
        h.Quote(Bid - 3, Harness.OneBtc, Ask, Harness.OneBtc);
        var cr = h.Single(CommandKind.CancelReplace);
        Assert.Equal(bid, cr.OrigClientOrderId);
        Assert.Equal(Bid - 3, cr.Price.Raw);
        Assert.Equal(3, new[] { cr.ClientOrderId, cr.OrigClientOrderId, cr.NewClientOrderId }.Distinct().Count());
    }

    [Fact]
    public void SizeDown_IsAmendedInPlace_SizeUp_IsReplaced()
    {
        var (h, bid, _) = TwoSided();
        h.Quote(Bid, 400, Ask, Harness.OneBtc);
        var amend = h.Single(CommandKind.AmendQty);
        Assert.Equal((bid, 400L), (amend.OrigClientOrderId, amend.Qty.Raw));
        h.Engine.OnAmended(new AmendedReport(0, bid, amend.ClientOrderId, new Qty(400), h.Now), h.Now);
        h.Quote(Bid, 900, Ask, Harness.OneBtc);
        Assert.Equal(CommandKind.CancelReplace, h.Single(CommandKind.CancelReplace).Kind);
    }

    [Fact]
    public void Amended_TheTransitionCarriesTheNewClientIdAndSize()
    {
        // What the store keeps for the order is what its transitions carry: after a crash the venue lists the order
        // under the amend's id, so the stored row must name that id (and the new size), not the one before.
        var (h, bid, _) = TwoSided();
        h.Quote(Bid, 400, Ask, Harness.OneBtc);
        var amend = h.Single(CommandKind.AmendQty);
        h.Transitions.Clear();
        h.Engine.OnAmended(new AmendedReport(0, bid, amend.ClientOrderId, new Qty(400), h.Now), h.Now);
        var replaced = Assert.Single(h.Transitions);
        Assert.Equal((OrderEvent.Replaced, OrderState.Accepted, false), (replaced.Event, replaced.To, replaced.Illegal));
        Assert.Equal(bid, replaced.ClientId);
        Assert.Equal(amend.ClientOrderId, replaced.CurrentClientId);
        Assert.Equal(400, replaced.Qty.Raw);

        // An amend report the order cannot take (no amend in flight: Accepted + Replaced is illegal) changes
        // nothing and is recorded as the order stands.
        h.Transitions.Clear();
        var stray = new ClientOrderId(amend.ClientOrderId.Node, amend.ClientOrderId.Epoch, amend.ClientOrderId.Sequence + 100);
        h.Engine.OnAmended(new AmendedReport(0, bid, stray, new Qty(300), h.Now), h.Now);
        var refused = Assert.Single(h.Transitions);
        Assert.True(refused.Illegal);
        Assert.Equal(amend.ClientOrderId, refused.CurrentClientId);
        Assert.Equal(400, refused.Qty.Raw);
    }

    [Fact]
    public void AmendNotAllowed_SizeDownIsReplaced()
    {
        var (h, _, _) = TwoSided(new ExecutionOptions { AmendAllowed = false });
        h.Quote(Bid, 400, Ask, Harness.OneBtc);
        h.Single(CommandKind.CancelReplace);
    }

    [Fact]
    public void OrderWithCommandInFlight_IsNeverActedOn_TargetAppliedWhenReportArrives()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, 0);
        var id = h.Single(CommandKind.Place).ClientOrderId;
        // Latency pressure: the strategy moves its quote five times before the ack.
        for (int i = 1; i <= 5; i++)
            h.Quote(Bid - 10 * i, Harness.OneBtc, Ask, 0);
        Assert.Empty(h.Drain());
        Assert.Equal(5, h.Engine.Counters.DeferredBusy);
        h.Ack(id);
        // Exactly one command, to the latest target: deterministic whatever the latency was.
        var cr = h.Single(CommandKind.CancelReplace);
        Assert.Equal(Bid - 50, cr.Price.Raw);
    }

    [Fact]
    public void InFlightCap_PerInstrument_DefersNewOrders()
    {
        var h = new Harness(new ExecutionOptions { MaxInFlightPerInstrument = 2 });
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Equal(2, h.Drain().Length);
        h.Engine.Submit(Intent.Take(0, OrderSide.Buy, new Qty(100), new Price(Ask)), h.Now);
        Assert.Empty(h.Drain());
        Assert.Equal(1, h.Engine.Counters.DeferredByCap);
        Assert.Equal(2, h.Engine.InFlight(0));
    }

    [Fact]
    public void CancelAll_WhenHalted_CancelsStillGoOut()
    {
        var (h, bid, ask) = TwoSided();
        h.Risk.OperatorHalt(h.Now);
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        var cmds = h.Drain();
        Assert.Equal(2, cmds.Length);
        Assert.All(cmds, c => Assert.Equal(CommandKind.Cancel, c.Kind));
        Assert.Equal(new[] { bid, ask }.OrderBy(x => x.Sequence), cmds.Select(c => c.OrigClientOrderId).OrderBy(x => x.Sequence));
        Assert.Equal(2, h.Risk.Counters.CancelsPassed);
    }

    [Fact]
    public void Halt_CancelsRestingQuotes_OnTheNextTimer()
    {
        var (h, _, _) = TwoSided();
        h.Risk.OperatorHalt(h.Now);
        h.Engine.OnTimer(h.Now);
        Assert.Equal(2, h.Drain().Count(c => c.Kind == CommandKind.Cancel));
    }

    [Fact]
    public void StaleBook_BlocksNewQuotesAtOnce_CancelsRestingAfterGrace()
    {
        var (h, _, _) = TwoSided();
        h.Market(live: false);
        h.Engine.Submit(Intent.Quote(0, new Price(Bid - 50), new Qty(Harness.OneBtc), new Price(Ask), new Qty(Harness.OneBtc)), h.Now);
        // The bid would be replaced: risk refuses the new leg, so the old one is cancelled instead.
        var cmds = h.Drain();
        Assert.DoesNotContain(cmds, c => c.Kind is CommandKind.Place or CommandKind.CancelReplace);
        Assert.Equal(RiskDecision.StaleBook, h.Engine.LastRiskDecision);
        h.Advance(1_100);
        h.Engine.OnTimer(h.Now);
        Assert.Contains(h.Drain(), c => c.Kind == CommandKind.Cancel);
        Assert.Equal(0, h.Engine.LiveOrderCount(0) - h.Engine.InFlight(0)); // everything left is pending cancel
    }

    [Fact]
    public void SelfTrade_BidThroughOurOwnAsk_IsRefused()
    {
        var (h, _, _) = TwoSided(new ExecutionOptions { MaxInFlightPerInstrument = 4 });
        h.Engine.Submit(Intent.Take(0, OrderSide.Buy, new Qty(100), new Price(Ask + 10)), h.Now);
        Assert.Empty(h.Drain());
        Assert.Equal(RiskDecision.SelfTrade, h.Engine.LastRiskDecision);
    }

    [Fact]
    public void TargetPosition_SendsOneIocAtATime()
    {
        var h = new Harness();
        h.Engine.Submit(Intent.TargetPosition(0, new Qty(1_500), new Price(Ask + 20)), h.Now);
        var take = h.Single(CommandKind.Place);
        Assert.Equal((OrderType.LimitIoc, OrderSide.Buy, 1_500L), (take.Type, take.Side, take.Qty.Raw));
        h.Engine.Submit(Intent.TargetPosition(0, new Qty(1_500), new Price(Ask + 20)), h.Now);
        Assert.Empty(h.Drain());
        h.Apply(h.Fill(take.ClientOrderId, OrderSide.Buy, Ask, 1_000, 1_000));
        h.Expired(take.ClientOrderId);
        h.Engine.Submit(Intent.TargetPosition(0, new Qty(1_500), new Price(Ask + 20)), h.Now);
        Assert.Equal(500, h.Single(CommandKind.Place).Qty.Raw);
    }

    [Fact]
    public void Reducing_OnlyTheReducingSideIsQuoted_CappedAtThePosition()
    {
        var (h, bid, _) = TwoSided();
        h.Apply(h.Fill(bid, OrderSide.Buy, Bid, 300, 300));
        h.Drain();
        h.Risk.Transition(RiskTrigger.Reduce, h.Now);
        h.Engine.OnTimer(h.Now);
        var cmds = h.Drain();
        // Bid (would increase a long) is cancelled; ask is cut to the 300 we hold.
        Assert.Contains(cmds, c => c.Kind == CommandKind.Cancel && c.OrigClientOrderId == bid);
        Assert.Contains(cmds, c => c.Kind == CommandKind.AmendQty && c.Qty.Raw == 300);
    }
}
