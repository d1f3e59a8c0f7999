using System.Runtime.CompilerServices;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// <see cref="ExecutionEngine.Rehearse"/> and <see cref="RiskManager.Rehearse"/>: the decision path of a requote run for
/// its cache lines on inputs that send nothing. It must build what the real path would send and change nothing at all.
/// </summary>
public class RehearsalTests
{
    private const long Bid = QuoteManagementTests.Bid, Ask = QuoteManagementTests.Ask;

    private static (Harness h, ClientOrderId bid, ClientOrderId ask) TwoSided() => QuoteManagementTests.TwoSided();

    /// <summary>Every public field of both counter sets, the queue, the transitions seen and the risk windows, as text.</summary>
    private static string State(Harness h) =>
        string.Join(" ", typeof(ExecutionCounters).GetFields().Select(f => $"{f.Name}={f.GetValue(h.Engine.Counters)}")) +
        $" | checks={h.Risk.Counters.Checks} refusals={h.Risk.Counters.Refusals} gate={h.Risk.GateOf(0)} risk={h.Risk.State}" +
        $" | queued={h.Engine.Commands.Count} transitions={h.Transitions.Count} live={h.Engine.LiveOrderCount(0)} busy={h.Engine.InFlight(0)}";

    [Fact]
    public void Rehearse_OfAStandingTwoSidedQuote_BuildsEachSidesRequote_AndChangesNothing()
    {
        var (h, bid, ask) = TwoSided();
        string before = State(h);
        ClientOrderId next = h.Ids.Peek();

        var seen = new List<OrderCommand>();
        for (int i = 0; i < 4; i++)
        {
            ref readonly OrderCommand c = ref h.Engine.Rehearse(0, h.Now);
            Assert.False(Unsafe.IsNullRef(in c));
            seen.Add(c);
        }

        // Sides alternate; each is the cancel-replace of that side's resting quote, at its target, with the ids the
        // real path would take next (none of them taken).
        Assert.Equal([OrderSide.Sell, OrderSide.Buy, OrderSide.Sell, OrderSide.Buy], seen.Select(c => c.Side));
        foreach (OrderCommand c in seen)
        {
            bool buy = c.Side == OrderSide.Buy;
            Assert.Equal(CommandKind.CancelReplace, c.Kind);
            Assert.Equal(buy ? bid : ask, c.OrigClientOrderId);
            Assert.Equal(buy ? Bid : Ask, c.Price.Raw);
            Assert.Equal(Harness.OneBtc, c.Qty.Raw);
            Assert.Equal(next, c.ClientOrderId);
            Assert.Equal(next.Sequence + 1, c.NewClientOrderId.Sequence);
        }
        Assert.Equal(before, State(h));

        // The real requote after the rehearsals takes exactly the ids it would have taken without them.
        h.Quote(Bid - 5, Harness.OneBtc, Ask, Harness.OneBtc);
        OrderCommand real = h.Single(CommandKind.CancelReplace);
        Assert.Equal(next, real.ClientOrderId);
        Assert.Equal(bid, real.OrigClientOrderId);
    }

    [Fact]
    public void Rehearse_WithNothingResting_BuildsThePlace_EvenWhereRiskWouldRefuseIt_AndCountsNoRefusal()
    {
        var h = new Harness();
        // A target risk refuses (3 BTC against a 2 BTC order limit): nothing rests, the target stands.
        h.Quote(Bid, 3 * Harness.OneBtc, Ask, 3 * Harness.OneBtc);
        Assert.Empty(h.Drain());
        Assert.Equal(0, h.Engine.LiveOrderCount(0));
        string before = State(h);

        ref readonly OrderCommand c0 = ref h.Engine.Rehearse(0, h.Now);
        Assert.False(Unsafe.IsNullRef(in c0));
        Assert.Equal(CommandKind.Place, c0.Kind);
        Assert.Equal((OrderSide.Sell, Ask, 3 * Harness.OneBtc, h.Ids.Peek()), (c0.Side, c0.Price.Raw, c0.Qty.Raw, c0.ClientOrderId));
        Assert.Equal(before, State(h));
    }

    [Fact]
    public void Rehearse_WithoutAQuoteTarget_OrAnUnknownInstrument_GivesNothing()
    {
        var h = new Harness();
        Assert.True(Unsafe.IsNullRef(in h.Engine.Rehearse(0, h.Now)));
        Assert.True(Unsafe.IsNullRef(in h.Engine.Rehearse(5, h.Now)));
        Assert.True(Unsafe.IsNullRef(in h.Engine.Rehearse(-1, h.Now)));
    }

    [Fact]
    public void RiskRehearse_RefusingOrder_DecidesAsTheCheck_ButCountsNothingAndTellsNoObserver()
    {
        var h = new Harness();
        int observed = 0;
        h.Risk.RefusalObserver = (_, _, _) => observed++;
        // Beyond the order size limit (2 BTC).
        var tooBig = new OrderCheck(0, OrderSide.Buy, new Price(Bid), new Qty(3 * Harness.OneBtc), Qty.Zero, Price.Zero);
        var fine = new OrderCheck(0, OrderSide.Buy, new Price(Bid), new Qty(Harness.OneBtc), Qty.Zero, Price.Zero);

        Assert.Equal(RiskDecision.MaxOrderQty, h.Risk.Rehearse(tooBig, h.Now));
        Assert.Equal(RiskDecision.Allowed, h.Risk.Rehearse(fine, h.Now));
        Assert.Equal((0L, 0L, 0), (h.Risk.Counters.Checks, h.Risk.Counters.Refusals, observed));

        Assert.Equal(RiskDecision.MaxOrderQty, h.Risk.CheckNewOrder(tooBig, h.Now));
        Assert.Equal((1L, 1L, 1), (h.Risk.Counters.Checks, h.Risk.Counters.Refusals, observed));
    }

    [Fact]
    public void RiskRehearse_PastTheEndOfACoolDown_LeavesTheGateToTheRealCheck()
    {
        var h = new Harness();
        h.Risk.TransitionGate(0, InstrumentGateTrigger.MarkoutBreach, h.Now);
        Assert.Equal(InstrumentGate.Cooling, h.Risk.GateOf(0));
        h.Advance(Harness.Limits().MarkoutCooldownNs / 1_000_000 + 1);
        var check = new OrderCheck(0, OrderSide.Buy, new Price(Bid), new Qty(Harness.OneBtc), Qty.Zero, Price.Zero);

        // The rehearsal moves no gate (a transition is journaled and stored: only the real path may make one).
        Assert.Equal(RiskDecision.ReduceOnly, h.Risk.Rehearse(check, h.Now));
        Assert.Equal(InstrumentGate.Cooling, h.Risk.GateOf(0));

        Assert.Equal(RiskDecision.Allowed, h.Risk.CheckNewOrder(check, h.Now));
        Assert.Equal(InstrumentGate.Open, h.Risk.GateOf(0));
    }
}

/// <summary><see cref="OrderTable.Touch"/>: reads every cache line of a slot (its value follows each line's contents) and changes nothing.</summary>
public class OrderTableTouchTests
{
    [Fact]
    public void Touch_FollowsEveryLineOfTheSlot_AndLeavesItAsItWas()
    {
        var table = new OrderTable(8);
        ref OrderRecord r = ref table.Claim(3);
        r.Id = new ClientOrderId(1, 1, 3);
        long empty = table.Touch(3);
        Assert.Equal(empty, table.Touch(3 + 8)); // the same slot, a ring later
        OrderRecord copy = r;

        // A change in any of the record's 64-byte lines shows in what Touch returns.
        Assert.True(Unsafe.SizeOf<OrderRecord>() > 128, "the record spans three lines");
        ref byte bytes = ref Unsafe.As<OrderRecord, byte>(ref r);
        for (int line = 0; line * 64 < Unsafe.SizeOf<OrderRecord>(); line++)
        {
            ref long word = ref Unsafe.As<byte, long>(ref Unsafe.Add(ref bytes, line * 64));
            word ^= 0x5A5A;
            Assert.NotEqual(empty, table.Touch(3));
            word ^= 0x5A5A;
        }
        Assert.Equal(empty, table.Touch(3));
        Assert.Equal(copy, table.Find(3));
    }
}
