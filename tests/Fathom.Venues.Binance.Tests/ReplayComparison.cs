using System.IO.Compression;
using System.Reflection;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// Books, sync state machines and a router for a set of instruments, so two replays of the same
/// data (JSON and store, recording and hftbacktest, live and recorded) can be compared exactly.
/// </summary>
internal sealed class ReplayComparison
{
    public ReplayComparison(IReadOnlyList<InstrumentSpec> instruments, Func<InstrumentSpec, BookOptions>? options = null)
    {
        Router = new MarketDataRouter(instruments.Count) { Check = new TopOfBookCheck() };
        for (int i = 0; i < instruments.Count; i++)
        {
            var spec = instruments[i];
            var rule = spec.Venue == Venue.BinanceUsdM ? SyncRule.BinanceUsdM : SyncRule.BinanceSpot;
            var sync = new BookSync(i, new OrderBook(spec, options?.Invoke(spec)), rule, observer: Transitions.Add);
            Router.Add(sync);
            Syncs.Add(sync);
        }
    }

    public MarketDataRouter Router;
    public readonly List<BookSync> Syncs = [];
    public readonly List<SyncTransition> Transitions = [];

    /// <summary>The BTCUSDT window the other real-data tests use (a dense window around the recorded price).</summary>
    public static BookOptions BtcWindow(InstrumentSpec _) => BookOptions.ForPrice(6_183_763);

    /// <summary>Same books level for level, same update ids, same counters, transitions and ticker checks.</summary>
    public static void AssertSame(ReplayComparison expected, ReplayComparison actual)
    {
        Assert.Equal(expected.Syncs.Count, actual.Syncs.Count);
        for (int i = 0; i < expected.Syncs.Count; i++)
        {
            BookSync e = expected.Syncs[i], a = actual.Syncs[i];
            Assert.Equal(e.State, a.State);
            Assert.Equal(e.Book.TickRaw, a.Book.TickRaw);
            BookCopy eb = e.Book.Copy(), ab = a.Book.Copy();
            Assert.Equal(eb.UpdateId, ab.UpdateId);
            Assert.Equal(eb.Bids.ToArray(), ab.Bids.ToArray());
            Assert.Equal(eb.Asks.ToArray(), ab.Asks.ToArray());
            foreach (FieldInfo f in typeof(SyncCounters).GetFields())
                Assert.True(Equals(f.GetValue(e.Counters), f.GetValue(a.Counters)),
                    $"instrument {i}: counter {f.Name} {f.GetValue(e.Counters)} vs {f.GetValue(a.Counters)}");
            Assert.Equal(e.Top, a.Top);
        }
        Assert.Equal(expected.Transitions, actual.Transitions);
        Assert.Equal(expected.Router.Trades, actual.Router.Trades);
        Assert.Equal(expected.Router.UnroutedErrors, actual.Router.UnroutedErrors);
        Assert.Equal(expected.Router.ServerShutdowns, actual.Router.ServerShutdowns);
        TopOfBookCheck ec = expected.Router.Check!, ac = actual.Router.Check!;
        Assert.Equal((ec.Matched, ec.Mismatched, ec.NotComparable), (ac.Matched, ac.Mismatched, ac.NotComparable));
    }

    /// <summary>A minimal spot exchangeInfo for BTCUSDT as in the shared recording (tick 0.01, step 0.00001).</summary>
    public static byte[] BtcUsdtExchangeInfo =>
        """{"timezone":"UTC","symbols":[{"symbol":"BTCUSDT","status":"TRADING","filters":[{"filterType":"PRICE_FILTER","minPrice":"0.01000000","maxPrice":"1000000.00000000","tickSize":"0.01000000"},{"filterType":"LOT_SIZE","minQty":"0.00001000","maxQty":"9000.00000000","stepSize":"0.00001000"}]}]}"""u8.ToArray();

    /// <summary>
    /// Re-records hftbacktest lines as a <c>.fathomrec</c> file: session and exchangeInfo records,
    /// then each line as a stream frame or (the bare REST body) a snapshot, with its receive time.
    /// </summary>
    /// <param name="overlap">
    /// When set, the frames of the lines in [Start, Start + Count) are recorded a second time (connection 2) right after
    /// them, as a planned reconnect's queue replays what the new connection carried while the old one still fed.
    /// </param>
    public static void RecordHftBacktest(IEnumerable<string> files, string path, RecordingWriterOptions? options = null, (int Start, int Count)? overlap = null)
    {
        using var writer = RecordingWriter.Create(path, options ?? new RecordingWriterOptions { MaxQueuedBlocks = 4096 });
        var session = new BinanceSessionInfo { Symbols = ["BTCUSDT"], StreamUrl = "hftbacktest", SnapshotDepth = 1000 };
        Assert.True(writer.TryAppendSessionInfo(0, session.ToText()));
        Assert.True(writer.TryAppendExchangeInfo(0, BtcUsdtExchangeInfo));
        var again = new List<(long Ns, byte[] Json)>();
        int index = 0;
        foreach (string file in files)
        {
            using var gz = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var lines = new LineReader(gz);
            while (lines.TryReadLine(out var line))
            {
                int space = line.IndexOf((byte)' ');
                long ns = DecimalParser.Parse(line[..space], 0);
                ReadOnlySpan<byte> json = line[(space + 1)..];
                bool snapshot = json.StartsWith("{\"lastUpdateId\""u8);
                bool ok = snapshot
                    ? writer.TryAppendSnapshot(ns, "BTCUSDT", 1000, json)
                    : writer.TryAppendFrame(ns, json, connectionId: 1);
                Assert.True(ok, "the recorder dropped a record");
                if (overlap is { } o && !snapshot && index >= o.Start && index < o.Start + o.Count)
                {
                    again.Add((ns, json.ToArray()));
                    if (index == o.Start + o.Count - 1)
                        foreach (var (agNs, agJson) in again)
                            Assert.True(writer.TryAppendFrame(agNs, agJson, connectionId: 2), "the recorder dropped a record");
                }
                index++;
            }
        }
    }

    /// <summary>A path in the temp folder, deleted when disposed.</summary>
    public sealed class TempFile(string extension) : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fathom-{Guid.NewGuid():N}{extension}");
        public void Dispose()
        {
            File.Delete(Path);
        }
    }
}
