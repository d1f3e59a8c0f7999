using System.Text;
using Fathom.Journal;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// Per-symbol book silence (<see cref="BinanceFeedCore.MarkSilentBooksStale"/>, <see cref="BookSync.IsSilent"/>,
/// <see cref="BinanceFeedOptions.BookSilenceTimeoutFor"/>) on virtual time: every stamp is given explicitly,
/// so nothing here depends on how fast the machine is.
/// </summary>
public sealed class BookSilenceTests
{
    private const long Ms = 1_000_000;
    private const long Sec = 1_000 * Ms;
    private const long T0 = 1_700_000_000 * Sec; // wall-clock ns of the first frame
    private static readonly long[] FiveSeconds = [5 * Sec, 5 * Sec];

    private sealed class Rig
    {
        public readonly BinanceFeedCore Core = new([TestInstruments.BtcUsdt, TestInstruments.EthUsdt]);
        public readonly List<SyncTransition> Transitions = [];
        public long Mono = 1;
        public int AfterApplyCalls;
        private readonly long[] _nextId = [100, 100];

        public Rig() => Core.AfterApply = _ => AfterApplyCalls++;

        public static string Lower(int i) => i == 0 ? "btcusdt" : "ethusdt";
        public static string Upper(int i) => i == 0 ? "BTCUSDT" : "ETHUSDT";

        /// <summary>One chained depth diff for instrument <paramref name="i"/>, received at <paramref name="wallNs"/>.</summary>
        public void Diff(int i, long wallNs)
        {
            long id = ++_nextId[i];
            string frame = $$$"""{"stream":"{{{Lower(i)}}}@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"{{{Upper(i)}}}","U":{{{id}}},"u":{{{id}}},"b":[["100.00","1.0"]],"a":[["101.00","1.0"]]}}""";
            Core.ApplyFrame(Encoding.UTF8.GetBytes(frame), Mono++, wallNs, 1);
        }

        public void Ticker(int i, long wallNs)
        {
            string frame = $$$"""{"stream":"{{{Lower(i)}}}@bookTicker","data":{"u":{{{_nextId[i]}}},"s":"{{{Upper(i)}}}","b":"100.00","B":"1.0","a":"101.00","A":"1.0"}}""";
            Core.ApplyFrame(Encoding.UTF8.GetBytes(frame), Mono++, wallNs, 1);
        }

        /// <summary>A snapshot at the current id: the next diff chains to it.</summary>
        public void Snapshot(int i, long wallNs)
        {
            string body = $$$"""{"lastUpdateId":{{{_nextId[i]}}},"bids":[["100.00","1.0"]],"asks":[["101.00","1.0"]]}""";
            Core.ApplySnapshot(i, 1000, Encoding.UTF8.GetBytes(body), Mono++, wallNs);
        }

        /// <summary>Both books Live at <see cref="T0"/>: a buffered diff, then the snapshot.</summary>
        public void GoLive()
        {
            for (int i = 0; i < 2; i++)
            {
                Diff(i, T0);
                _nextId[i]--; // the snapshot covers up to the diff before it, so the buffered diff straddles
                Snapshot(i, T0);
                _nextId[i]++;
                Assert.Equal(SyncState.Live, Core.Books[i].State);
            }
        }

        public int Check(long[] limits, long wallNs) => Core.MarkSilentBooksStale(limits, Mono++, wallNs);
    }

    [Fact]
    public void QuietDepth_WithLiveTicker_IsNotSilent()
    {
        var rig = new Rig();
        rig.GoLive();
        // Depth quiet from T0; the ticker keeps coming every second.
        for (int s = 1; s <= 12; s++)
        {
            rig.Ticker(0, T0 + s * Sec);
            rig.Ticker(1, T0 + s * Sec);
            Assert.Equal(0, rig.Check(FiveSeconds, T0 + s * Sec + 500 * Ms));
        }
        Assert.True(rig.Core.Books[0].IsLive);
        Assert.True(rig.Core.Books[1].IsLive);
        Assert.Equal(T0, rig.Core.Books[0].LastDepthReceiveNs);
        Assert.Equal(T0 + 12 * Sec, rig.Core.Books[0].LastTopOfBookReceiveNs);
    }

    [Fact]
    public void QuietTicker_WithLiveDepth_IsNotSilent()
    {
        var rig = new Rig();
        rig.GoLive();
        for (int s = 1; s <= 12; s++)
        {
            rig.Diff(0, T0 + s * Sec);
            rig.Diff(1, T0 + s * Sec);
            Assert.Equal(0, rig.Check(FiveSeconds, T0 + s * Sec + 500 * Ms));
        }
        Assert.True(rig.Core.Books[0].IsLive);
    }

    [Fact]
    public void BothQuietPastTheLimit_GoesStaleWithSilence_AtTheLimitNot()
    {
        var rig = new Rig();
        rig.GoLive();
        rig.Ticker(0, T0 + 1 * Sec);
        rig.Ticker(1, T0 + 1 * Sec);
        int applied = rig.AfterApplyCalls;
        // Quiet since T0 + 1 s: exactly at the limit is not past it.
        Assert.Equal(0, rig.Check(FiveSeconds, T0 + 6 * Sec));
        Assert.Equal(applied, rig.AfterApplyCalls);
        Assert.Equal(2, rig.Check(FiveSeconds, T0 + 6 * Sec + 1));
        foreach (var book in rig.Core.Books)
        {
            Assert.Equal(SyncState.Stale, book.State);
            Assert.Equal(StaleReason.Silence, book.LastFailure);
            Assert.Equal(StaleReason.Silence, book.LastTransition.Reason);
            Assert.Equal(1, book.Counters.Silences);
            Assert.Equal(1, book.Counters.StaleCount);
            Assert.True(book.SnapshotRequested);
        }
        Assert.Equal(applied + 2, rig.AfterApplyCalls); // the engine runs after each book's input
        // Stale books are not marked again.
        Assert.Equal(0, rig.Check(FiveSeconds, T0 + 60 * Sec));
        Assert.Equal(1, rig.Core.Books[0].Counters.Silences);
    }

    [Fact]
    public void PerSymbolOverride_QuietSymbolKeepsItsLongerLimit()
    {
        var options = new BinanceFeedOptions
        {
            BookSilenceTimeout = TimeSpan.FromSeconds(5),
            BookSilenceTimeouts = new Dictionary<string, TimeSpan> { ["ethusdt"] = TimeSpan.FromSeconds(30) },
        };
        Assert.Equal(TimeSpan.FromSeconds(5), options.BookSilenceTimeoutFor("BTCUSDT"));
        Assert.Equal(TimeSpan.FromSeconds(30), options.BookSilenceTimeoutFor("ETHUSDT")); // case-insensitive
        long[] limits = [options.BookSilenceTimeoutFor("BTCUSDT").Ticks * 100, options.BookSilenceTimeoutFor("ETHUSDT").Ticks * 100];

        var rig = new Rig();
        rig.GoLive();
        Assert.Equal(1, rig.Check(limits, T0 + 10 * Sec));
        Assert.Equal(SyncState.Stale, rig.Core.Books[0].State);
        Assert.True(rig.Core.Books[1].IsLive);
        Assert.Equal(0, rig.Check(limits, T0 + 30 * Sec));
        Assert.Equal(1, rig.Check(limits, T0 + 30 * Sec + 1));
        Assert.Equal(SyncState.Stale, rig.Core.Books[1].State);
    }

    [Fact]
    public void ZeroOrInfinite_DisablesTheCheck()
    {
        var off = new BinanceFeedOptions
        {
            BookSilenceTimeout = TimeSpan.Zero,
            BookSilenceTimeouts = new Dictionary<string, TimeSpan> { ["ETHUSDT"] = Timeout.InfiniteTimeSpan },
        };
        Assert.Equal(TimeSpan.Zero, off.BookSilenceTimeoutFor("BTCUSDT"));
        Assert.Equal(TimeSpan.Zero, off.BookSilenceTimeoutFor("ETHUSDT"));
        Assert.Equal(TimeSpan.FromSeconds(5), new BinanceFeedOptions().BookSilenceTimeoutFor("BTCUSDT")); // the default

        var rig = new Rig();
        rig.GoLive();
        Assert.Equal(0, rig.Check([0, 0], T0 + 3_600 * Sec));
        Assert.True(rig.Core.Books[0].IsLive);
    }

    [Fact]
    public void AfterSilence_DataReturns_BookResyncsToLive()
    {
        var rig = new Rig();
        rig.GoLive();
        Assert.Equal(2, rig.Check(FiveSeconds, T0 + 6 * Sec));
        var btc = rig.Core.Books[0];
        // A ticker alone does not resync (the splice needs a buffered diff), and the book is not marked twice.
        rig.Ticker(0, T0 + 7 * Sec);
        Assert.Equal(SyncState.Stale, btc.State);
        // The first diff back is buffered; the feed then fetches a snapshot (it waits for a buffered diff).
        rig.Diff(0, T0 + 7 * Sec);
        Assert.Equal(SyncState.Resyncing, btc.State);
        Assert.True(btc.SnapshotRequested);
        Assert.Equal(1, btc.BufferedDiffs);
        rig.Core.TakeSnapshotRequest(0, rig.Mono++, T0 + 7 * Sec);
        rig.Diff(0, T0 + 7 * Sec + 100 * Ms);
        rig.Snapshot(0, T0 + 7 * Sec + 200 * Ms); // covers both buffered diffs
        Assert.Equal(SyncState.Live, btc.State);
        Assert.Equal(2, btc.Counters.SnapshotsApplied);
        // A fresh silence window starts at the resync, not at the last silence.
        Assert.Equal(0, rig.Check(FiveSeconds, T0 + 12 * Sec));
        Assert.True(btc.IsLive);
        Assert.Equal(1, rig.Check(FiveSeconds, T0 + 12 * Sec + 300 * Ms));
        Assert.Equal(2, btc.Counters.Silences);
    }

    [Fact]
    public void MarkStale_IsJournaled_AndReplaysToTheSameBooks()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fathom-silence-{Guid.NewGuid():N}.fathomjnl");
        try
        {
            var live = new Rig();
            using (var journal = CoreJournal.Create(path))
            {
                live.Core.Journal = journal;
                live.GoLive();
                live.Ticker(1, T0 + 4 * Sec);
                Assert.Equal(1, live.Check(FiveSeconds, T0 + 6 * Sec)); // BTC only: ETH's ticker is 2 s old
                live.Diff(0, T0 + 7 * Sec);                           // BTC starts resyncing
                journal.Flush();
            }

            var replayed = new BinanceFeedCore([TestInstruments.BtcUsdt, TestInstruments.EthUsdt]);
            int feedEvents = 0;
            using (var reader = CoreJournalReader.Open(path))
            {
                while (reader.TryRead(out JournalEntry entry))
                {
                    if (entry.Kind == RecordKind.FeedEvent && (FeedEventKind)entry.Arg == FeedEventKind.MarkStale)
                    {
                        feedEvents++;
                        Assert.Equal(0, entry.A);
                        Assert.Equal(StaleReason.Silence, (StaleReason)entry.B);
                    }
                    Assert.True(replayed.Replay(entry));
                }
                Assert.Null(reader.Problem);
            }
            Assert.Equal(1, feedEvents);
            for (int i = 0; i < 2; i++)
            {
                BookSync a = live.Core.Books[i], b = replayed.Books[i];
                Assert.Equal(a.State, b.State);
                Assert.Equal(a.LastFailure, b.LastFailure);
                Assert.Equal(a.Counters.Silences, b.Counters.Silences);
                Assert.Equal(a.Book.UpdateId, b.Book.UpdateId);
                Assert.Equal(a.BufferedDiffs, b.BufferedDiffs);
            }
            Assert.Equal(SyncState.Resyncing, replayed.Books[0].State);
            Assert.True(replayed.Books[1].IsLive);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
