using Fathom.Hosting;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// The demo's core (feed core, analyzer, market maker, execution, risk) on virtual time, fed Binance
/// frames through the same parser and sync as live: a feed fault must pull every resting quote within
/// the stale-book grace period, and no new quote may go out until the book is live again.
/// </summary>
public class FeedFaultTests
{
    private static readonly InstrumentSpec Btc = Fathom.Testing.Specs.BtcUsdt;

    private const long GraceNs = 1_000_000_000; // RiskLimits.StaleBookGraceNs default

    /// <summary>Acks places and confirms cancels at once, in process; keeps what rests.</summary>
    private sealed class InstantVenue(Func<TradingEngine> engine) : IOrderGateway
    {
        public readonly HashSet<ClientOrderId> Resting = [];
        public readonly List<(OrderCommand Command, long AtNs)> Sent = [];
        public long NowNs;
        public bool IsReady => true;

        public void Send(in OrderCommand c)
        {
            Sent.Add((c, NowNs));
            switch (c.Kind)
            {
                case CommandKind.Place:
                    Resting.Add(c.ClientOrderId);
                    engine().OnAck(new AckReport(c.InstrumentId, c.ClientOrderId, c.ClientOrderId.Sequence, c.IssuedNs));
                    break;
                case CommandKind.CancelReplace:
                    Resting.Remove(c.OrigClientOrderId);
                    engine().OnCanceled(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, c.IssuedNs));
                    Resting.Add(c.NewClientOrderId);
                    engine().OnAck(new AckReport(c.InstrumentId, c.NewClientOrderId, c.NewClientOrderId.Sequence, c.IssuedNs));
                    break;
                case CommandKind.Cancel:
                    Resting.Remove(c.OrigClientOrderId);
                    engine().OnCanceled(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, c.IssuedNs));
                    break;
            }
        }

        public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
        public void CancelAll(int instrumentId, ClientOrderId cancelId) => Resting.Clear();
        public Task<IReadOnlyList<OrderStatusReport>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel) => Task.FromResult<IReadOnlyList<OrderStatusReport>>([]);
        public Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel) => Task.FromResult<IReadOnlyList<FillReport>>([]);
        public Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel) => Task.FromResult<IReadOnlyList<VenueBalance>>([]);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    public enum Fault { SequenceGap, Disconnect }

    [Theory]
    [InlineData(Fault.SequenceGap)]
    [InlineData(Fault.Disconnect)]
    public void FeedFault_PullsEveryQuoteWithinGrace_AndQuotesNothingUntilLive(Fault fault)
    {
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        var core = new BinanceFeedCore([Btc]);
        TradingEngine engine = null!;
        var venue = new InstantVenue(() => engine);
        CoreParts parts = CoreComposition.Build(core, DemoCore.Setup(Btc, 1, 1), clock, new InMemorySequenceReservation());
        engine = parts.Engine;
        engine.AttachGateway(venue);
        engine.Start();

        var rng = new Random(3);
        long wallNs = 1_700_000_000_000_000_000, id = 1_000, mid = 1_000_000;
        void Step(long first, long last)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            wallNs += 10_000_000;
            venue.NowNs = clock.NowNanos();
            lock (core.CoreLock)
                core.ApplyFrame(CoreWarmup.Diff("BTCUSDT", Btc, first, last, mid, Btc.TickSize.Raw, 1_000_000, rng, wallNs), venue.NowNs, wallNs, 1);
            engine.OnTimer();
        }

        Step(id + 1, id + 1);
        lock (core.CoreLock)
            core.ApplySnapshot(0, 1000, CoreWarmup.Snapshot(Btc, id, mid, Btc.TickSize.Raw, 1_000_000), clock.NowNanos(), wallNs);
        id++;
        for (int i = 0; i < 300; i++, id += 2)
            Step(id + 1, id + 2);
        Assert.True(core.Books[0].IsLive);
        Assert.True(venue.Resting.Count >= 2, $"quoting both sides before the fault: {venue.Resting.Count} resting, risk {parts.Risk.State}");

        // The fault.
        long faultNs = clock.NowNanos();
        int sentBefore = venue.Sent.Count;
        if (fault == Fault.SequenceGap)
        {
            id += 50; // frames lost: the next diff does not chain
            Step(id + 1, id + 2);
            id += 2;
        }
        else
        {
            lock (core.CoreLock)
                core.MarkAllStale(StaleReason.Disconnected, faultNs, wallNs);
        }
        Assert.False(core.Books[0].IsLive);

        // Virtual time passes in timer ticks (no frames: the feed is down or resyncing); quotes must be gone within grace.
        while (venue.Resting.Count > 0 && clock.NowNanos() - faultNs <= GraceNs)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            venue.NowNs = clock.NowNanos();
            engine.OnTimer();
        }
        Assert.Empty(venue.Resting);
        var after = venue.Sent.Skip(sentBefore).ToList();
        Assert.All(after, s => Assert.True(s.AtNs - faultNs <= GraceNs, $"{s.Command.Kind} {(s.AtNs - faultNs) / 1e6} ms after the fault"));
        Assert.DoesNotContain(after, s => s.Command.Kind is CommandKind.Place or CommandKind.CancelReplace);

        // Still down for a while longer: nothing new goes out.
        int pulled = venue.Sent.Count;
        for (int i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            venue.NowNs = clock.NowNanos();
            engine.OnTimer();
        }
        Assert.Equal(pulled, venue.Sent.Count);
        Assert.Null(engine.StrategyError);
    }
}
