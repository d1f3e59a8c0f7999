using Fathom.Book;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Hosting;
using Xunit;

namespace Fathom.Engine.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}

/// <summary>Venue reports and timer ticks through the engine, journaled, allocate nothing in steady state.</summary>
[Collection(AllocationCollection.Name)]
public class EngineAllocationTests
{
    [Fact]
    public void ReportsAndTimers_WithAJournalAttached_AllocateNothing()
    {
        using var stream = new MemoryStream(64 << 20);
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        TradingEngineTests.RigForAllocation rig = TradingEngineTests.NewRigForAllocation(journal);
        rig.Market(10_000, 10_010, 1);
        OrderCommand[] sent = rig.Sent();
        Assert.NotEmpty(sent);
        var state = (rig, sent, now: rig.Now); // the rig's Now builds a clock: read it once
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 50; i++)
            {
                // Acks (repeated: duplicates after the first) and expiries for orders the engine knows, and timer ticks.
                foreach (OrderCommand c in s.sent)
                    s.rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, 0));
                s.rig.Engine.OnExpired(new ExpiredReport(0, new ClientOrderId(9, 9, 9), s.now));
                s.rig.Engine.OnTimer();
            }
        });
        journal.Dispose();
    }

    [Fact]
    public void FillsOfKnownOrders_WithAJournalAttached_AllocateNothing()
    {
        using var stream = new MemoryStream(64 << 20);
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        // Keeps the first commands in a list allocated up front and counts the rest: sending allocates nothing.
        var gateway = new RecordingGateway(keep: 16);
        TradingEngineTests.RigForAllocation rig = TradingEngineTests.NewRigForAllocation(journal, gateway);
        rig.Market(10_000, 10_010, 1);
        Assert.Equal(2, gateway.Sends);
        OrderCommand buy = gateway.Sent.Single(c => c.Side == OrderSide.Buy);
        OrderCommand sell = gateway.Sent.Single(c => c.Side == OrderSide.Sell);
        rig.Engine.OnAck(new AckReport(0, buy.ClientOrderId, 1000 + buy.ClientOrderId.Sequence, rig.Now));
        rig.Engine.OnAck(new AckReport(0, sell.ClientOrderId, 1000 + sell.ClientOrderId.Sequence, rig.Now));
        // Each round fills both quotes by one raw unit (new trade ids: applied, not repeats), so the
        // position stays flat and the orders stay partially filled through every measured run; the
        // strategy requotes on each fill and the recent-fills ring is written each time.
        var state = (rig, buy, sell, now: rig.Now, tradeId: new long[1]);
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 50; i++)
            {
                s.rig.Engine.OnFill(new FillReport(0, s.buy.ClientOrderId, 1000 + s.buy.ClientOrderId.Sequence, ++s.tradeId[0],
                    OrderSide.Buy, s.buy.Price, new Qty(1), new Qty(1), 0, Qty.Zero, true, s.now));
                s.rig.Engine.OnFill(new FillReport(0, s.sell.ClientOrderId, 1000 + s.sell.ClientOrderId.Sequence, ++s.tradeId[0],
                    OrderSide.Sell, s.sell.Price, new Qty(1), new Qty(1), 0, Qty.Zero, true, s.now));
            }
        });
        Assert.True(state.tradeId[0] > 2 * TradingEngine.RecentFillCapacity, "the ring wrapped while measured");
        Assert.Equal(state.tradeId[0], rig.Engine.Fills);
        journal.Dispose();
    }

    /// <summary>The venue's answers to what the core sent, kept in arrays allocated up front.</summary>
    private sealed class Answers
    {
        public readonly OrderCommand[] Pending = new OrderCommand[64];
        public int Count;
        public long Sent;
    }

    [Fact]
    public void MarketDataToQuoteToCommand_UnderALeaseWithPeerQuotes_AllocatesNothing()
    {
        const long TickRaw = 1_000_000, Second = 1_000_000_000;
        using var stream = new MemoryStream(64 << 20);
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        var answers = new Answers();
        var gateway = new RecordingGateway(keep: 16)
        {
            OnSend = c =>
            {
                answers.Sent++;
                if (answers.Count < answers.Pending.Length)
                    answers.Pending[answers.Count++] = c;
            },
        };
        TradingEngineTests.RigForAllocation rig = TradingEngineTests.NewRigForAllocation(journal, gateway);
        // Bound to a lease far in the future, with other instances quoting well away from us: the fence and the
        // peer check run on every order, and neither refuses.
        long farDeadline = rig.Now + 100L * 86_400 * Second;
        rig.Engine.ExtendLease(farDeadline);
        rig.Engine.SetPeerQuotes(0, new Price(9_000 * TickRaw), new Price(11_000 * TickRaw));
        var state = (rig, answers, lease: farDeadline, id: new long[] { 1 },
            a: (Bids: new[] { new Level(10_000, 5_000_000), new Level(9_999, 5_000_000) }, Asks: new[] { new Level(10_010, 5_000_000), new Level(10_011, 5_000_000) }),
            b: (Bids: new[] { new Level(10_004, 5_000_000), new Level(10_003, 5_000_000) }, Asks: new[] { new Level(10_014, 5_000_000), new Level(10_015, 5_000_000) }));
        Step(state, state.a);
        Assert.Equal(2, answers.Sent); // both sides placed under the lease
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 20; i++)
            {
                // A second passes (under the order rate and budget) and the market moves by four ticks and back:
                // every move reprices both quotes (cancel-replace).
                s.rig.Advance(TimeSpan.FromSeconds(1));
                Step(s, (i & 1) == 0 ? s.b : s.a);
                // The lease keeper's renewal and the peers' publication arrive as inputs too.
                s.rig.Engine.ExtendLease(s.lease + i);
                s.rig.Engine.SetPeerQuotes(0, new Price((9_000 + (i & 1)) * TickRaw), new Price(11_000 * TickRaw));
            }
        }, warmups: 10);

        var x = rig.Engine.Execution;
        Assert.True(answers.Sent > 100, $"the workload sent {answers.Sent} commands; risk refusals {x.Counters.RiskRefusals} ({x.LastRiskDecision}), kept {x.Counters.QuotesKept}, busy {x.Counters.DeferredBusy}, replaces {x.Counters.CancelReplaces}");
        Assert.True(x.Counters.CancelReplaces > 50, $"{x.Counters.CancelReplaces} cancel-replaces");
        Assert.False(x.LeaseLapsed);
        Assert.Equal(0, x.Counters.LeaseRefusals);
        Assert.Equal(0, x.Counters.PeerCrossRefusals);
        Assert.NotEqual(long.MaxValue, x.SendDeadlineNs);
        Assert.Equal(new Price(11_000 * TickRaw), x.PeerQuotes(0).Ask);
        journal.Dispose();

        // One market move, then the venue answers what it caused (places acked, replaced orders cancelled and their new legs acked).
        static void Step((TradingEngineTests.RigForAllocation rig, Answers answers, long lease, long[] id,
            (Level[] Bids, Level[] Asks) a, (Level[] Bids, Level[] Asks) b) s, (Level[] Bids, Level[] Asks) market)
        {
            s.rig.Snapshot(++s.id[0], market.Bids, market.Asks);
            Answers w = s.answers;
            for (int k = 0; k < w.Count; k++)
            {
                OrderCommand c = w.Pending[k];
                switch (c.Kind)
                {
                    case CommandKind.Place:
                        s.rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, 0));
                        break;
                    case CommandKind.CancelReplace:
                        s.rig.Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, 0));
                        s.rig.Engine.OnAck(new AckReport(0, c.NewClientOrderId, 1000 + c.NewClientOrderId.Sequence, 0));
                        break;
                    case CommandKind.Cancel:
                        s.rig.Engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, 0));
                        break;
                }
            }
            w.Count = 0;
        }
    }
}
