using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Risk;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The lease keeper's inputs (issue 17) through the engine's door: each is journaled, a replay of the journal
/// reaches the same state and commands, the packed arguments (instrument, amount) arrive intact, and a store
/// fault under <see cref="TradingEngine.StoreFaultLosesLease"/> loses the lease instead of halting.
/// </summary>
public partial class TradingEngineTests
{
    private const long TickRaw = 1_000_000; // Specs.Btc and Specs.Eth: 0.01 at 8 decimals

    /// <summary>Two instruments (BTCUSDT 0, ETHUSDT 1), a market maker on each.</summary>
    private static CoreRig TwoMakerRig(CoreJournal? journal = null, bool start = true) =>
        new(CoreRig.Setup([Specs.Btc, Specs.Eth], CoreRig.Maker(0), CoreRig.Maker(1)), journal: journal, start: start);

    /// <summary>What the lease inputs leave behind, compared between the live core and its replay.</summary>
    private sealed record LeaseState(
        long SendDeadlineNs, bool LeaseLapsed, long Quota0, long Quota1, int BudgetQuota, (Price, Price) Peer0, (Price, Price) Peer1,
        long LeaseRefusals, long LeaseLapses, long PeerCrossRefusals, long QuotaRefusals, string Commands);

    private static LeaseState LeaseStateOf(CoreRig rig)
    {
        ExecutionEngine x = rig.Engine.Execution;
        return new LeaseState(x.SendDeadlineNs, x.LeaseLapsed, x.Risk.PositionQuota(0), x.Risk.PositionQuota(1), x.Risk.OrderBudgetQuota,
            x.PeerQuotes(0), x.PeerQuotes(1), x.Counters.LeaseRefusals, x.Counters.LeaseLapses, x.Counters.PeerCrossRefusals,
            x.Risk.Counters.RefusedBy(RiskDecision.PositionQuota),
            string.Join("\n", rig.Gateway.Sent.Select(c => $"{c.Kind} {c.InstrumentId} {c.Side} {c.Price.Raw} {c.Qty.Raw} {c.ClientOrderId} {c.OrigClientOrderId}")));
    }

    /// <summary>
    /// <see cref="CoreRig.Market"/> through the feed core's journaled door (a REST depth snapshot, the book marked
    /// stale first as a resync does), so a replay of the journal sees the same market.
    /// </summary>
    private static void JournaledMarket(CoreRig rig, int instrument, long bid, long ask, long id)
    {
        string Px(long ticks) => (ticks / 100).ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + (ticks % 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        string body = $"{{\"lastUpdateId\":{id},\"bids\":[[\"{Px(bid)}\",\"0.05\"],[\"{Px(bid - 1)}\",\"0.05\"]],\"asks\":[[\"{Px(ask)}\",\"0.05\"],[\"{Px(ask + 1)}\",\"0.05\"]]}}";
        long wallNs = (rig.Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        lock (rig.CoreLock)
        {
            if (rig.Books[instrument].IsLive)
                rig.Core.MarkStale(instrument, StaleReason.Disconnected, rig.Now, wallNs);
            rig.Core.ApplySnapshot(instrument, 1000, System.Text.Encoding.UTF8.GetBytes(body), rig.Now, wallNs);
        }
        Assert.True(rig.Books[instrument].IsLive, $"book {instrument} is live after the snapshot");
    }

    private static void AckPlaces(CoreRig rig, int from)
    {
        foreach (OrderCommand c in rig.Gateway.Sent.Skip(from).Where(c => c.Kind == CommandKind.Place).ToArray())
            rig.Engine.OnAck(new AckReport(c.InstrumentId, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));
    }

    [Fact]
    public void LeaseInputs_AreJournaled_AndAReplayReachesTheSameStateAndCommands()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fathom-lease-{Guid.NewGuid():N}.fathomjnl");
        try
        {
            LeaseState live;
            long deadline;
            using (var journal = CoreJournal.Create(path))
            {
                var rig = TwoMakerRig(journal);
                deadline = rig.Now + 10 * Second;
                rig.Engine.ExtendLease(deadline);
                // Instrument 1 in the top bits: a quota that lands on instrument 0 would refuse its quotes.
                rig.Engine.SetPositionQuota(1, 1_234_567);
                rig.Engine.SetPositionQuota(0, 7_000); // below one quote (0.0001 = 10 000 raw): instrument 0 quotes nothing
                rig.Engine.SetOrderBudgetQuota(500);
                rig.Engine.SetPeerQuotes(1, new Price(9_990 * TickRaw), new Price(10_000 * TickRaw));

                JournaledMarket(rig, 0, 10_000, 10_010, 1);
                Assert.Empty(rig.Gateway.Sent);
                Assert.Equal(2, rig.Engine.Execution.Risk.Counters.RefusedBy(RiskDecision.PositionQuota));

                // The maker's bid on instrument 1 reaches the peer's ask: refused; its ask goes.
                JournaledMarket(rig, 1, 10_000, 10_010, 1);
                OrderCommand only = Assert.Single(rig.Gateway.Sent);
                Assert.Equal((CommandKind.Place, 1, OrderSide.Sell), (only.Kind, only.InstrumentId, only.Side));
                Assert.Equal(1, rig.Engine.Execution.Counters.PeerCrossRefusals);

                // All ones lifts the quota (long.MaxValue does not fit in 48 bits).
                rig.Engine.SetPositionQuota(0, long.MaxValue);
                JournaledMarket(rig, 0, 10_001, 10_011, 2);
                Assert.Equal(3, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));
                AckPlaces(rig, 0);

                // The lease is lost: every resting order is cancelled, nothing is quoted after.
                rig.Engine.LoseLease();
                Assert.Equal(3, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Cancel));
                rig.Engine.ExtendLease(rig.Now + 60 * Second);
                JournaledMarket(rig, 0, 10_020, 10_030, 3);
                rig.Time.Advance(TimeSpan.FromSeconds(1));
                rig.Engine.OnTimer();
                Assert.Equal(6, rig.Gateway.Sent.Count);

                live = LeaseStateOf(rig);
                journal.Flush();
            }

            // The arguments arrived as given: instrument and amount unpacked, the other instrument untouched.
            Assert.True(live.LeaseLapsed);
            Assert.True(live.SendDeadlineNs <= deadline, $"deadline {live.SendDeadlineNs} after the lost lease");
            Assert.Equal((long.MaxValue, 1_234_567L), (live.Quota0, live.Quota1));
            Assert.Equal(500, live.BudgetQuota);
            Assert.Equal((Price.Zero, Price.Zero), live.Peer0);
            Assert.Equal((new Price(9_990 * TickRaw), new Price(10_000 * TickRaw)), live.Peer1);
            Assert.Equal(1, live.LeaseLapses);

            var replayed = TwoMakerRig(start: false);
            int operatorInputs = 0;
            using (var reader = CoreJournalReader.Open(path))
            {
                while (reader.TryRead(out JournalEntry e))
                {
                    if (e.Kind is RecordKind.JournalMeta or RecordKind.IdReservation or RecordKind.CommandOut)
                        continue;
                    replayed.Time.AdvanceToNanos(e.MonoNs);
                    lock (replayed.CoreLock)
                        Assert.True(replayed.Core.Replay(e) || replayed.Engine.Replay(e), $"unknown journal input {e.Kind}");
                    if (e.Kind == RecordKind.OperatorCommand && (JournalOperatorKind)e.Arg is >= JournalOperatorKind.LeaseDeadline and <= JournalOperatorKind.PeerAsk)
                        operatorInputs++;
                }
                Assert.Null(reader.Problem);
            }
            // ExtendLease ×2, LoseLease, SetPositionQuota ×3, SetOrderBudgetQuota, SetPeerQuotes (bid and ask).
            Assert.Equal(9, operatorInputs);
            Assert.Equal(live, LeaseStateOf(replayed));

            // And the product's own replay finds the command stream identical byte for byte.
            JournalReplay.Result result = JournalReplay.Run(path);
            Assert.True(result.Identical, result.FirstDifference ?? result.JournalProblem);
            Assert.Equal(6, result.ReplayedCommands);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A store that takes every record; the test plays its writer failing through <see cref="FaultObserver"/>.</summary>
    private sealed class FailingWriterStore : AcceptingTradeStore
    {
        private string? _failure;
        public override string? Failure => _failure;

        public void WriterFails(string reason)
        {
            _failure = reason;
            FaultObserver!(reason); // as the writer's thread does: no core lock held
        }
    }

    private static (CoreRig Rig, FailingWriterStore Store) QuotingWithStore(bool storeFaultLosesLease)
    {
        var rig = NewRig();
        var store = new FailingWriterStore();
        rig.Engine.Store = store;
        rig.Engine.StoreFaultLosesLease = storeFaultLosesLease;
        rig.Engine.ExtendLease(rig.Now + 60 * Second);
        rig.Market(10_000, 10_010, 1);
        AckAll(rig);
        Assert.Equal(2, rig.Gateway.Sent.Count);
        return (rig, store);
    }

    [Fact]
    public void StoreFault_WithStoreFaultLosesLease_LosesTheLeaseWithoutAHalt()
    {
        var (rig, store) = QuotingWithStore(storeFaultLosesLease: true);
        store.WriterFails("disk I/O error");

        Assert.True(rig.Engine.Execution.LeaseLapsed);
        Assert.Null(rig.Engine.HaltReason);
        Assert.Equal(0, rig.Engine.FaultHalts);
        Assert.NotEqual(RiskState.Halted, rig.Engine.Execution.Risk.State);
        Assert.Contains("trade store: disk I/O error", rig.Engine.LeaseLostReason);
        Assert.Equal(2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Cancel));
        rig.Market(10_020, 10_030, 2);
        Assert.Equal(2, rig.Gateway.Sent.Count(c => c.Kind == CommandKind.Place));

        List<string> problems;
        string metrics;
        lock (rig.CoreLock)
        {
            problems = PrometheusMetrics.Problems(rig.Engine, rig.Books);
            metrics = PrometheusMetrics.Build(rig.Engine, rig.Books);
        }
        Assert.Contains(problems, p => p.StartsWith("lease lost: trade store: disk I/O error", StringComparison.Ordinal));
        Assert.Contains("fathom_lease_lapsed 1\n", metrics);
    }

    [Fact]
    public void StoreFault_WithoutStoreFaultLosesLease_HaltsAsBefore()
    {
        var (rig, store) = QuotingWithStore(storeFaultLosesLease: false);
        store.WriterFails("disk I/O error");

        Assert.False(rig.Engine.Execution.LeaseLapsed);
        Assert.Contains("trade store: disk I/O error", rig.Engine.HaltReason);
        Assert.Equal(1, rig.Engine.FaultHalts);
        Assert.Equal(RiskState.Halted, rig.Engine.Execution.Risk.State);
        Assert.Null(rig.Engine.LeaseLostReason);
        string metrics;
        lock (rig.CoreLock)
            metrics = PrometheusMetrics.Build(rig.Engine, rig.Books);
        Assert.Contains("fathom_lease_lapsed 0\n", metrics);
    }
}
