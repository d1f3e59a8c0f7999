using Fathom.Hosting;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// The part of <c>fathom book</c> that replays Fathom's own files, recognised by their magic bytes:
/// a <c>.fathomrec</c> recording (raw frames through the parser) or a <c>.fathomstore</c> normalized
/// store (no JSON at all). Prints the same ladder, counters and bookTicker check as the other formats.
/// </summary>
internal static class RecordedBookCommand
{
    /// <summary>True when the files are Fathom recordings or stores (then <see cref="Run"/> replays them).</summary>
    public static bool Handles(FileInfo[] files) => files.Length > 0 && files[0].Exists && Magic(files[0]) != Kind.Other;

    private enum Kind { Other, Recording, Store }

    private static Kind Magic(FileInfo file)
    {
        Span<byte> first = stackalloc byte[8];
        using var s = file.OpenRead();
        int n = s.ReadAtLeast(first, first.Length, throwOnEndOfStream: false);
        return RecordingReader.HasMagic(first[..n]) ? Kind.Recording : StoreReader.HasMagic(first[..n]) ? Kind.Store : Kind.Other;
    }

    public static int Run(FileInfo[] files, int depth, TextWriter output, TextWriter error)
    {
        if (files.Length != 1)
        {
            error.WriteLine("error: replay one .fathomrec or .fathomstore file at a time.");
            return 2;
        }
        try
        {
            return Magic(files[0]) == Kind.Recording ? RunRecording(files[0], depth, output, error) : RunStore(files[0], depth, output, error);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException or System.Text.Json.JsonException)
        {
            string message = CliErrors.OneLine(ex.Message);
            error.WriteLine($"error: {(message.Contains(files[0].FullName, StringComparison.Ordinal) ? "" : files[0].FullName + ": ")}{message}");
            return 2;
        }
    }

    private static int RunRecording(FileInfo file, int depth, TextWriter output, TextWriter error)
    {
        RecordingReplay replay = RecordingReplay.Open(file.FullName);
        var specs = new InstrumentSpec[replay.Symbols.Count];
        for (int i = 0; i < specs.Length; i++)
            specs[i] = replay.Symbols[i].Spec;
        var (router, syncs, transitions) = Books(specs);
        replay.ReplayFile(file.FullName, ref router);

        Print(output, router, syncs, transitions, depth, specs);
        var p = replay.Parser.Counters;
        output.WriteLine($"records {replay.Records}: frames {replay.Frames}, snapshots {replay.Snapshots}; {p.Deltas} diffs, {p.TopOfBooks} tickers, {p.Trades} trades; " +
            $"malformed {p.Malformed}, truncated {p.Truncated}, bad numbers {p.BadNumbers}, grid refinements {p.GridRefinements}, unknown fields {p.UnknownFields}");
        output.WriteLine($"recording: corrupt blocks {replay.CorruptBlocks}, torn tail {(replay.TornTail ? "yes (skipped)" : "no")}, " +
            $"records dropped while recording {replay.DroppedRecords}; session {replay.Session.StreamUrl} started {replay.Session.Started:O}");
        var problems = new List<string>();
        if (replay.TornTail)
            problems.Add("the file is truncated: it ends inside a block (a recorder stopped mid-write, or the file was cut); only the blocks before were replayed");
        if (replay.CorruptBlocks > 0)
            problems.Add($"{replay.CorruptBlocks} corrupt block(s) were skipped");
        return Verdict(error, file.FullName, router, syncs, specs, problems);
    }

    private static int RunStore(FileInfo file, int depth, TextWriter output, TextWriter error)
    {
        using var reader = StoreReader.Open(file.FullName);
        var specs = reader.Instruments.ToArray();
        var (router, syncs, transitions) = Books(specs);
        reader.ReadAll(ref router);
        Print(output, router, syncs, transitions, depth, specs);
        output.WriteLine($"store: {reader.Messages} messages, {reader.Events} events ({reader.Levels} levels) in {reader.Blocks} blocks; " +
            $"corrupt blocks {reader.CorruptBlocks}, torn tail {(reader.TornTail ? "yes (skipped)" : "no")}");
        var problems = new List<string>();
        if (reader.TornTail)
            problems.Add("the file is truncated: it ends inside a block; only the blocks before were replayed");
        if (reader.CorruptBlocks > 0)
            problems.Add($"{reader.CorruptBlocks} corrupt block(s) were skipped");
        return Verdict(error, file.FullName, router, syncs, specs, problems);
    }

    private static int Verdict(TextWriter error, string file, MarketDataRouter router, List<BookSync> syncs, InstrumentSpec[] specs, List<string> problems)
    {
        foreach (var sync in syncs)
            BookCommand.BookProblems(specs[sync.InstrumentId].Symbol, sync, problems);
        if (router.Check!.Mismatched > 0)
            problems.Add($"{router.Check.Mismatched} bookTicker mismatch(es)");
        return BookCommand.Verdict(error, file, problems);
    }

    private static (MarketDataRouter, List<BookSync>, List<SyncTransition>) Books(InstrumentSpec[] specs)
    {
        var transitions = new List<SyncTransition>();
        var router = new MarketDataRouter(specs.Length) { Check = new TopOfBookCheck() };
        var syncs = new List<BookSync>();
        for (int i = 0; i < specs.Length; i++)
        {
            var rule = specs[i].Venue == Venue.BinanceUsdM ? SyncRule.BinanceUsdM : SyncRule.BinanceSpot;
            var sync = new BookSync(i, new OrderBook(specs[i]), rule, observer: transitions.Add);
            router.Add(sync);
            syncs.Add(sync);
        }
        return (router, syncs, transitions);
    }

    private static void Print(TextWriter o, MarketDataRouter router, List<BookSync> syncs, List<SyncTransition> transitions, int depth, InstrumentSpec[] specs)
    {
        foreach (var sync in syncs)
        {
            BookCommand.PrintBook(o, sync, depth);
            o.WriteLine();
        }
        TopOfBookCheck check = router.Check!;
        o.WriteLine($"bookTicker check: matched {check.Matched}/{check.Compared}" +
            (check.Mismatched > 0 ? $"  FIRST MISMATCH {check.FirstMismatch}" : "") + $"  ({check.NotComparable} tickers fell inside a diff)");
        foreach (var t in transitions)
            o.WriteLine($"transition: {specs[t.InstrumentId].Symbol}: {t}");
    }

}
