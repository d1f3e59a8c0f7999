using System.Globalization;
using System.Text;
using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// What a Binance recording session was: venue, endpoints, symbols (in instrument-id order) and
/// snapshot depth, stored as the <c>SessionInfo</c> record of a <c>.fathomrec</c> file as UTF-8
/// <c>key=value</c> lines. Unknown keys are ignored when reading, so later versions can add some.
/// </summary>
public sealed record BinanceSessionInfo
{
    public Venue Venue { get; init; } = Venue.BinanceSpot;
    public IReadOnlyList<string> Symbols { get; init; } = [];
    public string StreamUrl { get; init; } = "";
    public string RestUrl { get; init; } = "";
    public int SnapshotDepth { get; init; } = 1000;
    public DateTimeOffset Started { get; init; }
    /// <summary>"ok", or why the exchangeInfo could not be fetched (then the fallback grid was used).</summary>
    public string ExchangeInfo { get; init; } = "ok";

    public string ToText()
    {
        var sb = new StringBuilder();
        sb.Append("format=fathom-binance-session-1\n");
        sb.Append("venue=").Append(Venue == Venue.BinanceUsdM ? "binance-usdm" : "binance-spot").Append('\n');
        sb.Append("symbols=").Append(string.Join(',', Symbols)).Append('\n');
        sb.Append("stream=").Append(StreamUrl).Append('\n');
        sb.Append("rest=").Append(RestUrl).Append('\n');
        sb.Append("snapshotDepth=").Append(SnapshotDepth.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("started=").Append(Started.ToString("O", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("exchangeInfo=").Append(ExchangeInfo.ReplaceLineEndings(" ")).Append('\n');
        return sb.ToString();
    }

    public static BinanceSessionInfo Parse(ReadOnlySpan<byte> utf8)
    {
        var info = new BinanceSessionInfo();
        foreach (string line in Encoding.UTF8.GetString(utf8).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                continue;
            string key = line[..eq], value = line[(eq + 1)..].TrimEnd('\r');
            info = key switch
            {
                "venue" => info with { Venue = value == "binance-usdm" ? Venue.BinanceUsdM : Venue.BinanceSpot },
                "symbols" => info with { Symbols = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                "stream" => info with { StreamUrl = value },
                "rest" => info with { RestUrl = value },
                "snapshotDepth" => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int d) ? info with { SnapshotDepth = d } : info,
                "started" => DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? info with { Started = t } : info,
                "exchangeInfo" => info with { ExchangeInfo = value },
                _ => info,
            };
        }
        return info;
    }

    /// <summary>
    /// The instrument used when exchangeInfo is unavailable (a local test server): a 0.01 grid that the
    /// parser refines by itself when a price falls between grid points, and the finest quantity step.
    /// </summary>
    public static InstrumentSpec FallbackSpec(string symbol, Venue venue) => new InstrumentSpec
    {
        Symbol = symbol.ToUpperInvariant(),
        Venue = venue,
        PriceDecimals = BinanceSymbol.WireDecimals,
        QtyDecimals = BinanceSymbol.WireDecimals,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(1),
    }.Validate();
}
