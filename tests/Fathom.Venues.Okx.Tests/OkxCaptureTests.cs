using System.Globalization;
using System.Text;
using Fathom.Book;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Okx.Tests;

/// <summary>
/// Real-data conformance on the shared 2022 OKX capture (<c>cryptofeed/OKX.ws.1.0</c>, instruments
/// from <c>cryptofeed/OKX.0.gz</c>), checked against the independent Python replay
/// <c>/work/shared/tools/verify_okx.py</c>, plus fault injection on it.
/// </summary>
public class OkxCaptureTests
{
    internal static string WsPath => SharedData.PathOf("cryptofeed", "OKX.ws.1.0");
    internal static string InstrumentsPath => SharedData.PathOf("cryptofeed", "OKX.0.gz");

    internal sealed class Run
    {
        public required OkxCryptofeedReplay Replay;
        public required MarketDataRouter Router;
        public required BookSync[] Syncs;

        public BookSync this[string instId] => Syncs.Single(s => s.Book.Instrument.Symbol == instId);
    }

    internal static Run Open()
    {
        var replay = OkxCryptofeedReplay.Open(InstrumentsPath, WsPath);
        var router = new MarketDataRouter(replay.Instruments.Count);
        var syncs = new BookSync[replay.Instruments.Count];
        for (int i = 0; i < syncs.Length; i++)
            router.Add(syncs[i] = OkxBooks.CreateSync(replay.Instruments[i]));
        return new Run { Replay = replay, Router = router, Syncs = syncs };
    }

    // Figures from `python3 /work/shared/tools/verify_okx.py /work/shared/data/cryptofeed/OKX.ws.1.0`:
    //   ('books', 'BTC-USD-220527') {'snap': 1, 'upd': 98, 'ok': 99, 'bad': 0, 'seq_ok': 0, 'seq_bad': 0}
    //   ('books', 'UNI-USD-SWAP') {'snap': 1, 'upd': 92, 'ok': 93, 'bad': 0, 'seq_ok': 0, 'seq_bad': 0}
    //   ('books', 'BTC-USDT') {'snap': 1, 'upd': 97, 'ok': 98, 'bad': 0, 'seq_ok': 0, 'seq_bad': 0}
    // Messages per instrument (105, 95, 192) are from shared/data/PROVENANCE.md's OKX section. The final
    // top of book and level counts were read off the same replay rule in Python (Decimal-keyed dicts, as
    // verify_okx.py builds them): BTC-USD-220527 2 @ 30229.4 / 30238.8 x 3, 74/62 levels;
    // UNI-USD-SWAP 20 @ 5.137 / 5.145 x 50, 125/118; BTC-USDT 0.18050747 @ 30236.1 / 30236.2 x 0.001, 400/400.
    [Theory]
    [InlineData("BTC-USD-220527", 105, 1, 98, 99, 302294, 2, 302388, 3, 74, 62)]
    [InlineData("UNI-USD-SWAP", 95, 1, 92, 93, 5137, 20, 5145, 50, 125, 118)]
    [InlineData("BTC-USDT", 192, 1, 97, 98, 302361, 18_050_747, 302362, 100_000, 400, 400)]
    public void Replay_Capture_CountsAgreeWithPythonReference(string instId, long messages, long snapshots, long updates, long checksumsOk,
        long bidTick, long bidQty, long askTick, long askQty, int bidLevels, int askLevels)
    {
        var run = Open();
        var router = run.Router;
        run.Replay.Replay(ref router);
        BookSync sync = run[instId];
        SyncCounters c = sync.Counters;
        Assert.Equal(SyncState.Live, sync.State);
        Assert.Equal(messages, run.Replay.Instruments[sync.InstrumentId].Messages);
        Assert.Equal(snapshots, c.SnapshotsApplied);
        Assert.Equal(updates, c.DiffsApplied);
        // Every message carries a checksum: each one checked must match.
        Assert.Equal(snapshots + updates, c.ChecksumsMatched);
        Assert.Equal(checksumsOk, c.ChecksumsMatched);
        Assert.Equal(0, c.ChecksumsMismatched);
        Assert.Equal(0, c.Gaps + c.Crossed + c.Heartbeats + c.Resets + c.StaleCount);
        Assert.Equal(updates, c.Unsequenced); // the 2022 capture predates seqId
        OrderBook book = sync.Book;
        Assert.Equal((bidTick, bidQty, askTick, askQty), (book.BestBidTick, book.BestBidQty, book.BestAskTick, book.BestAskQty));
        Assert.Equal((bidLevels, askLevels), (book.BidCount, book.AskCount));
    }

    [Fact]
    public void Replay_Capture_MessageKindsAsInProvenance()
    {
        var run = Open();
        var router = run.Router;
        run.Replay.Replay(ref router);
        var p = run.Replay.Parser;
        Assert.Equal(410, run.Replay.Frames);
        Assert.Equal(18, p.SubscribeAcks);
        Assert.Equal(3, p.Counters.Snapshots);
        Assert.Equal(287, p.Counters.Deltas);
        Assert.Equal(74, p.Counters.Trades);
        Assert.Equal(28, p.Counters.IgnoredEvents); // tickers
        Assert.Equal(0, p.Counters.Malformed + p.Counters.Truncated + p.Counters.BadNumbers + p.Counters.OffTick + run.Replay.BadLines);
    }

    /// <summary>The snapshot a resync would fetch, built from the reference book as it stands (the capture has one per instrument).</summary>
    internal static byte[] SnapshotFrom(OrderBook book)
    {
        string Levels(Side side)
        {
            var levels = new Level[400];
            int n = book.TopLevels(side, levels);
            return string.Join(",", levels.Take(n).Select(l =>
                $"[\"{FixedPoint(l.Tick * book.TickRaw, book.Instrument.PriceDecimals)}\",\"{FixedPoint(l.Qty, book.Instrument.QtyDecimals)}\",\"0\",\"1\"]"));
        }
        int checksum = OkxBookChecksum.Instance.Compute(book);
        return Encoding.UTF8.GetBytes("{\"arg\":{\"channel\":\"books\",\"instId\":\"" + book.Instrument.Symbol + "\"},\"action\":\"snapshot\",\"data\":[{\"asks\":[" +
            Levels(Side.Ask) + "],\"bids\":[" + Levels(Side.Bid) + "],\"ts\":\"1\",\"checksum\":" + checksum.ToString(CultureInfo.InvariantCulture) + "}]}");
    }

    private static string FixedPoint(long raw, int decimals) => Fathom.Core.FixedPoint.ToTrimmedString(raw, decimals);
}
