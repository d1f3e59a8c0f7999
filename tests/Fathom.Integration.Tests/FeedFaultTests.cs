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

    public enum Fault { SequenceGap, Disconnect }

    [Theory]
    [InlineData(Fault.SequenceGap)]
    [InlineData(Fault.Disconnect)]
    public void FeedFault_PullsEveryQuoteWithinGrace_AndQuotesNothingUntilLive(Fault fault)
    {
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        var core = new BinanceFeedCore([Btc]);
        CoreParts parts = CoreComposition.Build(core, DemoCore.Setup(Btc, 1, 1), clock, new InMemorySequenceReservation());
        TradingEngine engine = parts.Engine;
        // Acks places and confirms cancels at once, in process; keeps what rests and every command.
        var venue = new InstantVenue(engine, record: true);
        engine.AttachGateway(venue);
        engine.Start();

        var rng = new Random(3);
        long wallNs = 1_700_000_000_000_000_000, id = 1_000, mid = 1_000_000;
        void Step(long first, long last)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            wallNs += 10_000_000;
            lock (core.CoreLock)
                core.ApplyFrame(CoreWarmup.Diff("BTCUSDT", Btc, first, last, mid, Btc.TickSize.Raw, 1_000_000, rng, wallNs), clock.NowNanos(), wallNs, 1);
            engine.OnTimer();
        }

        Step(id + 1, id + 1);
        lock (core.CoreLock)
            core.ApplySnapshot(0, 1000, CoreWarmup.Snapshot(Btc, id, mid, Btc.TickSize.Raw, 1_000_000), clock.NowNanos(), wallNs);
        id++;
        for (int i = 0; i < 300; i++, id += 2)
            Step(id + 1, id + 2);
        Assert.True(core.Books[0].IsLive);
        Assert.True(venue.RestingCount >= 2, $"quoting both sides before the fault: {venue.RestingCount} resting, risk {parts.Risk.State}");

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
        while (venue.RestingCount > 0 && clock.NowNanos() - faultNs <= GraceNs)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            engine.OnTimer();
        }
        Assert.Equal(0, venue.RestingCount);
        var after = venue.Sent.Skip(sentBefore).ToList();
        Assert.All(after, c => Assert.True(c.IssuedNs - faultNs <= GraceNs, $"{c.Kind} {(c.IssuedNs - faultNs) / 1e6} ms after the fault"));
        Assert.DoesNotContain(after, c => c.Kind is CommandKind.Place or CommandKind.CancelReplace);

        // Still down for a while longer: nothing new goes out.
        int pulled = venue.Sent.Count;
        for (int i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(20));
            engine.OnTimer();
        }
        Assert.Equal(pulled, venue.Sent.Count);
        Assert.Null(engine.StrategyError);
    }
}
