using System.Text;
using CsCheck;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// The spot bookTicker's direct path (<c>BinanceStreamParser.TrySpotTicker</c>) against the general scanner. Each
/// generated ticker is written twice: compact, exactly as Binance writes it (the direct path may read it), and with a
/// space after the opening brace (the direct path declines, the general path reads it). Both must give the same
/// result, events, errors, grid changes and counters, whatever the id, symbol and numbers hold (valid, off-grid,
/// zero, negative, malformed, escaped, empty) and wherever the frame is cut; and on Binance's own form the direct path
/// must be the one that read it.
/// </summary>
public class TickerFastPathTests
{
    private static readonly ulong[] RegressionSeeds = [];

    private static readonly Gen<string> Number = Gen.Frequency(
        (12, Gen.Select(Gen.Int[1, 99_999], Gen.Int[0, 99]).Select(t => $"{t.Item1}.{t.Item2:D2}000000")),
        (8, Gen.Select(Gen.Int[0, 999], Gen.Int[0, 99_999_999]).Select(t => $"{t.Item1}.{t.Item2:D8}")),
        (2, Gen.Const("0.00000000")),
        (1, Gen.Select(Gen.Int[1, 99_999], Gen.Int[1, 9]).Select(t => $"{t.Item1}.00{t.Item2}00000")),               // off the 0.01 grid
        (1, Gen.Int[0, 99_999].Select(i => $"{i}")),
        (1, Gen.Const("-1.00000000")),
        (1, Gen.Const("1.2.300000000")),
        (1, Gen.Const("1\\\"2.00000000")),
        (1, Gen.Const("1\\u00302.00000000")),
        (1, Gen.Const("")));

    private static readonly Gen<string> Id = Gen.Frequency(
        (12, Gen.Long[1, 999_999_999_999].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Const("0")), (1, Gen.Const("007")), (1, Gen.Const("-5")), (1, Gen.Const("1.5")), (1, Gen.Const("\"12\"")),
        (1, Gen.Const("1234567890123456789")), (1, Gen.Const("99999999999999999999")), (1, Gen.Const("")));

    private static readonly Gen<string> Symbol = Gen.Frequency(
        (12, Gen.Const("BTCUSDT")), (1, Gen.Const("btcusdt")), (1, Gen.Const("ETHUSDT")), (1, Gen.Const("BTC\\u0055SDT")), (1, Gen.Const("")));

    private static readonly Gen<string> Stream = Gen.Frequency(
        (12, Gen.Const("btcusdt@bookTicker")), (1, Gen.Const("ethusdt@bookTicker")), (1, Gen.Const("btcusdt@depth@100ms")),
        (1, Gen.Const("btcusdt@bookTicker\\u0020")), (1, Gen.Const("@bookTicker")));

    private static readonly Gen<(string Stream, string Id, string Symbol, string[] Numbers, int Cut)> Ticker =
        Gen.Select(Stream, Id, Symbol, Number.Array[4], Gen.Int[0, 100_000]);

    private static string Compact(string stream, string id, string symbol, string[] n) =>
        $"{{\"stream\":\"{stream}\",\"data\":{{\"u\":{id},\"s\":\"{symbol}\",\"b\":\"{n[0]}\",\"B\":\"{n[1]}\",\"a\":\"{n[2]}\",\"A\":\"{n[3]}\"}}}}";

    // The same JSON with a space after the opening brace: every byte but the first moves one on.
    private static byte[] Spaced(byte[] compact) => compact.Length == 0 ? [] : [compact[0], (byte)' ', .. compact.AsSpan(1)];

    private static void AssertSame(ParseOutcome general, ParseOutcome direct)
    {
        Assert.Equal(0, general.TickersReadDirectly);
        ParseOutcome.AssertSameResult(general, direct);
        Assert.Equal(general.Handler.Tops, direct.Handler.Tops);
    }

    [Fact]
    public void ParseFrame_CompactTicker_SameAsGeneralPath()
    {
        int tops = 0, errors = 0, direct = 0, grids = 0;
        Property.ForAll(Ticker, 5_000, t =>
        {
            byte[] compact = Encoding.ASCII.GetBytes(Compact(t.Stream, t.Id, t.Symbol, t.Numbers));
            var general = ParseOutcome.Of(Spaced(compact));
            var outcome = ParseOutcome.Of(compact);
            AssertSame(general, outcome);
            tops += general.Handler.Tops.Count;
            errors += general.Handler.Errors.Count;
            grids += general.Handler.GridChanges.Count;
            direct += (int)outcome.TickersReadDirectly;
        }, RegressionSeeds);
        // Every outcome must be common, or the comparison above proves little.
        Assert.True(tops > 500 && errors > 500 && direct > 500 && grids > 50, $"{tops} tops, {errors} errors, {grids} grid changes, {direct} read directly");
    }

    [Fact]
    public void ParseFrame_TruncatedCompactTicker_SameAsGeneralPath()
    {
        Property.ForAll(Ticker, 3_000, t =>
        {
            byte[] compact = Encoding.ASCII.GetBytes(Compact(t.Stream, t.Id, t.Symbol, t.Numbers));
            int cut = t.Cut % (compact.Length + 1);
            AssertSame(ParseOutcome.Of(Spaced(compact)[..(cut == 0 ? 0 : cut + 1)]), ParseOutcome.Of(compact[..cut]));
        }, RegressionSeeds);
    }

    [Fact]
    public void RecordedTickers_AreReadDirectly_ToTheGeneralPathsValues()
    {
        int tickers = 0;
        foreach (string file in SharedData.BinanceSpotDays)
        {
            using var gz = new System.IO.Compression.GZipStream(File.OpenRead(file), System.IO.Compression.CompressionMode.Decompress);
            using var reader = new StreamReader(gz);
            while (reader.ReadLine() is { } line)
            {
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                string json = line[(space + 1)..];
                if (!json.Contains("@bookTicker", StringComparison.Ordinal))
                    continue;
                byte[] compact = Encoding.ASCII.GetBytes(json);
                var outcome = ParseOutcome.Of(compact);
                Assert.Equal(1, outcome.TickersReadDirectly);
                AssertSame(ParseOutcome.Of(Spaced(compact)), outcome);
                Assert.Single(outcome.Handler.Tops);
                tickers++;
            }
        }
        Assert.True(tickers > 50_000, $"{tickers} tickers");
    }
}
