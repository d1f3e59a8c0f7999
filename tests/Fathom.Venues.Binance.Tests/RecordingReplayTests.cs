using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// The <c>.fathomrec</c> replayer on the real BTCUSDT recording: the hftbacktest days re-recorded in
/// Fathom's format replay to exactly the books, counters and ticker checks of the original, and a
/// recording cut mid-block replays everything before the cut.
/// </summary>
public class RecordingReplayTests
{
    private static ReplayComparison ReplayHftBacktest(int maxLines = int.MaxValue)
    {
        var run = new ReplayComparison([TestInstruments.BtcUsdt], ReplayComparison.BtcWindow);
        var symbols = new BinanceSymbolTable();
        var replay = new HftBacktestReplay(new BinanceStreamParser(symbols), symbols.Add(TestInstruments.BtcUsdt));
        var router = run.Router;
        int n = 0;
        foreach (string file in SharedData.BinanceSpotDays)
        {
            using var gz = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
            using var lines = new LineReader(gz);
            while (n < maxLines && lines.TryReadLine(out var line))
            {
                replay.ReplayLine(line, ref router);
                n++;
            }
        }
        return run;
    }

    [Fact]
    public void BtcUsdtDaysAsRecording_ReplayToTheSameBooksCountersAndTickerChecks()
    {
        using var file = new ReplayComparison.TempFile(".fathomrec");
        ReplayComparison.RecordHftBacktest(SharedData.BinanceSpotDays, file.Path);

        RecordingReplay replay = RecordingReplay.Open(file.Path);
        Assert.Equal(1, replay.Symbols.Count);
        Assert.Equal(TestInstruments.BtcUsdt.TickSize, replay.Symbols[0].Spec.TickSize); // from the recorded exchangeInfo
        Assert.Equal(TestInstruments.BtcUsdt.StepSize, replay.Symbols[0].Spec.StepSize);
        var run = new ReplayComparison([replay.Symbols[0].Spec], ReplayComparison.BtcWindow);
        replay.ReplayFile(file.Path, ref run.Router);

        ReplayComparison.AssertSame(ReplayHftBacktest(), run);
        Assert.Equal(6_493, run.Syncs[0].Counters.DiffsApplied);
        Assert.Equal(1_072, run.Router.Check!.Matched);
        Assert.Equal(41_249 + 58_325 - 1, replay.Frames);
        Assert.Equal(1, replay.Snapshots);
        Assert.False(replay.TornTail);
        Assert.Equal(0, replay.CorruptBlocks);
        Assert.Equal(0, replay.Parser.Counters.Malformed + replay.Parser.Counters.Truncated);
    }

    [Fact]
    public void RecordingCutMidBlock_ReplaysEverythingBeforeTheCut_AndReportsTheTornTail()
    {
        using var file = new ReplayComparison.TempFile(".fathomrec");
        ReplayComparison.RecordHftBacktest([SharedData.BinanceSpotDays[0]], file.Path);
        byte[] bytes = File.ReadAllBytes(file.Path);
        File.WriteAllBytes(file.Path, bytes[..(bytes.Length * 2 / 3)]); // a crash two thirds of the way in

        RecordingReplay replay = RecordingReplay.Open(file.Path);
        var run = new ReplayComparison([replay.Symbols[0].Spec], ReplayComparison.BtcWindow);
        replay.ReplayFile(file.Path, ref run.Router);
        Assert.True(replay.TornTail);
        Assert.Equal(0, replay.CorruptBlocks);
        long lines = replay.Frames + replay.Snapshots;
        Assert.InRange(lines, 20_000, 41_248);

        // Exactly the first `lines` recorded lines: nothing lost before the torn block, nothing invented.
        ReplayComparison.AssertSame(ReplayHftBacktest((int)lines), run);
        Assert.Equal(SyncState.Live, run.Syncs[0].State);
    }

    [Fact]
    public void Open_WithoutASessionRecord_ExplainsWhatIsMissing()
    {
        using var file = new ReplayComparison.TempFile(".fathomrec");
        using (var w = RecordingWriter.Create(file.Path))
            w.TryAppendFrame(1, "{}"u8);
        var ex = Assert.Throws<InvalidDataException>(() => RecordingReplay.Open(file.Path));
        Assert.Contains("session", ex.Message, StringComparison.Ordinal);
    }
}
