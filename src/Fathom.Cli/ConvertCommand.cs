using Fathom.Hosting;
using System.CommandLine;
using System.Diagnostics;
using System.Text;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom convert &lt;in…&gt; --out file.fathomstore</c>: parses recorded Binance data once and writes
/// the normalized events to the binary store (docs/formats.md), so later replays skip JSON. Inputs:
/// a <c>.fathomrec</c> recording, hftbacktest days (one symbol, in order) or a cryptofeed capture
/// (exchangeInfo, snapshot and connection files). The format is recognised from the file contents.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var inputs = new Argument<FileInfo[]>("inputs") { Description = "Recorded files: one .fathomrec, hftbacktest .gz days in order, or the three cryptofeed files.", Arity = ArgumentArity.OneOrMore };
        var outPath = new Option<FileInfo>("--out") { Description = "The store to write (.fathomstore); replaced if it exists (it is derived data).", Required = true };
        var symbol = new Option<string>("--symbol") { Description = "hftbacktest: the instrument symbol.", DefaultValueFactory = _ => "BTCUSDT" };
        var tickSize = new Option<string>("--tick-size") { Description = "hftbacktest: price tick size (decimal).", DefaultValueFactory = _ => "0.01" };
        var stepSize = new Option<string>("--step-size") { Description = "hftbacktest: quantity step size (decimal).", DefaultValueFactory = _ => "0.00001" };
        var snapshotDepth = new Option<int>("--snapshot-depth") { Description = "hftbacktest: depth the REST snapshots were requested with.", DefaultValueFactory = _ => 1000 };
        var venue = new Option<string>("--venue") { Description = "binance-spot or binance-usdm (hftbacktest, cryptofeed).", DefaultValueFactory = _ => "binance-spot" };
        venue.AcceptOnlyFromAmong("binance-spot", "binance-usdm");
        var command = new Command("convert", "Convert recorded Binance data (.fathomrec, hftbacktest, cryptofeed) to the binary normalized store.")
        {
            inputs, outPath, symbol, tickSize, stepSize, snapshotDepth, venue,
        };
        command.SetAction(parse => Run(parse.GetValue(inputs)!, parse.GetValue(outPath)!, parse.GetValue(symbol)!, parse.GetValue(tickSize)!,
            parse.GetValue(stepSize)!, parse.GetValue(snapshotDepth), parse.GetValue(venue) == "binance-usdm" ? Venue.BinanceUsdM : Venue.BinanceSpot,
            output, error));
        return command;
    }

    internal static int Run(FileInfo[] inputs, FileInfo outPath, string symbol, string tickSize, string stepSize, int snapshotDepth,
        Venue venue, TextWriter output, TextWriter error)
    {
        foreach (var f in inputs)
        {
            if (!f.Exists)
            {
                error.WriteLine($"error: {f.FullName} does not exist.");
                return 2;
            }
        }
        var clock = Stopwatch.StartNew();
        StoreConversionResult result;
        string tmp = outPath.FullName + ".partial";
        try
        {
            using (var file = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
                result = Convert(inputs, file, symbol, tickSize, stepSize, snapshotDepth, venue);
            if (result.Events == 0)
            {
                // Nothing of the venue's in it (another venue's recording, the wrong --venue or --symbol): an empty
                // store would replace a good one and make a backtest of nothing.
                File.Delete(tmp);
                var c = result.Parser;
                error.WriteLine($"error: nothing to convert: none of the {c.Messages:N0} message(s) is a {venue} depth diff, snapshot, " +
                    $"bookTicker or trade of a known symbol ({c.UnknownSymbols} of another symbol, {c.Malformed} malformed, {c.BadNumbers} bad number(s)): " +
                    "is it a recording of this venue and symbol? (--venue, --symbol)" + (outPath.Exists ? $"; {outPath.FullName} is left as it was" : ""));
                return 1;
            }
            File.Move(tmp, outPath.FullName, overwrite: true); // never leave a half-written store under the final name
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException
            or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            File.Delete(tmp);
            error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        double seconds = clock.Elapsed.TotalSeconds;
        long inputBytes = inputs.Sum(f => f.Length);
        var p = result.Parser;
        output.WriteLine($"{result.Format} -> {outPath.FullName}: {result.Instruments} instrument(s), {result.Messages:N0} messages, " +
            $"{result.Events:N0} events ({result.Levels:N0} levels), {result.Blocks:N0} blocks, {result.Bytes:N0} bytes " +
            $"(input {inputBytes:N0} bytes) in {seconds:F2} s");
        output.WriteLine($"parser: {p.Messages:N0} messages, {p.Deltas:N0} diffs, {p.Snapshots:N0} snapshots, {p.TopOfBooks:N0} tickers, {p.Trades:N0} trades; " +
            $"malformed {p.Malformed}, truncated {p.Truncated}, bad numbers {p.BadNumbers}, grid refinements {p.GridRefinements}, unknown symbols {p.UnknownSymbols}");
        foreach (string w in result.Warnings)
            output.WriteLine("warning: " + w);
        return 0;
    }

    private static StoreConversionResult Convert(FileInfo[] inputs, Stream output, string symbol, string tickSize, string stepSize,
        int snapshotDepth, Venue venue)
    {
        if (inputs.Any(f => RecordingReader.IsRecording(f.FullName)))
        {
            if (inputs.Length != 1)
                throw new ArgumentException("convert one .fathomrec recording at a time.");
            return BinanceStoreConverter.ConvertRecording(inputs[0].FullName, output);
        }
        string[] first = [.. inputs.Select(FirstLine)];
        if (first.Any(l => l.StartsWith("wss://", StringComparison.Ordinal)))
        {
            var capture = CryptofeedCaptureFiles.Identify([.. inputs.Select(f => f.FullName)], requireExchangeInfo: true);
            return BinanceStoreConverter.ConvertCryptofeed(capture.ExchangeInfo!, capture.Http, capture.Ws, venue, output);
        }
        var spec = new InstrumentSpec
        {
            Symbol = symbol.ToUpperInvariant(),
            Venue = venue,
            PriceDecimals = BinanceSymbol.WireDecimals,
            QtyDecimals = BinanceSymbol.WireDecimals,
            TickSize = new Price(DecimalParser.Parse(Encoding.ASCII.GetBytes(tickSize), BinanceSymbol.WireDecimals)),
            StepSize = new Qty(DecimalParser.Parse(Encoding.ASCII.GetBytes(stepSize), BinanceSymbol.WireDecimals)),
        }.Validate();
        return BinanceStoreConverter.ConvertHftBacktest([.. inputs.Select(f => f.FullName)], spec, snapshotDepth, output);
    }

    private static string FirstLine(FileInfo f)
    {
        using Stream s = f.OpenRead();
        using Stream data = f.Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(s, System.IO.Compression.CompressionMode.Decompress) : s;
        var buffer = new byte[512];
        int n = data.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
