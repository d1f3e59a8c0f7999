using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests.LiveFeed;

/// <summary>
/// <c>fathom record</c>'s engine against the loopback server that plays the real BTCUSDT stream: a
/// live session with a dropped connection mid-stream is recorded, and the recording replays to
/// exactly the book the live feed holds at the end.
/// </summary>
public sealed class BinanceRecordingSessionTests
{
    private const int Frames = 6_000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task LiveSessionWithADrop_IsRecorded_AndReplaysToTheLiveBook()
    {
        await using var server = new RecordedBinanceServer(SharedData.BinanceSpotDays[0], Frames) { FramesPerBatch = 10, BatchPause = TimeSpan.FromMilliseconds(5) };
        await server.StartAsync();
        using var file = new ReplayComparison.TempFile(".fathomrec");
        var writer = RecordingWriter.Create(file.Path);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var session = new BinanceRecordingSession(["btcusdt"], BinanceEndpoints.Local(server.BaseUrl), http, writer, TimeProvider.System,
            new BinanceFeedOptions { ReconnectBackoffMin = TimeSpan.FromMilliseconds(20) });
        using var cancel = new CancellationTokenSource();
        Task run = Task.Run(() => session.RunAsync(cancel.Token));
        BookCopy live;
        try
        {
            await server.WaitForClientAsync(Patience);
            server.StartPublishing();
            BinanceMarketDataFeed feed = session.Feed!;
            BookSync sync = feed.Books[0];
            await WaitUntilAsync(() => server.FramesPublished > Frames / 3, "a third of the stream");
            await WaitUntilAsync(() => { lock (feed.CoreLock) return sync.IsLive; }, "the first sync");
            server.Pause();
            server.DropAllConnections();
            server.Resume();
            await server.Finished.WaitAsync(Patience);
            await WaitUntilAsync(() => { lock (feed.CoreLock) return sync.IsLive && sync.Book.UpdateId == server.FinalUpdateId; },
                $"the live book to reach update {server.FinalUpdateId}");
            lock (feed.CoreLock)
                live = sync.Book.Copy();
            Assert.True(feed.Counters.Disconnects >= 1);
            Assert.True(sync.Counters.SnapshotsApplied >= 2);
        }
        finally
        {
            await cancel.CancelAsync();
            try { await run.WaitAsync(TimeSpan.FromSeconds(10)); } catch (OperationCanceledException) { }
            writer.Dispose();
        }
        Assert.Equal(0, writer.RecordsDropped);
        Assert.False(writer.Faulted);

        RecordingReplay replay = RecordingReplay.Open(file.Path);
        Assert.Equal(["BTCUSDT"], replay.Session.Symbols);
        Assert.StartsWith("unavailable", replay.Session.ExchangeInfo, StringComparison.Ordinal); // the test server has no exchangeInfo
        var run2 = new ReplayComparison([replay.Symbols[0].Spec]);
        replay.ReplayFile(file.Path, ref run2.Router);
        BookSync replayed = run2.Syncs[0];

        Assert.False(replay.TornTail);
        Assert.True(replay.Snapshots >= 2, $"{replay.Snapshots} snapshots recorded");
        Assert.Equal(SyncState.Live, replayed.State);
        BookCopy again = replayed.Book.Copy();
        Assert.Equal(live.UpdateId, again.UpdateId);
        Assert.Equal(live.Bids.ToArray(), again.Bids.ToArray());
        Assert.Equal(live.Asks.ToArray(), again.Asks.ToArray());
    }
}
