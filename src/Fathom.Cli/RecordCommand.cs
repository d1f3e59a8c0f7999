using Fathom.Hosting;
using System.CommandLine;
using System.Diagnostics;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom record --symbols btcusdt,ethusdt --out file.fathomrec</c>: records the live Binance spot
/// market data (depth diffs, bookTickers, trades, REST snapshots, exchangeInfo) with receive
/// timestamps to a crash-safe <c>.fathomrec</c> file (docs/formats.md), until Ctrl+C or
/// <c>--duration</c>. Testnet by default; <c>--url</c> for a local server, <c>--mainnet</c> for
/// Binance's public data. No keys are used. Replay with <c>fathom book file.fathomrec</c>.
/// </summary>
internal static class RecordCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var symbols = new Option<string>("--symbols") { Description = "Comma-separated symbols, e.g. btcusdt,ethusdt.", Required = true };
        var outPath = new Option<FileInfo>("--out") { Description = "The recording to create (.fathomrec); an existing file is never overwritten.", Required = true };
        var url = new Option<string?>("--url") { Description = "Base URL of a local Binance-compatible server (simulator or test server): http://127.0.0.1:8090." };
        var mainnet = new Option<bool>("--mainnet") { Description = "Record Binance mainnet public market data instead of testnet." };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds (default: until Ctrl+C)." };
        var snapshotDepth = new Option<int>("--snapshot-depth") { Description = "Depth of the REST snapshots (spot: up to 5000).", DefaultValueFactory = _ => 1000 };
        var command = new Command("record", "Record live Binance market data (raw frames and snapshots with receive timestamps) to a crash-safe .fathomrec file.")
        {
            symbols, outPath, url, mainnet, duration, snapshotDepth,
        };
        command.SetAction((parse, cancel) => RunAsync(
            parse.GetValue(symbols)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            parse.GetValue(outPath)!, parse.GetValue(url), parse.GetValue(mainnet), parse.GetValue(duration),
            parse.GetValue(snapshotDepth), output, error, cancel));
        return command;
    }

    internal static async Task<int> RunAsync(string[] symbols, FileInfo outPath, string? url, bool mainnet, double? durationSeconds,
        int snapshotDepth, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        if (symbols.Length == 0)
        {
            error.WriteLine("error: --symbols needs at least one symbol.");
            return 2;
        }
        if (!CliEndpoints.TryResolve(url, mainnet, error, out BinanceEndpoints endpoints))
            return 2;

        RecordingWriter writer;
        try
        {
            writer = RecordingWriter.Create(outPath.FullName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot create {outPath.FullName}: {ex.Message}");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (durationSeconds is double d)
            stop.CancelAfter(TimeSpan.FromSeconds(d));
        var session = new BinanceRecordingSession(symbols, endpoints, http, writer, TimeProvider.System,
            new BinanceFeedOptions { SnapshotDepth = snapshotDepth }, requireExchangeInfo: url is null); // a real venue always has it
        output.WriteLine($"fathom record: {string.Join(", ", symbols.Select(s => s.ToUpperInvariant()))} from {endpoints.StreamBase} to {outPath.FullName}");
        var clock = Stopwatch.StartNew();
        Task run = session.RunAsync(stop.Token);
        int exit = 0;
        try
        {
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
                if (!run.IsCompleted)
                    output.WriteLine(Status(session, writer, clock.Elapsed));
            }
            await run;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (InvalidOperationException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            exit = 2;
        }
        finally
        {
            writer.Dispose(); // writes the open block: everything received is on disk
        }
        if (exit != 0 && writer.RecordsAppended == 0)
        {
            File.Delete(outPath.FullName); // nothing was recorded: leave no empty file behind
            return exit;
        }
        output.WriteLine(Status(session, writer, clock.Elapsed));
        if (session.Session is { ExchangeInfo: not "ok" } info)
            output.WriteLine($"note: exchangeInfo {info.ExchangeInfo}; the recording uses a 0.01 price grid refined as prices require.");
        if (writer.RecordsDropped > 0)
            error.WriteLine($"warning: {writer.RecordsDropped} record(s) were dropped because the disk could not keep up (marked in the file).");
        if (writer.Faulted)
        {
            error.WriteLine($"error: writing the recording failed: {writer.LastError}");
            return 1;
        }
        return exit != 0 ? exit : session.Feed?.UnexpectedErrors > 0 ? 1 : 0;
    }

    private static string Status(BinanceRecordingSession session, RecordingWriter writer, TimeSpan elapsed)
    {
        string books = "";
        if (session.Feed is { } feed)
        {
            lock (feed.CoreLock)
                books = string.Join(", ", feed.Books.Select(b => $"{feed.Symbols[b.InstrumentId].Spec.Symbol} {b.State}"));
        }
        FeedCounters? c = session.Feed?.Counters;
        return $"{elapsed:hh\\:mm\\:ss} connects {c?.Connects ?? 0} (failed {c?.ConnectFailures ?? 0}), records {writer.RecordsAppended:N0} ({writer.UncompressedBytes / 1e6:F1} MB raw, {writer.BytesWritten / 1e6:F1} MB on disk, " +
            $"{writer.BlocksWritten:N0} blocks), dropped {writer.RecordsDropped}; {books}";
    }
}
