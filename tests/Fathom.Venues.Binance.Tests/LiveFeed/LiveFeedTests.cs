using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests.LiveFeed;

/// <summary>
/// The live feed against <see cref="RecordedBinanceServer"/> on loopback: real WebSockets and HTTP,
/// the recorded BTCUSDT stream, and faults switched on mid-stream. Each run ends by comparing the
/// live book with an offline replay of the same frames. Waits are bounded; nothing asserts on time
/// except that a Retry-After was honoured.
/// </summary>
public sealed class LiveFeedTests
{
    private const int Frames = 9_000; // ~750 diffs after the snapshot: enough to fault and recover mid-stream
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private sealed class Harness : IAsyncDisposable
    {
        public required RecordedBinanceServer Server;
        public required BinanceMarketDataFeed Feed;
        public required Task Run;
        public required CancellationTokenSource Cancel;
        public readonly List<SyncTransition> Transitions = [];
        /// <summary>The id of every trade the router passed on, in order (appended under the core lock).</summary>
        public required List<long> TradeIds;
        public required HttpClient Http;

        public BookSync Sync => Feed.Books[0];

        /// <summary>Cancels the run and requires the feed to stop (its connections closed) within 10 s.</summary>
        public async Task AssertStopsAsync()
        {
            await Cancel.CancelAsync();
            Task done = await Task.WhenAny(Run, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.True(done == Run, $"the feed did not stop within 10 s of its cancellation: {Describe(this)}");
            await WaitUntilAsync(() => Server.OpenConnections == 0, "the feed's connections to close", () => Describe(this));
        }

        public async ValueTask DisposeAsync()
        {
            await Cancel.CancelAsync();
            // A feed that does not stop is a bug, but report the test's own failure first.
            // A run that halted on a fault has thrown already: the test asserts on that itself.
            try { await Run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception ex) when (ex is OperationCanceledException or TimeoutException || Run.IsFaulted) { }
            await Feed.DisposeAsync();
            await Server.DisposeAsync();
            Http.Dispose();
            Cancel.Dispose();
        }
    }

    private static async Task<Harness> StartAsync(BinanceFeedOptions? options = null, Action<RecordedBinanceServer>? configure = null,
        TimeSpan? keepAliveTimeout = null, Action<SyncTransition>? observe = null)
    {
        var server = new RecordedBinanceServer(SharedData.BinanceSpotDays[0], Frames, keepAliveTimeout);
        configure?.Invoke(server);
        await server.StartAsync();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var transitions = new List<SyncTransition>();
        var feed = new BinanceMarketDataFeed([TestInstruments.BtcUsdt], BinanceEndpoints.Local(server.BaseUrl), http, TimeProvider.System,
            (options ?? new BinanceFeedOptions()) with { SubscribeTrades = true, ReconnectBackoffMin = TimeSpan.FromMilliseconds(20) },
            observer: t =>
            {
                lock (transitions)
                    transitions.Add(t);
                observe?.Invoke(t);
            });
        var tradeIds = new List<long>();
        feed.Router.TradeSink = t => tradeIds.Add(t.TradeId);
        var cancel = new CancellationTokenSource();
        var run = Task.Run(() => feed.RunAsync(cancel.Token));
        await server.WaitForClientAsync(Patience);
        var h = new Harness { Server = server, Feed = feed, Run = run, Cancel = cancel, Http = http, TradeIds = tradeIds };
        h.Transitions.AddRange(transitions);
        server.StartPublishing();
        return h;
    }

    /// <summary>The book an offline replay of the same recorded lines builds.</summary>
    private static OrderBook OfflineBook() => OfflineBook(out _);

    /// <summary>As <see cref="OfflineBook()"/>, with the ids of the trades the lines carry.</summary>
    private static OrderBook OfflineBook(out List<long> tradeIds)
    {
        var ids = new List<long>();
        var symbols = new BinanceSymbolTable();
        var symbol = symbols.Add(TestInstruments.BtcUsdt);
        var parser = new BinanceStreamParser(symbols);
        var sync = new BookSync(symbol.Id, new OrderBook(symbol.Spec), SyncRule.BinanceSpot);
        var router = new MarketDataRouter(1) { TradeSink = t => ids.Add(t.TradeId) };
        router.Add(sync);
        var replay = new HftBacktestReplay(parser, symbol);
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(SharedData.BinanceSpotDays[0]), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new LineReader(gz);
        // The server publishes every line but the snapshot: the same lines plus the snapshot line.
        for (int i = 0; i < Frames + 1 && reader.TryReadLine(out var line); i++)
            replay.ReplayLine(line, ref router);
        Assert.Equal(SyncState.Live, sync.State);
        tradeIds = ids;
        return sync.Book;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}. {diagnostics?.Invoke()}");
            await Task.Delay(10);
        }
    }

    private static string Describe(Harness h)
    {
        lock (h.Feed.CoreLock)
        {
            var c = h.Feed.Counters;
            var s = h.Sync.Counters;
            return $"state {h.Sync.State} id {h.Sync.Book.UpdateId} buffered {h.Sync.BufferedDiffs} requested {h.Sync.SnapshotRequested}; " +
                $"connects {c.Connects} failures {c.ConnectFailures} disconnects {c.Disconnects} silent {c.SilentConnections} snapshots {c.SnapshotRequests}/{c.SnapshotFailures}; " +
                $"sync applied {s.DiffsApplied} gaps {s.Gaps} stale {s.StaleCount} snapshots {s.SnapshotsApplied} tooOld {s.SnapshotsTooOld}; " +
                $"server published {h.Server.FramesPublished}/{h.Server.FrameCount} connections {h.Server.Connections} open {h.Server.OpenConnections} ping timeouts {h.Server.PingTimeouts}; " +
                $"last transition {h.Sync.LastTransition}; last disconnect {h.Feed.LastDisconnect}";
        }
    }

    private static async Task AssertEndsEqualToOfflineAsync(Harness h)
    {
        await h.Server.Finished.WaitAsync(Patience);
        OrderBook expected = OfflineBook();
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.IsLive && h.Sync.Book.UpdateId == expected.UpdateId; },
            $"the live book to reach update {expected.UpdateId}", () => Describe(h));
        lock (h.Feed.CoreLock)
        {
            BookCopy live = h.Sync.Book.Copy();
            BookCopy offline = expected.Copy();
            Assert.Equal(offline.UpdateId, live.UpdateId);
            Assert.Equal(offline.Bids.ToArray(), live.Bids.ToArray());
            Assert.Equal(offline.Asks.ToArray(), live.Asks.ToArray());
        }
    }

    /// <summary>About 4.5 s for the whole stream, so a fault and its recovery happen mid-stream.</summary>
    private static void Slow(RecordedBinanceServer s)
    {
        s.FramesPerBatch = 10;
        s.BatchPause = TimeSpan.FromMilliseconds(5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // a dedicated spinning core thread applies the frames
    public async Task Connects_Syncs_AndEndsEqualToOfflineReplay(bool spinningCore)
    {
        await using var h = await StartAsync(new BinanceFeedOptions { SpinningCore = spinningCore });
        await AssertEndsEqualToOfflineAsync(h);
        Assert.Equal(1, h.Feed.Counters.Connects);
        Assert.True(h.Feed.Counters.Disconnects == 0, $"disconnected: {Describe(h)}");
        Assert.Equal(0, h.Sync.Counters.StaleCount);
        Assert.Equal(0, h.Feed.ParserCounters.Malformed + h.Feed.ParserCounters.Truncated);
        Assert.True(h.Sync.Counters.DiffsApplied > 500);
        Assert.Equal(spinningCore, h.Feed.SpinningCoreFrames > 500);
        await h.AssertStopsAsync();
    }

    [Fact]
    public async Task DropMidStream_ReconnectsResyncs_AndEndsEqualToOfflineReplay()
    {
        await using var h = await StartAsync(configure: Slow);
        await WaitUntilAsync(() => h.Server.FramesPublished > Frames / 3, "a third of the stream");
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.IsLive; }, "the first sync");
        h.Server.Pause();
        h.Server.DropAllConnections();
        // Frames published while the client is away are lost to it: it must resync, not just resume.
        h.Server.Resume();
        await AssertEndsEqualToOfflineAsync(h);
        Assert.True(h.Feed.Counters.Disconnects >= 1);
        Assert.True(h.Feed.Counters.Connects >= 2);
        Assert.True(h.Sync.Counters.StaleCount >= 1);
        Assert.True(h.Sync.Counters.SnapshotsApplied >= 2);
        await h.AssertStopsAsync();
    }

    [Fact]
    public async Task SilentButOpenStream_IsDetectedAndReplaced()
    {
        await using var h = await StartAsync(new BinanceFeedOptions { SilenceTimeout = TimeSpan.FromMilliseconds(400) }, Slow);
        await WaitUntilAsync(() => h.Server.FramesPublished > Frames / 3, "a third of the stream");
        h.Server.Silent = true; // the socket stays open, nothing arrives
        await WaitUntilAsync(() => h.Feed.Counters.SilentConnections >= 1, "the silence to be detected");
        h.Server.Silent = false;
        await AssertEndsEqualToOfflineAsync(h);
        Assert.True(h.Feed.Counters.Connects >= 2);
        await h.AssertStopsAsync();
    }

    [Fact]
    public async Task RateLimitedSnapshot_HonoursRetryAfter()
    {
        await using var h = await StartAsync(configure: s => s.RateLimitNextDepthRequests = 1);
        await AssertEndsEqualToOfflineAsync(h);
        Assert.Equal(1, h.Feed.Limiter.RateLimitResponses);
        Assert.Equal(1, h.Feed.Counters.SnapshotRateLimited);
        DateTimeOffset[] requests;
        lock (h.Server.DepthRequests)
            requests = [.. h.Server.DepthRequests];
        Assert.True(requests.Length >= 2);
        // Retry-After: 1 (second). Allow for clock granularity, not for ignoring it.
        Assert.True(requests[1] - requests[0] >= TimeSpan.FromMilliseconds(950), $"retried after {(requests[1] - requests[0]).TotalMilliseconds:F0} ms");
        await h.AssertStopsAsync();
    }

    [Fact]
    public async Task ServerPings_AreAnswered_SoTheConnectionSurvives()
    {
        // The server pings every 100 ms and drops a client that has not answered within 1.5 s.
        await using var h = await StartAsync(configure: s => s.BatchPause = TimeSpan.FromMilliseconds(1), keepAliveTimeout: TimeSpan.FromMilliseconds(1500));
        h.Server.Pause();
        await Task.Delay(TimeSpan.FromSeconds(3)); // no data at all: only pings keep the connection alive
        Assert.True(h.Server.PingTimeouts == 0, $"a pong was missed: {Describe(h)}");
        Assert.True(h.Feed.Counters.Disconnects == 0, $"disconnected: {Describe(h)}");
        h.Server.Resume();
        await AssertEndsEqualToOfflineAsync(h);
        Assert.Equal(1, h.Feed.Counters.Connects);
        await h.AssertStopsAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // the switch must wait for the spinning core to apply the old connection's last frames
    public async Task PlannedReconnect_OverlapsConnections_AndBooksStayLive(bool spinningCore)
    {
        await using var h = await StartAsync(new BinanceFeedOptions { ReconnectOverlap = TimeSpan.FromMilliseconds(200), SpinningCore = spinningCore }, Slow);
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.IsLive && h.Sync.Counters.DiffsApplied > 50; }, "the first sync");
        long staleBefore, disconnectsBefore;
        lock (h.Feed.CoreLock)
            (staleBefore, disconnectsBefore) = (h.Sync.Counters.StaleCount, h.Feed.Counters.Disconnects);
        await h.Feed.ReconnectPlannedAsync(CancellationToken.None);
        Assert.Equal(1, h.Feed.Counters.PlannedReconnects);
        await AssertEndsEqualToOfflineAsync(h);
        // What the planned reconnect must not do: leave Live or drop a connection. (A loss before it, e.g. the
        // server's 1.5 s ping deadline missed in a machine stall, is not this test's subject: counted from here.)
        Assert.True(staleBefore == h.Sync.Counters.StaleCount, $"left Live: {Describe(h)}");
        Assert.True(disconnectsBefore == h.Feed.Counters.Disconnects, $"disconnected: {Describe(h)}");
        Assert.True(h.Server.Connections >= 2);
        Assert.Equal(spinningCore, h.Feed.SpinningCoreFrames > 0);
        AssertTradesOnce(h, expectAll: disconnectsBefore == 0);
        Assert.True(h.Feed.Router.RepeatedTrades > 0, "the overlap carried no trade twice: nothing was tested");
        await h.AssertStopsAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OldConnectionLostDuringPlannedOverlap_IsAnUnplannedDisconnect_AndTheNewConnectionIsGivenUp(bool spinningCore)
    {
        await using var h = await StartAsync(new BinanceFeedOptions { ReconnectOverlap = TimeSpan.FromSeconds(30), SpinningCore = spinningCore }, Slow);
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.IsLive && h.Sync.Counters.DiffsApplied > 50; }, "the first sync");
        Assert.Equal(1, h.Server.Connections);
        Task planned = h.Feed.ReconnectPlannedAsync(CancellationToken.None);
        // The new connection is open and delivering, queued behind the old one: the overlap has begun.
        await WaitUntilAsync(() => h.Server.Connections >= 2 && h.Server.OpenConnections == 2, "the planned reconnect's connection", () => Describe(h));
        int published = h.Server.FramesPublished;
        await WaitUntilAsync(() => h.Server.FramesPublished > published + 20, "frames on both connections", () => Describe(h));
        h.Server.DropConnection(1); // the old connection is lost mid-overlap
        await planned.WaitAsync(Patience);
        await AssertEndsEqualToOfflineAsync(h);
        Assert.True(h.Feed.Counters.Disconnects >= 1, Describe(h));
        Assert.Equal(0, h.Feed.Counters.PlannedReconnects);
        Assert.Contains("connection 1:", h.Feed.LastDisconnect);
        // One connection feeds at the end: the run loop's own; the planned one was given up, not left feeding beside it.
        await WaitUntilAsync(() => h.Server.OpenConnections == 1, "one open connection", () => Describe(h));
        AssertTradesOnce(h, expectAll: false);
        await h.AssertStopsAsync();
    }

    [Fact]
    public async Task ABackgroundLoopsUnexpectedException_HaltsTheFeed_BooksStale_AndRunThrowsTheReason()
    {
        // The watchdog marks a silent book Stale; something it calls then throws (here the transition's observer).
        // Nothing catches that in the watchdog: unguarded, it died unobserved, and with it silence detection and every
        // snapshot fetch, while the run went on. Guarded, the feed halts: books Stale, the reason kept, RunAsync throws.
        await using var h = await StartAsync(new BinanceFeedOptions { BookSilenceTimeout = TimeSpan.FromMilliseconds(300) }, Slow,
            observe: t =>
            {
                if (t.Reason == StaleReason.Silence)
                    throw new InvalidOperationException("the transition's observer broke");
            });
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.IsLive; }, "the first sync", () => Describe(h));
        h.Server.Silent = true; // the connection stays open; the book goes quiet
        Task finished = await Task.WhenAny(h.Run, Task.Delay(Patience));
        Assert.True(finished == h.Run, $"the feed ran on after its watchdog broke: {Describe(h)}");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Run);
        Assert.Contains("the Binance market-data feed halted (every book Stale): the transition's observer broke", ex.Message);
        Assert.Equal(1, h.Feed.UnexpectedErrors);
        Assert.Contains("the transition's observer broke", h.Feed.LastError);
        lock (h.Feed.CoreLock)
            Assert.False(h.Sync.IsLive);
        await WaitUntilAsync(() => h.Server.OpenConnections == 0, "the feed's connections to close", () => Describe(h));
    }

    [Fact]
    public async Task ASnapshotsApplyThrowingUnexpectedly_HaltsTheFeed_NotRetriedForEver()
    {
        // Applying the snapshot runs the core (the book, the journal, the engine); an exception there is not the
        // network's doing. It was caught with the network's failures and the snapshot asked for again, for ever, while
        // the book stayed out of sync and the run went on. Now it halts the feed with its reason.
        int thrown = 0;
        await using var h = await StartAsync(new BinanceFeedOptions(), Slow,
            observe: t =>
            {
                if (t.To == SyncState.Live && Interlocked.Increment(ref thrown) == 1)
                    throw new InvalidOperationException("the book's observer broke on the snapshot");
            });
        Task finished = await Task.WhenAny(h.Run, Task.Delay(Patience));
        Assert.True(finished == h.Run, $"the feed ran on after applying a snapshot threw: {Describe(h)}");
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Run);
        Assert.Contains("the book's observer broke on the snapshot", ex.Message);
        Assert.Equal(1, h.Feed.UnexpectedErrors);
        Assert.Equal(1, h.Feed.Counters.SnapshotRequests);
        await WaitUntilAsync(() => h.Server.OpenConnections == 0, "the feed's connections to close", () => Describe(h));
    }

    /// <summary>Every trade passed on once, in id order; with no loss, every trade of the stream.</summary>
    private static void AssertTradesOnce(Harness h, bool expectAll)
    {
        OfflineBook(out List<long> expected);
        long[] seen;
        lock (h.Feed.CoreLock)
            seen = [.. h.TradeIds];
        for (int i = 1; i < seen.Length; i++)
            Assert.True(seen[i] > seen[i - 1], $"trade {seen[i]} passed on after {seen[i - 1]} (at {i} of {seen.Length})");
        Assert.Subset(expected.ToHashSet(), seen.ToHashSet());
        if (expectAll)
            Assert.Equal(expected, seen);
    }
}
