using Fathom.Hosting;
using System.CommandLine;
using System.Text;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom book &lt;file&gt;…</c>: replays recorded Binance depth data through the same parser,
/// sync state machine and book the engine uses, then prints the final ladder, the counters and the
/// bookTicker cross-check. Exit code 0 only when the book ends Live with no integrity failure and every
/// file was read whole; otherwise one <c>error:</c> line on stderr says why (2: a file holds no recording at
/// all, nothing is printed; 1: the report is printed and the check failed, e.g. a truncated file).
/// </summary>
internal static class BookCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var files = new Argument<string[]>("files")
        {
            Description = "Recorded files, or with --live the symbols to watch (e.g. btcusdt ethusdt). hftbacktest: one or more days in order (gzip lines '<recv_ns> <json>'; a continuation day needs the day before it). " +
                "cryptofeed: the exchangeInfo file (EXCHANGE.0[.gz]), the snapshots (EXCHANGE.http.0.0) and one connection (EXCHANGE.ws.N.0), in any order.",
            Arity = ArgumentArity.OneOrMore,
        };
        var symbol = new Option<string>("--symbol") { Description = "Instrument symbol in the recording.", DefaultValueFactory = _ => "BTCUSDT" };
        var tickSize = new Option<string>("--tick-size") { Description = "Price tick size (decimal).", DefaultValueFactory = _ => "0.01" };
        var stepSize = new Option<string>("--step-size") { Description = "Quantity step size (decimal).", DefaultValueFactory = _ => "0.00001" };
        var depth = new Option<int>("--depth") { Description = "Ladder levels to print per side.", DefaultValueFactory = _ => 10 };
        var snapshotDepth = new Option<int>("--snapshot-depth") { Description = "Depth the recorded REST snapshots were requested with (hftbacktest).", DefaultValueFactory = _ => 1000 };
        var venue = new Option<string>("--venue") { Description = "binance-spot (U/u chaining), binance-usdm (pu chaining) or okx (seqId/prevSeqId and checksum; files: OKX.ws.N.0 [OKX.0.gz]).", DefaultValueFactory = _ => "binance-spot" };
        venue.AcceptOnlyFromAmong("binance-spot", "binance-usdm", "okx");

        var command = new Command("book", "Replay a recorded Binance file into an order book and print the final ladder, counters and the bookTicker check.")
        {
            files, venue, symbol, tickSize, stepSize, depth, snapshotDepth,
        };
        var live = new Option<bool>("--live") { Description = "Watch live books over WebSocket instead of replaying files (testnet unless --mainnet or --url)." };
        var url = new Option<string?>("--url") { Description = "Base URL of a local Binance-compatible server (e.g. fathom sim): http://127.0.0.1:8090." };
        var mainnet = new Option<bool>("--mainnet") { Description = "With --live: Binance mainnet public market data (no keys are used)." };
        var duration = new Option<double?>("--duration") { Description = "With --live: stop after this many seconds (default: until Ctrl+C)." };
        command.Options.Add(live);
        command.Options.Add(url);
        command.Options.Add(mainnet);
        command.Options.Add(duration);
        command.SetAction((parse, cancel) =>
        {
            if (parse.GetValue(live))
                return LiveBookCommand.RunAsync(parse.GetValue(files)!, parse.GetValue(url), parse.GetValue(mainnet),
                    parse.GetValue(depth), parse.GetValue(duration), output, error, cancel);
            FileInfo[] given = [.. parse.GetValue(files)!.Select(f => new FileInfo(f))];
            if (parse.GetValue(venue) == "okx")
                return Task.FromResult(OkxBookCommand.Run(given, parse.GetValue(depth), output, error));
            if (RecordedBookCommand.Handles(given)) // .fathomrec / .fathomstore, recognised by their magic
                return Task.FromResult(RecordedBookCommand.Run(given, parse.GetValue(depth), output, error));
            bool usdm = parse.GetValue(venue) == "binance-usdm";
            return Task.FromResult(IsCryptofeed(given)
                ? RunCryptofeed(given, usdm, parse.GetValue(depth), output, error)
                : Run(given, parse.GetValue(symbol)!, parse.GetValue(tickSize)!, parse.GetValue(stepSize)!,
                    parse.GetValue(depth), parse.GetValue(snapshotDepth), output, error, usdm));
        });
        return command;
    }

    internal static string FirstLine(FileInfo f)
    {
        try
        {
            using Stream s = f.OpenRead();
            using Stream data = f.Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new System.IO.Compression.GZipStream(s, System.IO.Compression.CompressionMode.Decompress) : s;
            var buffer = new byte[512];
            int n = data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static bool IsCryptofeed(FileInfo[] files) => files.Any(f => FirstLine(f).StartsWith("wss://", StringComparison.Ordinal));

    internal static int RunCryptofeed(FileInfo[] files, bool usdm, int depth, TextWriter output, TextWriter error)
    {
        FileInfo? ws = null, http = null, info = null;
        foreach (var f in files)
        {
            if (!f.Exists)
            {
                error.WriteLine($"error: {f.FullName} does not exist.");
                return 2;
            }
            string first = FirstLine(f);
            if (first.StartsWith("wss://", StringComparison.Ordinal)) ws = f;
            else if (first.Contains("exchangeInfo -> ", StringComparison.Ordinal)) info = f;
            else if (first.Contains("/depth?", StringComparison.Ordinal)) http = f;
            else
            {
                error.WriteLine($"error: {f.Name} is not a cryptofeed exchangeInfo, snapshot or websocket recording.");
                return 2;
            }
        }
        if (ws is null || http is null || info is null)
        {
            error.WriteLine("error: a cryptofeed replay needs three files: EXCHANGE.0[.gz] (exchangeInfo), EXCHANGE.http.0.0 (snapshots) and EXCHANGE.ws.N.0 (the connection).");
            return 2;
        }
        CryptofeedReplay replay;
        try
        {
            replay = CryptofeedReplay.Open(info.FullName, http.FullName, ws.FullName, usdm ? Venue.BinanceUsdM : Venue.BinanceSpot);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or System.Text.Json.JsonException)
        {
            error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        var transitions = new List<SyncTransition>();
        var router = new MarketDataRouter(replay.Symbols.Count) { Check = new TopOfBookCheck() };
        var syncs = new List<BookSync>();
        for (int i = 0; i < replay.Symbols.Count; i++)
        {
            var sym = replay.Symbols[i];
            var sync = new BookSync(sym.Id, new OrderBook(sym.Spec), usdm ? SyncRule.BinanceUsdM : SyncRule.BinanceSpot, observer: transitions.Add);
            router.Add(sync);
            syncs.Add(sync);
        }
        replay.Replay(ref router);

        foreach (var sync in syncs)
        {
            PrintBook(output, sync, depth);
            output.WriteLine();
        }
        TopOfBookCheck check = router.Check!;
        output.WriteLine($"bookTicker check: matched {check.Matched}/{check.Compared}" +
            (check.Mismatched > 0 ? $"  FIRST MISMATCH {check.FirstMismatch}" : "") + $"  ({check.NotComparable} tickers fell inside a diff)");
        var p = replay.Parser.Counters;
        output.WriteLine($"frames {replay.Frames}, snapshots {replay.SnapshotsReplayed}: {p.Deltas} diffs, {p.TopOfBooks} tickers, {p.Trades} trades, {p.IgnoredEvents} other events; " +
            $"malformed {p.Malformed}, truncated {p.Truncated}, bad numbers {p.BadNumbers}, grid refinements {p.GridRefinements}, unknown fields {p.UnknownFields}, bad lines {replay.BadLines}");
        foreach (var t in transitions)
            output.WriteLine($"transition: {replay.Symbols[t.InstrumentId].Spec.Symbol}: {t}");
        var problems = new List<string>();
        foreach (var sync in syncs)
            BookProblems(replay.Symbols[sync.InstrumentId].Spec.Symbol, sync, problems);
        if (check.Mismatched > 0)
            problems.Add($"{check.Mismatched} bookTicker mismatch(es)");
        return Verdict(error, string.Join(", ", files.Select(f => f.Name)), problems);
    }

    /// <summary>Why a replayed book fails the check (never Live, gaps, crossed, out of order), added to <paramref name="problems"/>.</summary>
    internal static void BookProblems(string symbol, BookSync sync, List<string> problems)
    {
        var c = sync.Counters;
        if (sync.State != SyncState.Live)
            problems.Add($"{symbol} ended {sync.State}, not Live{(c.SnapshotsApplied == 0 ? " (no snapshot was applied)" : "")}");
        if (c.Gaps + c.Crossed + c.OutOfOrder > 0)
            problems.Add($"{symbol}: {c.Gaps} gap(s), {c.Crossed} crossed, {c.OutOfOrder} out of order");
    }

    /// <summary>Exit 0 when there is no problem; otherwise one <c>error:</c> line naming <paramref name="what"/> and every problem, exit 1.</summary>
    internal static int Verdict(TextWriter error, string what, List<string> problems)
    {
        if (problems.Count == 0)
            return 0;
        error.WriteLine($"error: {what}: the book check failed: {string.Join("; ", problems)}");
        return 1;
    }

    internal static int Run(FileInfo[] files, string symbolName, string tickSize, string stepSize, int depth, int snapshotDepth,
        TextWriter output, TextWriter error, bool usdm = false)
    {
        foreach (var f in files)
        {
            if (!f.Exists)
            {
                error.WriteLine($"error: {f.FullName} does not exist.");
                return 2;
            }
        }
        InstrumentSpec spec;
        try
        {
            spec = new InstrumentSpec
            {
                Symbol = symbolName.ToUpperInvariant(),
                Venue = usdm ? Venue.BinanceUsdM : Venue.BinanceSpot,
                PriceDecimals = BinanceSymbol.WireDecimals,
                QtyDecimals = BinanceSymbol.WireDecimals,
                TickSize = new Price(DecimalParser.Parse(Encoding.ASCII.GetBytes(tickSize), BinanceSymbol.WireDecimals)),
                StepSize = new Qty(DecimalParser.Parse(Encoding.ASCII.GetBytes(stepSize), BinanceSymbol.WireDecimals)),
            }.Validate();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            error.WriteLine($"error: invalid instrument settings: {ex.Message}");
            return 2;
        }

        var symbols = new BinanceSymbolTable();
        BinanceSymbol symbol = symbols.Add(spec);
        var parser = new BinanceStreamParser(symbols);
        var transitions = new List<SyncTransition>();
        var book = new OrderBook(spec, BookOptions.Default);
        var sync = new BookSync(symbol.Id, book, usdm ? SyncRule.BinanceUsdM : SyncRule.BinanceSpot, observer: transitions.Add);
        var router = new MarketDataRouter(symbols.Count) { Check = new TopOfBookCheck() };
        router.Add(sync);
        var replay = new HftBacktestReplay(parser, symbol, snapshotDepth);

        var problems = new List<string>();
        foreach (var f in files)
        {
            long lines = replay.Lines, bad = replay.BadLines, torn = replay.TornTails;
            try
            {
                replay.ReplayFile(f.FullName, ref router);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException)
            {
                error.WriteLine($"error: could not read {f.FullName}: {CliErrors.OneLine(ex.Message)}");
                return 2;
            }
            lines = replay.Lines - lines;
            bad = replay.BadLines - bad;
            bool tornTail = replay.TornTails > torn;
            // Nothing usable at all: an input error, not a failed check (no report to print).
            if (lines == 0 && !tornTail)
            {
                error.WriteLine($"error: {f.FullName} is empty: no recorded line to replay");
                return 2;
            }
            if (lines == bad)
            {
                error.WriteLine($"error: {f.FullName} is not an hftbacktest recording: {(lines == 0 ? "no complete line" : $"none of its {lines} line(s) is '<receive_ns> <json>'")}" +
                    (f.Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? "" : " (a gzip recording must end in .gz)"));
                return 2;
            }
            if (tornTail)
                problems.Add($"{f.Name} is truncated: it ends inside a line (a recorder stopped mid-write, or the file was cut); only the {lines} line(s) before were replayed");
        }

        Print(output, spec, sync, router, parser, replay, transitions, depth);
        BookProblems(spec.Symbol, sync, problems);
        // A recording of another symbol: its snapshot line (hftbacktest's carry no symbol) would make a Live book of
        // the wrong market that no diff ever moved.
        if (parser.Counters.UnknownSymbols > 0 && parser.Counters.Deltas == 0)
            problems.Add($"no depth diff of {spec.Symbol} in the recording, and {parser.Counters.UnknownSymbols} message(s) name another symbol: is --symbol right?");
        var pc = parser.Counters;
        // Nothing recognised, and nothing broken either (a venue's message with a bad number or cut short is counted as such):
        // the lines are someone else's.
        if (pc.Messages > 0 && pc.Deltas + pc.Snapshots + pc.TopOfBooks + pc.Trades + pc.UnknownSymbols + pc.BadNumbers + pc.Malformed + pc.Truncated == 0)
            problems.Add($"none of the {pc.Messages} message(s) is a Binance {(usdm ? "USD-M futures" : "spot")} depth diff, snapshot, bookTicker or trade " +
                $"({pc.UnknownFields} unknown field(s)): is it a recording of this venue? (--venue: binance-spot, binance-usdm, okx)");
        if (router.Check!.Mismatched > 0)
            problems.Add($"{router.Check.Mismatched} bookTicker mismatch(es)");
        return Verdict(error, files.Length == 1 ? files[0].FullName : $"{files.Length} files", problems);
    }

    private static void Print(TextWriter o, InstrumentSpec spec, BookSync sync, MarketDataRouter router,
        BinanceStreamParser parser, HftBacktestReplay replay, List<SyncTransition> transitions, int depth)
    {
        PrintBook(o, sync, depth);
        TopOfBookCheck check = router.Check!;
        o.WriteLine($"bookTicker check: matched {check.Matched}/{check.Compared}" +
            (check.Mismatched > 0 ? $"  FIRST MISMATCH {check.FirstMismatch}" : "") +
            $"  ({check.NotComparable} tickers fell inside a diff)");
        var p = parser.Counters;
        o.WriteLine($"lines {replay.Lines}, messages {p.Messages}: {p.Deltas} diffs, {p.Snapshots} snapshots, {p.TopOfBooks} tickers, {p.Trades} trades; " +
            $"malformed {p.Malformed}, truncated {p.Truncated}, bad numbers {p.BadNumbers}, grid refinements {p.GridRefinements}, unknown fields {p.UnknownFields}, other symbols {p.UnknownSymbols}, bad lines {replay.BadLines}, torn tails {replay.TornTails}");
        foreach (var t in transitions)
            o.WriteLine($"transition: {t}");
    }

    internal static void PrintBook(TextWriter o, BookSync sync, int depth)
    {
        OrderBook book = sync.Book;
        InstrumentSpec spec = book.Instrument;
        int priceDecimals = DisplayDecimals(book.TickRaw);
        int qtyDecimals = DisplayDecimals(spec.StepSize.Raw);
        string Px(long tick) => Trim(FixedPoint.ToString(book.PriceOf(tick).Raw, spec.PriceDecimals), priceDecimals);
        string Qx(long qty) => Trim(FixedPoint.ToString(qty, spec.QtyDecimals), qtyDecimals);

        o.WriteLine($"{spec.Symbol}  state {sync.State}  update id {(book.UpdateId == BookDelta.NoSequence ? "none (unsequenced messages)" : book.UpdateId)}");
        if (book.IsTwoSided)
            o.WriteLine($"best {Px(book.BestBidTick)} / {Px(book.BestAskTick)}  spread {book.SpreadTicks} tick(s)  mid {book.Mid.ToString($"F{priceDecimals + 1}", System.Globalization.CultureInfo.InvariantCulture)}");
        o.WriteLine();
        Span<Level> bids = new Level[Math.Max(0, depth)];
        Span<Level> asks = new Level[Math.Max(0, depth)];
        int nb = book.TopLevels(Side.Bid, bids), na = book.TopLevels(Side.Ask, asks);
        o.WriteLine($"{"bid qty",16} {"bid",14}   {"ask",-14} {"ask qty",-16}");
        for (int i = 0; i < Math.Max(nb, na); i++)
        {
            string bq = i < nb ? Qx(bids[i].Qty) : "", bp = i < nb ? Px(bids[i].Tick) : "";
            string ap = i < na ? Px(asks[i].Tick) : "", aq = i < na ? Qx(asks[i].Qty) : "";
            o.WriteLine($"{bq,16} {bp,14}   {ap,-14} {aq,-16}");
        }
        o.WriteLine();
        SyncCounters c = sync.Counters;
        o.WriteLine($"diffs applied {c.DiffsApplied}, dropped before sync {c.DiffsDroppedBeforeSync}, duplicates {c.Duplicates}, gaps {c.Gaps}, out of order {c.OutOfOrder}, crossed {c.Crossed}");
        string grid = "";
        if (book.TickRaw != spec.TickSize.Raw)
            grid = "; book grid refined to " + FixedPoint.ToTrimmedString(book.TickRaw, spec.PriceDecimals) + " (order tick " + FixedPoint.ToTrimmedString(spec.TickSize.Raw, spec.PriceDecimals) + ")";
        o.WriteLine($"levels {book.BidCount} bids / {book.AskCount} asks; known to {Known(book, Side.Bid, Px)} / {Known(book, Side.Ask, Px)}{grid}");
    }

    private static string Known(OrderBook book, Side side, Func<long, string> px) =>
        book.KnownUntilTick(side) is long k ? (Math.Abs(k) == long.MaxValue ? "all" : px(k)) : "nothing";


    private static int DisplayDecimals(long raw)
    {
        int d = BinanceSymbol.WireDecimals;
        while (d > 0 && raw % 10 == 0)
        {
            raw /= 10;
            d--;
        }
        return d;
    }

    private static string Trim(string text, int decimals)
    {
        int dot = text.IndexOf('.');
        if (dot < 0)
            return text;
        return decimals == 0 ? text[..dot] : text[..Math.Min(text.Length, dot + 1 + decimals)];
    }
}
