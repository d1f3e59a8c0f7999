using Fathom.Book;
using OrderSide = Fathom.Simulator.OrderSide;
using Fathom.MarketData;
using Fathom.Simulator;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// Fathom's real live feed (<see cref="BinanceMarketDataFeed"/>: WebSocket, REST snapshots, the
/// <see cref="BookSync"/> state machine) against the simulator's own streams on loopback, with the
/// synthetic agents trading: the simulator's diff chaining is checked by the client that has to live
/// with it, and the feed by a server that shares no code with it. Real time; every wait is bounded.
/// </summary>
public sealed class SimulatorFeedTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private sealed class Rig : IAsyncDisposable
    {
        public required ExchangeSimulator Sim;
        public required SimulatorServer Server;
        public required BinanceMarketDataFeed Feed;
        public required HttpClient Http;
        public required CancellationTokenSource Cancel;
        public required Task Run;
        /// <summary>Every sync transition the feed reported, in order; lock it to read.</summary>
        public required List<SyncTransition> Transitions;

        public async ValueTask DisposeAsync()
        {
            Sim.Flow?.Stop();
            await Cancel.CancelAsync();
            // DisposeAsync before waiting: after a serverShutdown-triggered planned reconnect the feed's new
            // receive loop listens to the feed's own stop token only, not RunAsync's (see docs/simulator.md).
            await Feed.DisposeAsync();
            try { await Run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception ex) when (ex is OperationCanceledException or TimeoutException) { }
            await Server.DisposeAsync();
            Sim.Dispose();
            Http.Dispose();
            Cancel.Dispose();
        }
    }

    private static async Task<Rig> StartAsync(FlowRegime regime, BinanceFeedOptions? options = null)
    {
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 10;
        config.Seed = 42;
        var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        var server = await SimulatorServer.StartAsync(sim.Api, System.Net.IPAddress.Loopback, 0);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // The feed gets the simulator's own instrument specs: same ticks and steps, nothing else shared.
        // Fathom's Binance instruments are at the wire's 8 decimals; the simulator's at the symbol's own.
        var specs = sim.Engine.Books.Select(b => b.Symbol.Spec).Select(s => s with
        {
            PriceDecimals = 8,
            QtyDecimals = 8,
            TickSize = new Fathom.Core.Price(Assets.To8(s.TickSize.Raw, s.PriceDecimals)),
            StepSize = new Fathom.Core.Qty(Assets.To8(s.StepSize.Raw, s.QtyDecimals)),
            MinQty = new Fathom.Core.Qty(Assets.To8(s.MinQty.Raw, s.QtyDecimals)),
            MaxQty = new Fathom.Core.Qty(Assets.To8(s.MaxQty.Raw, s.QtyDecimals)),
            MinPrice = new Fathom.Core.Price(Assets.To8(s.MinPrice.Raw, s.PriceDecimals)),
            MaxPrice = new Fathom.Core.Price(Assets.To8(s.MaxPrice.Raw, s.PriceDecimals)),
        }).ToList();
        var transitions = new List<SyncTransition>();
        var feed = new BinanceMarketDataFeed(specs, BinanceEndpoints.Local(server.BaseAddress), http, TimeProvider.System,
            (options ?? new BinanceFeedOptions()) with { ReconnectBackoffMin = TimeSpan.FromMilliseconds(20), SnapshotDepth = 1000 },
            observer: t => { lock (transitions) transitions.Add(t); });
        var cancel = new CancellationTokenSource();
        var run = Task.Run(() => feed.RunAsync(cancel.Token));
        sim.StartMarketFlow(regime, TimeSpan.FromMilliseconds(10));
        var rig = new Rig { Sim = sim, Server = server, Feed = feed, Http = http, Cancel = cancel, Run = run, Transitions = transitions };
        await WaitUntilAsync(() => AllLive(rig), "every book Live", rig);
        return rig;
    }

    private static bool AllLive(Rig rig)
    {
        lock (rig.Feed.CoreLock)
            return rig.Feed.Books.All(b => b.IsLive);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Rig rig)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}. {Describe(rig)}");
            await Task.Delay(10);
        }
    }

    private static string Describe(Rig rig)
    {
        lock (rig.Feed.CoreLock)
        {
            var c = rig.Feed.Counters;
            var parts = rig.Feed.Books.Select((b, i) =>
            {
                long simId;
                lock (rig.Sim.Api.Gate)
                    simId = rig.Sim.Engine.Books[i].UpdateId;
                var s = b.Counters;
                return $"[{rig.Sim.Engine.Books[i].Name} {b.State} id {b.Book.UpdateId}/sim {simId} applied {s.DiffsApplied} gaps {s.Gaps} ooo {s.OutOfOrder} dup {s.Duplicates} stale {s.StaleCount} snaps {s.SnapshotsApplied} tooOld {s.SnapshotsTooOld} crossed {s.Crossed}]";
            });
            return $"connects {c.Connects} disconnects {c.Disconnects} snapshots {c.SnapshotRequests}/{c.SnapshotFailures} planned {c.PlannedReconnects} " +
                $"malformed {rig.Feed.ParserCounters.Malformed} {string.Join(' ', parts)} flow steps {rig.Sim.Flow?.Steps} hub published {rig.Sim.Streams.DepthMessagesPublished} dropped {rig.Sim.Streams.DepthMessagesDropped}";
        }
    }

    /// <summary>Stops the agents, lets the last diff go out, and waits until the feed has applied it.</summary>
    private static async Task QuiesceAsync(Rig rig)
    {
        rig.Sim.Flow!.Stop();
        await Task.Delay(250); // a step in flight finishes; the next 100 ms diff carries it
        await WaitUntilAsync(() =>
        {
            lock (rig.Feed.CoreLock)
                lock (rig.Sim.Api.Gate)
                    return rig.Feed.Books.Select((b, i) => b.IsLive && b.Book.UpdateId == rig.Sim.Engine.Books[i].UpdateId).All(x => x);
        }, "the feed to reach the simulator's last update id", rig);
    }

    /// <summary>The feed's whole book (every level) and its effective top equal the simulator's own book.</summary>
    private static void AssertBooksEqualSimulator(Rig rig)
    {
        lock (rig.Feed.CoreLock)
        {
            lock (rig.Sim.Api.Gate)
            {
                for (int i = 0; i < rig.Feed.Books.Count; i++)
                {
                    var sync = rig.Feed.Books[i];
                    var book = rig.Sim.Engine.Books[i];
                    long tick = book.Symbol.Spec.TickSize.Raw;
                    int qd = book.Symbol.Spec.QtyDecimals;
                    Assert.Equal(book.Name, rig.Feed.Symbols[i].Spec.Symbol);
                    BookCopy copy = sync.Book.Copy();
                    Level[] expectedBids = [.. Enumerable.Range(0, book.BidLevels).Select(j => book.Level(OrderSide.Buy, j)).Select(l => new Level(l.Price / tick, Assets.To8(l.Qty, qd)))];
                    Level[] expectedAsks = [.. Enumerable.Range(0, book.AskLevels).Select(j => book.Level(OrderSide.Sell, j)).Select(l => new Level(l.Price / tick, Assets.To8(l.Qty, qd)))];
                    Assert.True(expectedBids.Length > 3 && expectedAsks.Length > 3, $"{book.Name}: the flow left a thin book ({expectedBids.Length}/{expectedAsks.Length})");
                    Assert.Equal(book.UpdateId, copy.UpdateId);
                    Assert.Equal(expectedBids, copy.Bids.ToArray());
                    Assert.Equal(expectedAsks, copy.Asks.ToArray());

                    book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
                    book.TryBest(OrderSide.Sell, out long ask, out long askQty);
                    var top = sync.Top;
                    Assert.Equal((bid / tick, Assets.To8(bidQty, qd), ask / tick, Assets.To8(askQty, qd)), (top.BidTick, top.BidQty, top.AskTick, top.AskQty));
                }
            }
        }
    }

    [Fact]
    public async Task LiveFeed_OnSyntheticFlow_StaysLiveWithZeroGaps_AndEqualsSimulatorBookAtQuiescence()
    {
        await using var rig = await StartAsync(FlowRegime.Mixed);
        // ~2.5 s of mixed regimes at 100 steps/s: thousands of book updates per symbol.
        await WaitUntilAsync(() => rig.Sim.Flow!.Steps >= 250, "250 flow steps", rig);
        await QuiesceAsync(rig);
        AssertBooksEqualSimulator(rig);
        lock (rig.Feed.CoreLock)
        {
            foreach (var b in rig.Feed.Books)
            {
                Assert.Equal(0, b.Counters.Gaps);
                Assert.Equal(0, b.Counters.OutOfOrder);
                Assert.Equal(0, b.Counters.Crossed);
                Assert.Equal(0, b.Counters.StaleCount);
                Assert.Equal(1, b.Counters.SnapshotsApplied);
                Assert.True(b.Counters.DiffsApplied >= 15, $"only {b.Counters.DiffsApplied} diffs applied");
                Assert.True(b.Counters.TopOfBookUpdates > 0, "no bookTicker reached the book");
            }
            Assert.Equal(0, rig.Feed.ParserCounters.Malformed + rig.Feed.ParserCounters.Truncated);
            Assert.Equal(1, rig.Feed.Counters.Connects);
        }
        Assert.True(rig.Sim.Flow!.Takes > 0 && rig.Sim.Flow.OrdersCancelled > 0, "the agents neither took nor cancelled");
    }

    [Fact]
    public async Task StreamFaults_AreSeenByTheFeed_WhichRecovers_AndEqualsSimulatorBook()
    {
        await using var rig = await StartAsync(FlowRegime.Calm);
        var btc = rig.Feed.Books[0];

        // Duplicated diff: dropped as a duplicate, the book stays Live.
        rig.Sim.Faults.DuplicateDepthMessages(2);
        await WaitUntilAsync(() => { lock (rig.Feed.CoreLock) return btc.Counters.Duplicates >= 1; }, "a duplicate", rig);
        lock (rig.Feed.CoreLock)
            Assert.Equal(0, btc.Counters.StaleCount);

        // Dropped diff: a gap, Stale, a fresh snapshot, Live again.
        rig.Sim.Faults.DropDepthMessages(1);
        await WaitUntilAsync(() => { lock (rig.Feed.CoreLock) return btc.Counters.Gaps >= 1; }, "a gap", rig);
        await WaitUntilAsync(() => AllLive(rig), "the resync after the gap", rig);

        // Reordered diffs: a gap or an out-of-order diff, then a resync.
        long before;
        lock (rig.Feed.CoreLock)
            before = rig.Feed.Books.Sum(b => b.Counters.StaleCount);
        rig.Sim.Faults.ReorderDepthMessages(1);
        await WaitUntilAsync(() => { lock (rig.Feed.CoreLock) return rig.Feed.Books.Sum(b => b.Counters.StaleCount) > before; }, "the reorder to be noticed", rig);
        await WaitUntilAsync(() => AllLive(rig), "the resync after the reorder", rig);

        // Dropped connection: reconnect and resync.
        Assert.True(rig.Sim.Streams.DisconnectMarketStreams() >= 1);
        await WaitUntilAsync(() => rig.Feed.Counters.Disconnects >= 1 && rig.Feed.Counters.Connects >= 2, "a reconnect", rig);
        await WaitUntilAsync(() => AllLive(rig), "the resync after the reconnect", rig);

        // serverShutdown: a planned, overlapping reconnect.
        long plannedBefore = rig.Feed.Counters.PlannedReconnects;
        lock (rig.Sim.Api.Gate)
            rig.Sim.Streams.SendServerShutdown();
        await WaitUntilAsync(() => rig.Feed.Counters.ServerShutdowns >= 1 && rig.Feed.Counters.PlannedReconnects > plannedBefore, "a planned reconnect", rig);

        await QuiesceAsync(rig);
        AssertBooksEqualSimulator(rig);
        Assert.True(rig.Sim.Streams.DepthMessagesDropped >= 1);
    }

    [Fact]
    public async Task SilentStreams_EachBookGoesStaleWithSilence_ConnectionStaysOpen_LiveAgainWhenDataReturns()
    {
        var limit = TimeSpan.FromSeconds(1);
        // The connection-level watchdog is far away, so only the per-book rule can explain a Stale here.
        await using var rig = await StartAsync(FlowRegime.Calm,
            new BinanceFeedOptions { BookSilenceTimeout = limit, SilenceTimeout = TimeSpan.FromSeconds(120) });
        int seen;
        lock (rig.Transitions)
            seen = rig.Transitions.Count;

        rig.Sim.Faults.SilentStreams = true; // sockets open, server pings flowing, no data
        await WaitUntilAsync(() => { lock (rig.Feed.CoreLock) return rig.Feed.Books.All(b => b.State == SyncState.Stale); }, "every book Stale", rig);
        List<SyncTransition> toStale;
        lock (rig.Transitions)
            toStale = [.. rig.Transitions.Skip(seen).Where(t => t.To == SyncState.Stale)];
        lock (rig.Feed.CoreLock)
        {
            foreach (var book in rig.Feed.Books)
            {
                Assert.Equal(StaleReason.Silence, book.LastFailure);
                var t = toStale.Last(t => t.InstrumentId == book.InstrumentId);
                Assert.Equal(StaleReason.Silence, t.Reason);
                Assert.Equal(SyncState.Live, t.From);
                // Never early: both streams had been quiet for longer than the limit when it fired.
                long quietNs = t.ReceiveTimeNs - Math.Max(book.LastDepthReceiveNs, book.LastTopOfBookReceiveNs);
                Assert.True(quietNs > limit.Ticks * 100, $"{rig.Feed.Symbols[book.InstrumentId].Spec.Symbol} went stale after {quietNs / 1e6:F0} ms quiet");
            }
            Assert.True(rig.Feed.Counters.SilentBooks >= rig.Feed.Books.Count);
            // The connection never dropped: this is the per-book rule, not the connection's.
            Assert.Equal(1, rig.Feed.Counters.Connects);
            Assert.Equal(0, rig.Feed.Counters.Disconnects);
            Assert.Equal(0, rig.Feed.Counters.SilentConnections);
        }
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, rig.Feed.Connection!.State);

        // Data returns on the same connection: the first diffs are buffered, a snapshot is fetched, Live again.
        rig.Sim.Faults.SilentStreams = false;
        await WaitUntilAsync(() => AllLive(rig), "every book Live after the silence", rig);
        lock (rig.Feed.CoreLock)
        {
            foreach (var book in rig.Feed.Books)
                Assert.True(book.Counters.SnapshotsApplied >= 2, $"{book.Counters.SnapshotsApplied} snapshots: no resync");
            Assert.Equal(1, rig.Feed.Counters.Connects);
            Assert.Equal(0, rig.Feed.Counters.Disconnects);
        }
        await QuiesceAsync(rig);
        AssertBooksEqualSimulator(rig);
    }
}
