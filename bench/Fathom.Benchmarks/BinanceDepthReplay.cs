using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Fathom.Book;
using Fathom.Core;

namespace Fathom.Benchmarks;

/// <summary>
/// The recorded Binance spot depth stream (hftbacktest BTCUSDT files) reduced to what a book sees:
/// the REST snapshot and, in order, every level update of the diffs that Binance's local-book
/// procedure applies on top of it. Loading is slow and allocates; it belongs in [GlobalSetup].
/// </summary>
/// <remarks>
/// Spot rule: drop diffs with <c>u ≤ lastUpdateId</c>; the first applied diff must have
/// <c>U ≤ lastUpdateId + 1 ≤ u</c>; every later one <c>U == previous u + 1</c>. Diffs received before
/// the snapshot are buffered, as the procedure requires (the first applied diff arrives before it).
/// </remarks>
internal sealed class BinanceDepthReplay
{
    private const int Decimals = 8;
    private const string DepthStreamSuffix = "@depth@100ms";

    private BinanceDepthReplay(Level[] bids, Level[] asks, long snapshotId, LevelUpdate[] updates,
        int diffsApplied, int diffsDropped, long finalUpdateId)
    {
        SnapshotBids = bids;
        SnapshotAsks = asks;
        SnapshotUpdateId = snapshotId;
        Updates = updates;
        DiffsApplied = diffsApplied;
        DiffsDropped = diffsDropped;
        FinalUpdateId = finalUpdateId;
    }

    public Level[] SnapshotBids { get; }
    public Level[] SnapshotAsks { get; }
    public long SnapshotUpdateId { get; }

    /// <summary>Level updates of the applied diffs, flattened in order (each diff: its bids, then its asks).</summary>
    public LevelUpdate[] Updates { get; }
    public int DiffsApplied { get; }
    public int DiffsDropped { get; }
    public long FinalUpdateId { get; }

    /// <summary>BTCUSDT on Binance spot: 8-decimal strings, tick 0.01, step 0.00001.</summary>
    public static InstrumentSpec BtcUsdtSpot { get; } = new InstrumentSpec
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = Decimals,
        QtyDecimals = Decimals,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1_000),
    }.Validate();

    /// <summary>Both hftbacktest days, 0808 (which holds the snapshot) then 0809 (its continuation).</summary>
    public static BinanceDepthReplay LoadBtcUsdtSpot() => Load(BtcUsdtSpot,
    [
        SharedDataLocator.PathOf("binance", "hftbacktest", "spot", "btcusdt_20240808.gz"),
        SharedDataLocator.PathOf("binance", "hftbacktest", "spot", "btcusdt_20240809.gz"),
    ]);

    public static BinanceDepthReplay Load(InstrumentSpec spec, IReadOnlyList<string> gzipFiles)
    {
        Level[]? bids = null, asks = null;
        long snapshotId = 0;
        var diffs = new List<Diff>();

        foreach (string file in gzipFiles)
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress), Encoding.UTF8);
            int lineNumber = 0;
            while (reader.ReadLine() is { } line)
            {
                lineNumber++;
                int space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space < 0)
                    throw new InvalidDataException($"{file}:{lineNumber}: expected '<recv_ns> <json>'.");
                using JsonDocument doc = JsonDocument.Parse(line.AsMemory(space + 1));
                JsonElement root = doc.RootElement;
                if (root.TryGetProperty("stream", out JsonElement stream))
                {
                    if (!stream.GetString()!.EndsWith(DepthStreamSuffix, StringComparison.Ordinal))
                        continue; // bookTicker, trade
                    JsonElement data = root.GetProperty("data");
                    diffs.Add(new Diff(
                        data.GetProperty("U").GetInt64(),
                        data.GetProperty("u").GetInt64(),
                        ParseLevels(spec, data.GetProperty("b")),
                        ParseLevels(spec, data.GetProperty("a"))));
                }
                else if (root.TryGetProperty("lastUpdateId", out JsonElement id))
                {
                    if (bids is not null)
                        throw new InvalidDataException($"{file}:{lineNumber}: a second snapshot; expected exactly one.");
                    snapshotId = id.GetInt64();
                    bids = ParseLevels(spec, root.GetProperty("bids"));
                    asks = ParseLevels(spec, root.GetProperty("asks"));
                }
            }
        }
        if (bids is null || asks is null)
            throw new InvalidDataException("No REST depth snapshot (a line with 'lastUpdateId') in " + string.Join(", ", gzipFiles));

        var updates = new List<LevelUpdate>();
        int applied = 0, dropped = 0;
        long previousU = 0;
        foreach (Diff d in diffs)
        {
            if (d.LastId <= snapshotId)
            {
                dropped++;
                continue;
            }
            if (applied == 0)
            {
                if (!(d.FirstId <= snapshotId + 1 && snapshotId + 1 <= d.LastId))
                    throw new InvalidDataException($"First diff after the snapshot (U={d.FirstId}, u={d.LastId}) does not bracket lastUpdateId+1={snapshotId + 1}.");
            }
            else if (d.FirstId != previousU + 1)
            {
                throw new InvalidDataException($"Gap in the depth stream: U={d.FirstId} after u={previousU}.");
            }
            previousU = d.LastId;
            applied++;
            foreach (Level l in d.Bids)
                updates.Add(new LevelUpdate(Side.Bid, l.Tick, l.Qty));
            foreach (Level l in d.Asks)
                updates.Add(new LevelUpdate(Side.Ask, l.Tick, l.Qty));
        }
        return new BinanceDepthReplay(bids, asks, snapshotId, [.. updates], applied, dropped, previousU);
    }

    private static Level[] ParseLevels(InstrumentSpec spec, JsonElement array)
    {
        var levels = new Level[array.GetArrayLength()];
        int i = 0;
        Span<byte> buffer = stackalloc byte[64];
        foreach (JsonElement pair in array.EnumerateArray())
        {
            long priceRaw = ParseDecimal(pair[0], spec.PriceDecimals, buffer);
            long qtyRaw = ParseDecimal(pair[1], spec.QtyDecimals, buffer);
            if (!spec.TryToTicks(new Price(priceRaw), out long tick))
                throw new InvalidDataException($"Price {pair[0]} is not on the {spec.Symbol} tick grid.");
            levels[i++] = new Level(tick, qtyRaw);
        }
        return levels;
    }

    private static long ParseDecimal(JsonElement value, int decimals, Span<byte> buffer)
    {
        string text = value.GetString() ?? throw new InvalidDataException("Expected a decimal string, got null.");
        int n = Encoding.UTF8.GetBytes(text, buffer);
        return DecimalParser.Parse(buffer[..n], decimals);
    }

    private sealed record Diff(long FirstId, long LastId, Level[] Bids, Level[] Asks);
}
