using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Converts recorded Binance data to the normalized store (<see cref="StoreWriter"/>): hftbacktest
/// <c>.gz</c> days, cryptofeed captures and <c>.fathomrec</c> recordings. The input goes through the
/// same parser as live data with the store writer as its handler, so the store holds exactly the
/// events (grid changes and message errors included) a live run would have delivered, in order. As in a
/// live run, a trade is stored once: a recording across a planned reconnect holds the overlap's trades
/// twice, and a trade whose id is not above its symbol's highest so far is dropped (counted in a warning).
/// </summary>
public static class BinanceStoreConverter
{
    /// <summary>hftbacktest days of one symbol, in order (a continuation day needs the day before it).</summary>
    public static StoreConversionResult ConvertHftBacktest(IReadOnlyList<string> files, InstrumentSpec spec, int snapshotDepth, Stream output)
    {
        ArgumentNullException.ThrowIfNull(files);
        var symbols = new BinanceSymbolTable();
        BinanceSymbol symbol = symbols.Add(spec);
        var parser = new BinanceStreamParser(symbols);
        var replay = new HftBacktestReplay(parser, symbol, snapshotDepth);
        using var writer = new StoreWriter(output, [spec], ownsStream: false);
        var handler = new DropRepeatedTrades<StoreWriter>(new RepeatedTrades(1), writer); // the replays take their handler by ref
        foreach (string file in files)
            replay.ReplayFile(file, ref handler);
        var warnings = new List<string>();
        Repeats(handler.Filter, warnings);
        if (replay.BadLines > 0)
            warnings.Add($"{replay.BadLines} line(s) were not '<recv_ns> <json>'");
        if (replay.TornTails > 0)
            warnings.Add($"{replay.TornTails} file(s) ended inside a line (torn tail skipped)");
        return Result("hftbacktest", writer, 1, parser, warnings);
    }

    /// <summary>A cryptofeed capture: exchangeInfo file, snapshot file and one connection file.</summary>
    public static StoreConversionResult ConvertCryptofeed(string exchangeInfoPath, string httpPath, string wsPath, Venue venue, Stream output)
    {
        CryptofeedReplay replay = CryptofeedReplay.Open(exchangeInfoPath, httpPath, wsPath, venue);
        using var writer = new StoreWriter(output, Specs(replay.Symbols), ownsStream: false);
        var handler = new DropRepeatedTrades<StoreWriter>(new RepeatedTrades(replay.Symbols.Count), writer);
        replay.Replay(ref handler);
        var warnings = new List<string>();
        Repeats(handler.Filter, warnings);
        if (replay.BadLines > 0)
            warnings.Add($"{replay.BadLines} unexpected line(s) in the connection file");
        return Result("cryptofeed", writer, replay.Symbols.Count, replay.Parser, warnings);
    }

    /// <summary>A <c>.fathomrec</c> recording; its damaged blocks or torn tail become warnings.</summary>
    public static StoreConversionResult ConvertRecording(string path, Stream output)
    {
        RecordingReplay replay = RecordingReplay.Open(path);
        using var writer = new StoreWriter(output, Specs(replay.Symbols), ownsStream: false);
        var handler = new DropRepeatedTrades<StoreWriter>(new RepeatedTrades(replay.Symbols.Count), writer);
        replay.ReplayFile(path, ref handler);
        var warnings = new List<string>();
        Repeats(handler.Filter, warnings);
        if (replay.TornTail)
            warnings.Add("the recording ends inside a block (torn tail skipped)");
        if (replay.CorruptBlocks > 0)
            warnings.Add($"{replay.CorruptBlocks} corrupt block(s) skipped");
        if (replay.DroppedRecords > 0)
            warnings.Add($"the recorder dropped {replay.DroppedRecords} record(s) (queue full) while recording");
        if (replay.UnknownSnapshotSymbols > 0)
            warnings.Add($"{replay.UnknownSnapshotSymbols} snapshot(s) for symbols outside the session skipped");
        return Result("fathomrec", writer, replay.Symbols.Count, replay.Parser, warnings);
    }

    private static void Repeats(RepeatedTrades filter, List<string> warnings)
    {
        if (filter.Repeats > 0)
            warnings.Add($"{filter.Repeats} repeated trade(s) dropped (a trade id not above its symbol's highest: overlapping connections)");
    }

    private static InstrumentSpec[] Specs(BinanceSymbolTable symbols)
    {
        var specs = new InstrumentSpec[symbols.Count];
        for (int i = 0; i < specs.Length; i++)
            specs[i] = symbols[i].Spec;
        return specs;
    }

    private static StoreConversionResult Result(string format, StoreWriter writer, int instruments, BinanceStreamParser parser, List<string> warnings)
    {
        writer.Flush();
        return new StoreConversionResult(format, instruments, writer.Messages, writer.Events, writer.Levels, writer.Blocks,
            writer.BytesWritten, parser.Counters, warnings);
    }
}
