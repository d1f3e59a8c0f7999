using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Okx;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom book --venue okx &lt;OKX.ws.N.0&gt; [OKX.0[.gz]]</c>: replays a cryptofeed recording of OKX's
/// public WebSocket through the OKX parser, the OKX sync rule and checksum, and the book the engine
/// uses, then prints per instrument the message and sync counts (snapshots, updates applied,
/// heartbeats, resets, gaps, checksums matched/mismatched), the final top of book and ladder.
/// The instrument list defaults to <c>OKX.0.gz</c> or <c>OKX.0</c> beside the WebSocket file.
/// Exit 0 only when every book ends Live with no gap, crossing or checksum mismatch.
/// </summary>
internal static class OkxBookCommand
{
    public static int Run(FileInfo[] files, int depth, TextWriter output, TextWriter error)
    {
        FileInfo? ws = null, instruments = null;
        foreach (var f in files)
        {
            if (!f.Exists)
            {
                error.WriteLine($"error: {f.FullName} does not exist.");
                return 2;
            }
            if (BookCommand.FirstLine(f).StartsWith("wss://", StringComparison.Ordinal)) ws = f;
            else instruments = f;
        }
        if (ws is null)
        {
            error.WriteLine("error: an OKX replay needs a cryptofeed WebSocket recording (OKX.ws.N.0, first line 'wss://… <-> <ts>').");
            return 2;
        }
        instruments ??= new[] { "OKX.0.gz", "OKX.0" }.Select(n => new FileInfo(Path.Combine(ws.DirectoryName!, n))).FirstOrDefault(f => f.Exists);
        if (instruments is null)
        {
            error.WriteLine($"error: no OKX instrument list given and none (OKX.0.gz, OKX.0) beside {ws.FullName}.");
            return 2;
        }
        OkxCryptofeedReplay replay;
        try
        {
            replay = OkxCryptofeedReplay.Open(instruments.FullName, ws.FullName);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException or System.Text.Json.JsonException)
        {
            error.WriteLine($"error: {CliErrors.OneLine(ex.Message)}");
            return 2;
        }
        var transitions = new List<SyncTransition>();
        var router = new MarketDataRouter(replay.Instruments.Count);
        var syncs = new BookSync[replay.Instruments.Count];
        for (int i = 0; i < syncs.Length; i++)
            router.Add(syncs[i] = OkxBooks.CreateSync(replay.Instruments[i], observer: transitions.Add));
        replay.Replay(ref router);

        var problems = new List<string>();
        foreach (BookSync sync in syncs)
        {
            OkxInstrument instrument = replay.Instruments[sync.InstrumentId];
            SyncCounters c = sync.Counters;
            InstrumentSpec spec = instrument.Spec;
            string Px(long tick) => FixedPoint.ToTrimmedString(sync.Book.PriceOf(tick).Raw, spec.PriceDecimals);
            string Qx(long qty) => FixedPoint.ToTrimmedString(qty, spec.QtyDecimals);
            output.WriteLine($"{spec.Symbol}: messages {instrument.Messages}, snapshots {c.SnapshotsApplied}, updates applied {c.DiffsApplied} " +
                $"(unsequenced {c.Unsequenced}), heartbeats {c.Heartbeats}, resets {c.Resets}, gaps {c.Gaps}, duplicates {c.Duplicates}, " +
                $"checksums matched {c.ChecksumsMatched}, mismatched {c.ChecksumsMismatched}");
            output.WriteLine(sync.Book.IsTwoSided
                ? $"{spec.Symbol}: top {Qx(sync.Book.BestBidQty)} @ {Px(sync.Book.BestBidTick)} / {Px(sync.Book.BestAskTick)} x {Qx(sync.Book.BestAskQty)}"
                : $"{spec.Symbol}: top of book not two-sided");
            if (depth > 0)
                BookCommand.PrintBook(output, sync, depth);
            output.WriteLine();
            BookCommand.BookProblems(spec.Symbol, sync, problems);
            if (c.ChecksumsMismatched > 0)
                problems.Add($"{spec.Symbol}: {c.ChecksumsMismatched} checksum mismatch(es)");
        }
        var p = replay.Parser;
        output.WriteLine($"frames {replay.Frames} (sent lines {replay.SentLines}): {p.Counters.Snapshots} snapshots, {p.Counters.Deltas} updates, {p.Counters.TopOfBooks} bbo-tbt, " +
            $"{p.Counters.Trades} trades, {p.Counters.IgnoredEvents} other channel messages, {p.SubscribeAcks} subscribe acks, {p.VenueErrors} venue errors, {p.Pongs} pongs; " +
            $"malformed {p.Counters.Malformed}, truncated {p.Counters.Truncated}, bad numbers {p.Counters.BadNumbers}, off tick {p.Counters.OffTick}, " +
            $"unknown fields {p.Counters.UnknownFields}, bad lines {replay.BadLines}");
        foreach (var t in transitions)
            output.WriteLine($"transition: {replay.Instruments[t.InstrumentId].Spec.Symbol}: {t}");
        return BookCommand.Verdict(error, ws.Name, problems);
    }
}
