using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// The lease fence (issue 17): before the send deadline orders go as usual; at or after it nothing but
/// cancels goes out; the timer at the deadline (or a lost lease, at once) cancels every order and the
/// engine never quotes again, whatever deadline comes later. An engine never bound to a lease is unfenced.
/// </summary>
public class LeaseTests
{
    private const long Bid = Harness.Mid - 100, Ask = Harness.Mid + 100;
    private const long Second = 1_000_000_000;

    private static (ClientOrderId Bid, ClientOrderId Ask) QuotedAndAcked(Harness h)
    {
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var cmds = h.Drain();
        Assert.Equal(2, cmds.Length);
        Assert.All(cmds, c => Assert.Equal(CommandKind.Place, c.Kind));
        var bid = cmds.Single(c => c.Side == OrderSide.Buy).ClientOrderId;
        var ask = cmds.Single(c => c.Side == OrderSide.Sell).ClientOrderId;
        h.Ack(bid);
        h.Ack(ask);
        Assert.Empty(h.Drain());
        return (bid, ask);
    }

    [Fact]
    public void SendDeadline_BeforeIt_QuotesArePlaced_AtIt_OnlyCancelsGo()
    {
        var h = new Harness();
        long deadline = h.Now + Second;
        h.Engine.SetSendDeadline(deadline, h.Now);
        Assert.Equal(deadline, h.Engine.SendDeadlineNs);
        var (bid, ask) = QuotedAndAcked(h); // 1 ns before: placed

        h.Advance(1_000); // exactly the deadline; no timer has run, so the lease has not lapsed yet
        Assert.Equal(deadline, h.Now);
        Assert.False(h.Engine.LeaseLapsed);

        // A reprice of the bid would be a cancel-replace: only its cancel leg goes.
        h.Quote(Bid - 10, Harness.OneBtc, Ask, Harness.OneBtc);
        var cancel = h.Single(CommandKind.Cancel);
        Assert.Equal(bid, cancel.OrigClientOrderId);
        Assert.Equal(1, h.Engine.Counters.LeaseRefusals);
        Assert.Equal(0, h.Engine.Counters.CancelReplaces);

        // A size-down of the ask would be an amend: nothing goes.
        h.Quote(Bid - 10, Harness.OneBtc, Ask, 400);
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Engine.Counters.LeaseRefusals);
        Assert.Equal(0, h.Engine.Counters.Amends);

        // With the bid gone, the quote wants a new bid: not placed. A take is not placed either.
        h.Canceled(bid);
        Assert.Empty(h.Drain());
        h.Quote(Bid - 10, Harness.OneBtc, Ask, 400);
        h.Engine.Submit(Intent.Take(0, OrderSide.Buy, new Qty(100), new Price(Harness.Mid + 50)), h.Now);
        Assert.Empty(h.Drain());
        Assert.True(h.Engine.Counters.LeaseRefusals >= 4, $"refusals: {h.Engine.Counters.LeaseRefusals}");
        Assert.Equal(2, h.Engine.Counters.Places);

        // A plain cancel still goes.
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        Assert.Equal(ask, h.Single(CommandKind.Cancel).OrigClientOrderId);
    }

    [Fact]
    public void Timer_AtTheDeadline_CancelsEveryOrder_AndNothingIsQuotedAfter_EvenUnderALaterDeadline()
    {
        var h = new Harness();
        h.Engine.SetSendDeadline(h.Now + Second, h.Now);
        var (bid, ask) = QuotedAndAcked(h);

        h.Advance(999);
        h.Engine.OnTimer(h.Now);
        Assert.Empty(h.Drain());
        Assert.False(h.Engine.LeaseLapsed);

        h.Advance(1);
        h.Engine.OnTimer(h.Now);
        var cancels = h.Drain();
        Assert.Equal(2, cancels.Length);
        Assert.All(cancels, c => Assert.Equal(CommandKind.Cancel, c.Kind));
        Assert.Equal(new[] { bid, ask }.OrderBy(i => i.Sequence), cancels.Select(c => c.OrigClientOrderId).OrderBy(i => i.Sequence));
        Assert.True(h.Engine.LeaseLapsed);
        Assert.Equal(1, h.Engine.Counters.LeaseLapses);
        h.Canceled(bid);
        h.Canceled(ask);
        Assert.Equal(0, h.Engine.LiveOrderCount(0));

        // A new quote intent: nothing.
        h.Quote(Bid - 20, Harness.OneBtc, Ask + 20, Harness.OneBtc);
        Assert.Empty(h.Drain());

        // A later renewal cannot revive a lapsed engine: the deadline stays, quotes and timers send nothing.
        long lapsedDeadline = h.Engine.SendDeadlineNs;
        h.Engine.SetSendDeadline(h.Now + 60 * Second, h.Now);
        Assert.True(h.Engine.LeaseLapsed);
        Assert.Equal(lapsedDeadline, h.Engine.SendDeadlineNs);
        h.Quote(Bid - 30, Harness.OneBtc, Ask + 30, Harness.OneBtc);
        h.Engine.OnTimer(h.Now);
        h.Advance(5_000);
        h.Engine.OnTimer(h.Now);
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Engine.Counters.Places);
        Assert.Equal(1, h.Engine.Counters.LeaseLapses);
    }

    [Fact]
    public void LoseLease_CancelsEveryOrderAtOnce_BusyOnesWhenAnswered_AndNothingIsQuotedAfter()
    {
        var h = new Harness();
        h.Engine.SetSendDeadline(h.Now + 60 * Second, h.Now);
        var (bid, ask) = QuotedAndAcked(h);

        h.Engine.LoseLease(h.Now);
        var cancels = h.Drain();
        Assert.Equal(2, cancels.Length);
        Assert.All(cancels, c => Assert.Equal(CommandKind.Cancel, c.Kind));
        Assert.True(h.Engine.LeaseLapsed);
        Assert.True(h.Engine.SendDeadlineNs <= h.Now);

        h.Canceled(bid);
        h.Canceled(ask);
        h.Quote(Bid - 20, Harness.OneBtc, Ask + 20, Harness.OneBtc);
        h.Engine.SetSendDeadline(h.Now + 60 * Second, h.Now);
        h.Quote(Bid - 30, Harness.OneBtc, Ask + 30, Harness.OneBtc);
        h.Engine.OnTimer(h.Now);
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Engine.Counters.Places);
    }

    [Fact]
    public void LoseLease_WithPlacesInFlight_CancelsEachOnceItIsAcked()
    {
        var h = new Harness();
        h.Engine.SetSendDeadline(h.Now + 60 * Second, h.Now);
        h.Quote(Bid, Harness.OneBtc, Ask, Harness.OneBtc);
        var places = h.Drain();
        Assert.Equal(2, places.Length);

        h.Engine.LoseLease(h.Now);
        Assert.Empty(h.Drain()); // never on top of a command in flight
        foreach (var p in places)
        {
            h.Ack(p.ClientOrderId);
            Assert.Equal(p.ClientOrderId, h.Single(CommandKind.Cancel).OrigClientOrderId);
        }
    }

    [Fact]
    public void Unbound_NeverSetSendDeadline_SendsAsBefore()
    {
        var h = new Harness();
        Assert.Equal(long.MaxValue, h.Engine.SendDeadlineNs);
        h.Advance(3_600_000);
        h.Market();
        var (bid, _) = QuotedAndAcked(h);
        h.Engine.OnTimer(h.Now);
        Assert.Empty(h.Drain());
        h.Quote(Bid - 10, Harness.OneBtc, Ask, Harness.OneBtc);
        Assert.Equal(bid, h.Single(CommandKind.CancelReplace).OrigClientOrderId);
        Assert.False(h.Engine.LeaseLapsed);
        Assert.Equal(0, h.Engine.Counters.LeaseRefusals);
        Assert.Equal(0, h.Engine.Counters.LeaseLapses);
    }

    [Fact]
    public void SetSendDeadline_OnlyExtends_AndOneAlreadyPassedLapsesAtOnce()
    {
        var h = new Harness();
        long start = h.Now;
        h.Engine.SetSendDeadline(start + 2 * Second, start);
        h.Engine.SetSendDeadline(start + Second, start);
        Assert.Equal(start + 2 * Second, h.Engine.SendDeadlineNs);
        h.Engine.SetSendDeadline(start + 3 * Second, start);
        Assert.Equal(start + 3 * Second, h.Engine.SendDeadlineNs);
        Assert.False(h.Engine.LeaseLapsed);

        var late = new Harness();
        QuotedAndAcked(late);
        late.Advance(10);
        late.Engine.SetSendDeadline(late.Now - 1, late.Now); // the first renewal arrived after its own deadline
        Assert.True(late.Engine.LeaseLapsed);
        Assert.Equal(2, late.Drain().Count(c => c.Kind == CommandKind.Cancel));
    }
}
