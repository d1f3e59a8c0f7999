using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// Cross-instance self-trade check (issue 17): the other instances' best resting prices on the account
/// (<see cref="ExecutionEngine.SetPeerQuotes"/>) refuse an order of ours that would reach them, as our own
/// resting orders do; only refusals caused by a peer are counted as peer refusals.
/// </summary>
public class PeerQuoteTests
{
    private const long PeerAsk = Harness.Mid + 50, PeerBid = Harness.Mid - 50;
    private const long Ask = Harness.Mid + 150, Bid = Harness.Mid - 150;

    [Fact]
    public void Buy_AtOrAbovePeerAsk_IsRefusedAsSelfTrade_BelowItPasses_ClearedItPasses()
    {
        var h = new Harness();
        h.Engine.SetPeerQuotes(0, Price.Zero, new Price(PeerAsk));
        Assert.Equal((Price.Zero, new Price(PeerAsk)), h.Engine.PeerQuotes(0));

        h.Quote(PeerAsk + 1, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Equal(OrderSide.Sell, h.Single(CommandKind.Place).Side);
        Assert.Equal(1, h.Engine.Counters.PeerCrossRefusals);
        Assert.Equal(RiskDecision.SelfTrade, h.Engine.LastRiskDecision);

        h.Quote(PeerAsk, Harness.OneBtc, Ask, Harness.OneBtc); // at the peer's price: refused too
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Engine.Counters.PeerCrossRefusals);
        Assert.Equal(2, h.Risk.Counters.RefusedBy(RiskDecision.SelfTrade));

        h.Quote(PeerAsk - 1, Harness.OneBtc, Ask, Harness.OneBtc);
        var bid = h.Single(CommandKind.Place);
        Assert.Equal((OrderSide.Buy, PeerAsk - 1), (bid.Side, bid.Price.Raw));
        Assert.Equal(2, h.Engine.Counters.PeerCrossRefusals);

        // Cleared (zero), the peer no longer limits anything: a buy at its old price goes (as a cancel-replace).
        h.Ack(bid.ClientOrderId);
        h.Engine.SetPeerQuotes(0, Price.Zero, Price.Zero);
        h.Quote(PeerAsk + 5, Harness.OneBtc, Ask, Harness.OneBtc);
        var replace = h.Single(CommandKind.CancelReplace);
        Assert.Equal(PeerAsk + 5, replace.Price.Raw);
        Assert.Equal(2, h.Engine.Counters.PeerCrossRefusals);
    }

    [Fact]
    public void Replace_ReachingAPeerAsk_DegradesToCancel_AndIsCountedAsAPeerRefusal()
    {
        var h = new Harness();
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var places = h.Drain();
        foreach (var p in places)
            h.Ack(p.ClientOrderId);
        var bid = places.Single(c => c.Side == OrderSide.Buy).ClientOrderId;

        h.Engine.SetPeerQuotes(0, Price.Zero, new Price(PeerAsk));
        h.Quote(PeerAsk, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Equal(bid, h.Single(CommandKind.Cancel).OrigClientOrderId);
        Assert.Equal(1, h.Engine.Counters.PeerCrossRefusals);
        Assert.Equal(1, h.Engine.Counters.ReplacesDegradedToCancel);
    }

    [Fact]
    public void Sell_AtOrBelowPeerBid_IsRefused_AboveItPasses()
    {
        var h = new Harness();
        h.Engine.SetPeerQuotes(0, new Price(PeerBid), Price.Zero);
        h.Quote(Bid, Harness.OneBtc, PeerBid, Harness.OneBtc);
        Assert.Equal(OrderSide.Buy, h.Single(CommandKind.Place).Side);
        Assert.Equal(1, h.Engine.Counters.PeerCrossRefusals);
        h.Quote(Bid, Harness.OneBtc, PeerBid + 1, Harness.OneBtc);
        Assert.Equal(OrderSide.Sell, h.Single(CommandKind.Place).Side);
        Assert.Equal(1, h.Engine.Counters.PeerCrossRefusals);
    }

    [Fact]
    public void OwnRestingOrder_StillRefuses_AndIsNotCountedAsAPeerRefusal()
    {
        var h = new Harness();
        // Our own ask rests nearer than the peer's: the refusal is ours, not the peer's.
        h.Engine.SetPeerQuotes(0, Price.Zero, new Price(Ask + 100));
        h.Quote(Bid, 0, Ask, Harness.OneBtc);
        var ask = h.Single(CommandKind.Place);
        h.Ack(ask.ClientOrderId);

        h.Quote(Ask, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Empty(h.Drain());
        Assert.Equal(RiskDecision.SelfTrade, h.Engine.LastRiskDecision);
        Assert.Equal(1, h.Risk.Counters.RefusedBy(RiskDecision.SelfTrade));
        Assert.Equal(0, h.Engine.Counters.PeerCrossRefusals);

        // With no peer quote at all, as before the peer check existed.
        h.Engine.SetPeerQuotes(0, Price.Zero, Price.Zero);
        h.Quote(Ask + 1, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Risk.Counters.RefusedBy(RiskDecision.SelfTrade));
        Assert.Equal(0, h.Engine.Counters.PeerCrossRefusals);
    }
}
