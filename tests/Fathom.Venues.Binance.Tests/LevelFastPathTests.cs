using System.Text;
using CsCheck;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>
/// The depth-level fast path (<see cref="BinanceLevelReader"/>) against the general scanner path.
/// Each generated depth message is written twice: compact, exactly as Binance writes it (the fast
/// path reads it), and with a space around every level token (the fast path declines every level,
/// so the general path reads them all). Both must give the same events, errors, grid changes and
/// counters, level contents being valid, off-grid, zero, negative, malformed, escaped or truncated.
/// </summary>
public class LevelFastPathTests
{
    /// <summary>Seeds that once failed; each is checked on every run before the generated cases.</summary>
    private static readonly ulong[] RegressionSeeds = [];

    private static readonly Gen<string> Number = Gen.Frequency(
        (12, Gen.Select(Gen.Int[1, 99_999], Gen.Int[0, 99]).Select(t => $"{t.Item1}.{t.Item2:D2}000000")),         // on the 0.01 grid
        (8, Gen.Select(Gen.Int[0, 999], Gen.Int[0, 99_999_999]).Select(t => $"{t.Item1}.{t.Item2:D8}")),            // any 8 decimals
        (2, Gen.Const("0.00000000")),
        (1, Gen.Const("100000.00000000")),
        (1, Gen.Select(Gen.Int[1, 99_999], Gen.Int[1, 9]).Select(t => $"{t.Item1}.00{t.Item2}00000")),              // off the 0.01 grid
        (1, Gen.Int[0, 99_999].Select(i => $"{i}.5")),                                                              // few decimals
        (1, Gen.Int[0, 99_999].Select(i => $"{i}")),                                                                // no dot
        (1, Gen.Const("-1.00000000")),
        (1, Gen.Const("123456789.00000000")),
        (1, Gen.Const("1.2.300000000")),
        (1, Gen.Const("1e5.00000000")),
        (1, Gen.Const("1\\\"2.00000000")),                                                                          // an escaped quote
        (1, Gen.Const("")));

    /// <summary>One level as compact pieces; the spaced form puts a space before every piece but the first.</summary>
    private static readonly Gen<string[]> LevelPieces = Gen.Frequency(
        (20, Gen.Select(Number, Number).Select(t => new[] { "[", $"\"{t.Item1}\"", ",", $"\"{t.Item2}\"", "]" })),
        (1, Gen.Select(Number, Number).Select(t => new[] { "[", $"\"{t.Item1}\"", ",", $"\"{t.Item2}\"", ",", "\"x\"", "]" })),
        (1, Number.Select(p => new[] { "[", $"\"{p}\"", "]" })),
        (1, Gen.Select(Gen.Int[1, 99_999], Number).Select(t => new[] { "[", $"{t.Item1}", ",", $"\"{t.Item2}\"", "]" })),
        (1, Gen.Const(new[] { "[", "]" })));

    /// <summary>A level Binance could send: a price on the 0.01 grid (not zero) and any quantity.</summary>
    private static readonly Gen<string[]> CleanLevel =
        Gen.Select(Gen.Int[1, 99_999], Gen.Int[0, 99], Gen.Int[0, 999], Gen.Int[0, 99_999_999])
            .Select(t => new[] { "[", $"\"{t.Item1}.{t.Item2:D2}000000\"", ",", $"\"{t.Item3}.{t.Item4:D8}\"", "]" });

    // Half the messages hold only clean levels (delivered), half draw from every kind (mostly errors).
    private static readonly Gen<(string[][] Bids, string[][] Asks, int TrailingComma, int Cut)> Message = Gen.Frequency(
        (1, Gen.Select(CleanLevel.Array[0, 60], CleanLevel.Array[0, 60], Gen.Int[1, 30], Gen.Int[0, 100_000])),
        (1, Gen.Select(LevelPieces.Array[0, 60], LevelPieces.Array[0, 60], Gen.Int[0, 30], Gen.Int[0, 100_000]))); // TrailingComma == 0: one case in 31

    /// <summary>Builds both forms; <paramref name="map"/> gives each compact byte's index in the spaced form.</summary>
    private static (byte[] Compact, byte[] Spaced) Build(string[][] bids, string[][] asks, bool trailingComma, out List<int> map)
    {
        var compact = new StringBuilder();
        var spaced = new StringBuilder();
        var indexMap = new List<int>();
        void Add(string piece, bool space)
        {
            if (space)
                spaced.Append(' ');
            foreach (char c in piece)
            {
                indexMap.Add(spaced.Length);
                compact.Append(c);
                spaced.Append(c);
            }
        }
        void AddLevels(string[][] levels)
        {
            Add("[", false);
            for (int i = 0; i < levels.Length; i++)
            {
                if (i > 0)
                    Add(",", false);
                for (int p = 0; p < levels[i].Length; p++)
                    Add(levels[i][p], p > 0);
            }
            if (trailingComma && levels.Length > 0)
                Add(",", false);
            Add("]", false);
        }
        Add("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1723161255508,\"s\":\"BTCUSDT\",\"U\":10,\"u\":20,\"b\":", false);
        AddLevels(bids);
        Add(",\"a\":", false);
        AddLevels(asks);
        Add("}}", false);
        indexMap.Add(spaced.Length);
        map = indexMap;
        return (Encoding.ASCII.GetBytes(compact.ToString()), Encoding.ASCII.GetBytes(spaced.ToString()));
    }

    private static void AssertSame(ParseOutcome expected, ParseOutcome actual)
    {
        ParseOutcome.AssertSameResult(expected, actual);
        Assert.Equal(expected.Handler.Deltas.Count, actual.Handler.Deltas.Count);
        for (int i = 0; i < expected.Handler.Deltas.Count; i++)
        {
            Assert.Equal(expected.Handler.Deltas[i].Bids, actual.Handler.Deltas[i].Bids);
            Assert.Equal(expected.Handler.Deltas[i].Asks, actual.Handler.Deltas[i].Asks);
            Assert.Equal(expected.Handler.Deltas[i] with { Bids = [], Asks = [] }, actual.Handler.Deltas[i] with { Bids = [], Asks = [] });
        }
    }

    [Fact]
    public void ParseFrame_CompactLevels_SameAsGeneralPath()
    {
        int deltas = 0, errors = 0;
        Property.ForAll(Message, 3_000, t =>
        {
            (byte[] compact, byte[] spaced) = Build(t.Bids, t.Asks, t.TrailingComma == 0, out _);
            var general = ParseOutcome.Of(spaced);
            AssertSame(general, ParseOutcome.Of(compact));
            deltas += general.Handler.Deltas.Count;
            errors += general.Handler.Errors.Count;
        }, RegressionSeeds);
        // Both outcomes must be common, or the comparison above proves little.
        Assert.True(deltas > 300 && errors > 300, $"{deltas} deltas, {errors} errors");
    }

    [Fact]
    public void ParseFrame_TruncatedCompactLevels_SameAsGeneralPath()
    {
        Property.ForAll(Message, 3_000, t =>
        {
            (byte[] compact, byte[] spaced) = Build(t.Bids, t.Asks, t.TrailingComma == 0, out var map);
            int cut = t.Cut % (compact.Length + 1);
            var general = ParseOutcome.Of(spaced[..map[cut]]);
            AssertSame(general, ParseOutcome.Of(compact[..cut]));
        }, RegressionSeeds);
    }

    [Fact]
    public void ParseFrame_AllLevelsValid_FastPathReadsThemAll()
    {
        // A check that the comparison above is not vacuous: on Binance's own form the fast path
        // must actually consume the levels (it reads each one's 32 to 64 bytes at once, so only
        // levels in the last 31 bytes may fall back), and give the values the general path gives.
        byte[] frame = Encoding.ASCII.GetBytes("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":10,\"u\":20,"
            + "\"b\":[[\"61830.17000000\",\"0.00000000\"],[\"61818.52000000\",\"0.21367000\"]],\"a\":[[\"61837.64000000\",\"1.60520000\"]]}}");
        var levels = new Fathom.Book.Level[1];
        int count = 0;
        int start = Array.IndexOf(frame, (byte)'[');
        int consumed = BinanceLevelReader.ReadRun(frame, start + 1, 2, ref levels, ref count, out bool endsAfterLevel);
        Assert.True(endsAfterLevel);
        Assert.Equal(2, count);
        Assert.Equal("[\"61830.17000000\",\"0.00000000\"],[\"61818.52000000\",\"0.21367000\"]".Length, consumed);
        Assert.Equal(new Fathom.Book.Level(6_183_017, 0), levels[0]);
        Assert.Equal(new Fathom.Book.Level(6_181_852, 21_367_000), levels[1]);
        var outcome = ParseOutcome.Of(frame);
        Assert.Equal(levels[..2], outcome.Handler.Deltas.Single().Bids);
    }
}
