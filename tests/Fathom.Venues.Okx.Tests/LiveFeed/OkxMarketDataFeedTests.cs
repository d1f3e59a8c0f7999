using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;
using static Fathom.Venues.Okx.Tests.OkxTestData;

namespace Fathom.Venues.Okx.Tests.LiveFeed;

/// <summary>
/// The live OKX feed against <see cref="OkxTestServer"/> on loopback: real WebSockets and HTTP, the shared capture's
/// BTC-USDT frames and hand-built seqId-chained frames, faults switched on from the test. Waits are bounded
/// conditions, never fixed sleeps.
/// </summary>
public sealed class OkxMarketDataFeedTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly (string, string)[] None = [];

    private sealed class Harness : IAsyncDisposable
    {
        public required OkxTestServer Server;
        public required OkxMarketDataFeed Feed;
        public required Task Run;
        public required CancellationTokenSource Cancel;
        public required HttpClient Http;
        public BookSync Sync => Feed.Books[0];

        public async ValueTask DisposeAsync()
        {
            await Cancel.CancelAsync();
            try { await Run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or InvalidOperationException) { }
            await Feed.DisposeAsync();
            await Server.DisposeAsync();
            Http.Dispose();
            Cancel.Dispose();
        }
    }

    private static async Task<Harness> StartAsync(OkxFeedOptions? options = null, Action<OkxTestServer>? configure = null,
        InstrumentSpec? spec = null, HttpMessageHandler? handler = null)
    {
        var server = new OkxTestServer();
        configure?.Invoke(server);
        await server.StartAsync();
        var http = handler is null ? new HttpClient() : new HttpClient(handler);
        var feed = new OkxMarketDataFeed([spec ?? BtcUsdt], OkxEndpoints.Local(server.BaseUrl, simulated: true), http, TimeProvider.System,
            (options ?? new OkxFeedOptions()) with { ReconnectBackoffMin = TimeSpan.FromMilliseconds(20), SnapshotRetryDelay = TimeSpan.FromMilliseconds(50), WatchdogInterval = TimeSpan.FromMilliseconds(20) });
        var cancel = new CancellationTokenSource();
        var run = Task.Run(() => feed.RunAsync(cancel.Token));
        Assert.True(await server.WaitForSubscribeAsync(Patience), "the feed never subscribed");
        return new Harness { Server = server, Feed = feed, Run = run, Cancel = cancel, Http = http };
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    private static bool Live(Harness h) { lock (h.Feed.CoreLock) return h.Sync.State == SyncState.Live; }

    private static string RestBooks(long seqId, (string, string)[] bids, (string, string)[] asks) =>
        "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"asks\":[" + Levels(asks) + "],\"bids\":[" + Levels(bids) + "],\"ts\":\"1700000000000\",\"seqId\":" +
        seqId.ToString(CultureInfo.InvariantCulture) + "}]}";

    [Fact]
    public async Task Subscribe_OneOpWithBooksBboAndTrades()
    {
        await using var h = await StartAsync();
        string op = Assert.Single(h.Server.Received);
        Assert.Contains("\"op\":\"subscribe\"", op);
        Assert.Contains("{\"channel\":\"books\",\"instId\":\"BTC-USDT\"}", op);
        Assert.Contains("{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"}", op);
        Assert.Contains("{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}", op);
        Assert.Equal(1, h.Feed.Counters.SubscribeOps);
    }

    [Fact]
    public async Task Capture_BtcUsdtFrames_BookLiveWithEveryChecksumMatched()
    {
        // The shared 2022 capture's BTC-USDT books and trades (in-stream snapshot, then checksummed updates without seqIds).
        var specs = OkxInstruments.ReadFile(OkxCaptureTests.InstrumentsPath);
        var frames = File.ReadLines(OkxCaptureTests.WsPath)
            .Where(l => !l.StartsWith("wss://", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(": ", StringComparison.Ordinal) + 2)..])
            .Where(j => j.Contains("\"instId\":\"BTC-USDT\"", StringComparison.Ordinal) && !j.Contains("\"event\"", StringComparison.Ordinal)
                && !j.Contains("\"tickers\"", StringComparison.Ordinal))
            .Select(Encoding.UTF8.GetBytes).ToArray();
        Assert.True(frames.Length > 100);
        await using var h = await StartAsync(spec: specs["BTC-USDT"]);
        await h.Server.PublishAsync(frames);
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.Counters.ChecksumsMatched == 98; }, "all 98 checksums matched");
        lock (h.Feed.CoreLock)
        {
            Assert.Equal(SyncState.Live, h.Sync.State);
            Assert.Equal(0, h.Sync.Counters.ChecksumsMismatched);
            // The same final top as the offline replay pinned by OkxCaptureTests (and verify_okx.py).
            Assert.Equal(302361, h.Sync.Book.BestBidTick);
            Assert.Equal(302362, h.Sync.Book.BestAskTick);
            Assert.True(h.Feed.ParserCounters.Trades > 0);
        }
        Assert.Equal(0, h.Feed.FrameErrors);
        Assert.Equal(0, h.Feed.Counters.SnapshotRequests);
    }

    [Fact]
    public async Task NoInStreamSnapshot_RestSnapshotTooOldIsRefetched_ThenSplices()
    {
        await using var h = await StartAsync(configure: s =>
        {
            s.ScriptBooks(200, RestBooks(90, [("100", "1")], [("101", "1")]));   // older than the buffered prevSeqId 100: refetch
            s.ScriptBooks(200, RestBooks(105, [("100", "2")], [("101", "1")]));  // brackets: drop 100->105, keep 105->110
        });
        await h.Server.PublishAsync(Update(100, 105, [("100", "9")], None), Update(105, 110, [("99.9", "3")], None));
        await WaitUntilAsync(() => Live(h), "the book is Live");
        lock (h.Feed.CoreLock)
        {
            Assert.Equal(110, h.Sync.Book.UpdateId);
            Assert.Equal(2_0000_0000, h.Sync.Book.BestBidQty); // the snapshot's, not the dropped update's 9
            Assert.Equal(3_0000_0000, h.Sync.Book.QtyAt(Fathom.Book.Side.Bid, 999));
            Assert.Equal(1, h.Sync.Counters.SnapshotsTooOld);
        }
        Assert.Equal(2, h.Feed.Counters.SnapshotRequests);
        Assert.All(h.Server.BooksRequests, r => Assert.Equal("BTC-USDT sz=400 simulated=1", r));
    }

    [Fact]
    public async Task Gap_ResyncsFromRest_AndHeartbeatAndResetKeepSync()
    {
        await using var h = await StartAsync(configure: s => s.ScriptBooks(200, RestBooks(30, [("100", "5")], [("101", "5")])));
        await h.Server.PublishAsync(Snapshot(10, [("100", "1")], [("101", "1")]), Update(10, 15, None, None), Update(15, 15, None, None),
            Update(15, 3, [("100", "2")], None));
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.Book.UpdateId == 3; }, "the reset applied");
        lock (h.Feed.CoreLock)
        {
            Assert.Equal(1, h.Sync.Counters.Heartbeats);
            Assert.Equal(1, h.Sync.Counters.Resets);
            Assert.Equal(SyncState.Live, h.Sync.State);
        }
        Assert.Equal(0, h.Feed.Counters.SnapshotRequests);
        await h.Server.PublishAsync(Update(25, 30, [("100", "7")], None)); // 3->25 lost: a gap
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.Counters.Gaps == 1; }, "the gap was seen");
        await h.Server.PublishAsync(Update(30, 31, [("100", "6")], None));
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.State == SyncState.Live && h.Sync.Book.UpdateId == 31; }, "resynced to 31");
        Assert.Equal(1, h.Feed.Counters.SnapshotRequests);
        lock (h.Feed.CoreLock)
            Assert.Equal(6_0000_0000, h.Sync.Book.BestBidQty);
    }

    [Fact]
    public async Task SnapshotRateLimitedAndServerError_BacksOffByRetryAfter_ThenSyncs()
    {
        await using var h = await StartAsync(configure: s =>
        {
            s.ScriptBooks(429, "{\"code\":\"50011\",\"msg\":\"Too Many Requests\"}", retryAfter: "1");
            s.ScriptBooks(503, "{\"code\":\"50001\",\"msg\":\"Service temporarily unavailable\"}");
            s.ScriptBooks(200, RestBooks(5, [("100", "1")], [("101", "1")]));
        });
        var started = DateTime.UtcNow;
        await h.Server.PublishAsync(Update(5, 6, None, [("101", "2")]));
        await WaitUntilAsync(() => Live(h), "Live after the failures");
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "the 429's Retry-After (1 s) was not honoured");
        Assert.Equal(3, h.Feed.Counters.SnapshotRequests);
        Assert.Equal(2, h.Feed.Counters.SnapshotFailures);
        Assert.Equal(1, h.Feed.Counters.SnapshotRateLimited);
        lock (h.Feed.CoreLock)
            Assert.Equal(2_0000_0000, h.Sync.Book.BestAskQty);
    }

    [Fact]
    public async Task MalformedFrame_CountedAndBookKept_ChecksumMismatchResyncs()
    {
        await using var h = await StartAsync(configure: s => s.ScriptBooks(200, RestBooks(12, [("100", "4")], [("101", "4")])));
        await h.Server.PublishAsync(Snapshot(10, [("100", "1")], [("101", "1")]));
        await WaitUntilAsync(() => Live(h), "Live");
        await h.Server.PublishAsync("{\"arg\":{\"channel\":\"books\",\"inst"); // truncated before the instrument: nobody's book
        await h.Server.PublishAsync(Update(10, 11, [("100", "2")], None));
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.Book.UpdateId == 11; }, "the next update applied");
        Assert.Equal(1, h.Feed.FrameErrors);
        lock (h.Feed.CoreLock)
        {
            Assert.Equal(SyncState.Live, h.Sync.State);
            Assert.Equal(1, h.Feed.ParserCounters.Truncated);
        }
        // A wrong checksum: Stale, then resync from REST once the next update is buffered.
        await h.Server.PublishAsync(Update(11, 12, [("100", "3")], None, checksum: 12345));
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.Counters.ChecksumsMismatched == 1; }, "the mismatch was seen");
        await h.Server.PublishAsync(Update(12, 13, [("100", "5")], None));
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.State == SyncState.Live && h.Sync.Book.UpdateId == 13; }, "resynced");
        Assert.Equal(1, h.Feed.Counters.SnapshotRequests);
    }

    [Fact]
    public async Task Silence_PingAnswered_ConnectionKept()
    {
        await using var h = await StartAsync(new OkxFeedOptions { PingAfter = TimeSpan.FromMilliseconds(150), PongTimeout = TimeSpan.FromMilliseconds(400) });
        await WaitUntilAsync(() => Volatile.Read(ref h.Feed.Counters.PongsReceived) >= 3, "three pongs");
        Assert.True(h.Feed.Counters.PingsSent >= 3);
        Assert.Equal(1, h.Server.Connections);
        Assert.Equal(0, h.Feed.Counters.PongTimeouts);
        Assert.Equal(0, h.Feed.Disconnects);
    }

    [Fact]
    public async Task Silence_NoPong_Reconnects_BooksStaleThenLiveFromTheNewSubscription()
    {
        int snapshots = 0;
        await using var h = await StartAsync(new OkxFeedOptions { PingAfter = TimeSpan.FromMilliseconds(150), PongTimeout = TimeSpan.FromMilliseconds(200) },
            s => s.OnSubscribe = () => [Snapshot(10 + 10 * Interlocked.Increment(ref snapshots), [("100", "1")], [("101", "1")])]);
        await WaitUntilAsync(() => Live(h), "Live from the first subscription");
        h.Server.AnswerPings = false;
        await WaitUntilAsync(() => h.Feed.Counters.PongTimeouts >= 1, "a pong timeout");
        await WaitUntilAsync(() => h.Server.Connections >= 2 && Live(h), "reconnected and Live again");
        Assert.True(h.Feed.Disconnects >= 1);
        lock (h.Feed.CoreLock)
        {
            Assert.True(h.Sync.Counters.Disconnects >= 1);
            Assert.True(h.Sync.Book.UpdateId >= 30);
        }
    }

    [Fact]
    public async Task ServerDrop_Reconnects_Resubscribes_AndResyncs()
    {
        int snapshots = 0;
        await using var h = await StartAsync(configure: s => s.OnSubscribe = () => [Snapshot(100 * Interlocked.Increment(ref snapshots), [("100", "1")], [("101", "1")])]);
        await WaitUntilAsync(() => Live(h), "Live");
        h.Server.DropAllConnections();
        await WaitUntilAsync(() => h.Feed.Disconnects == 1, "the drop was seen");
        await WaitUntilAsync(() => { lock (h.Feed.CoreLock) return h.Sync.State == SyncState.Live && h.Sync.Book.UpdateId == 200; }, "Live from the new snapshot");
        Assert.Equal(2, h.Feed.Counters.SubscribeOps);
        Assert.Equal(2, h.Feed.Counters.Connects);
    }

    [Fact]
    public async Task UnexpectedFaultInSnapshotFetch_HaltsVisibly()
    {
        var h = await StartAsync(handler: new ThrowingHandler());
        try
        {
            await h.Server.PublishAsync(Update(5, 6, None, None));
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Run.WaitAsync(Patience));
            Assert.Contains("halted", ex.Message);
            Assert.IsType<NotImplementedException>(ex.InnerException);
            Assert.Contains("handler bug", h.Feed.LastError);
            Assert.Equal(1, h.Feed.UnexpectedErrors);
        }
        finally
        {
            await h.DisposeAsync();
        }
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new NotImplementedException("handler bug");
    }
}
