using System.Globalization;
using System.Text.Json;
using Fathom.Gateway.Abstractions;

namespace Fathom.Hosting.Run;

/// <summary>
/// The range of every numeric setting of <c>fathom run --config</c>, in one table a reviewer can read.
/// <see cref="Check"/> walks the JSON document before it is deserialized, so a number too large for its
/// type, a fraction where an integer belongs, <c>1e400</c> (which parses to infinity) or a value outside
/// its range is reported with its JSON path and the text as written, and never reaches a conversion
/// that could overflow (milliseconds to nanoseconds, seconds to a TimeSpan).
/// </summary>
/// <remarks>
/// Decimal amounts are strings and are checked by <see cref="RunConfig"/> (positive, at most
/// <see cref="RunConfig.MaxAmount"/>, so their 8-decimal fixed point fits 64 bits). Relations between
/// settings (release below trip, pull above reference volatility, headroom inside the budget) are
/// checked after this, on the deserialized values.
/// </remarks>
internal static class RunConfigRanges
{
    private const long Day = 86_400_000; // ms

    /// <summary>Journal segment limits, shared with the command line's <c>--journal-rotate-mb</c> and <c>--journal-rotate-minutes</c>.</summary>
    public const int MaxJournalRotateMb = 1_048_576;
    public const double MinJournalRotateMb = 0.001;
    public const int MaxJournalRotateMinutes = 43_200; // 30 days

    /// <summary>One numeric setting: where it is (<c>[]</c> for any array index), integer or not, and its inclusive range.</summary>
    internal sealed record Range(string Path, bool Integer, double Min, double Max, string Unit = "", bool MinExclusive = false, string? MaxNote = null);

    private static Range Ms(string path, long min = 1) => new(path, true, min, Day, " ms", MaxNote: "one day");
    private static Range Count(string path, long min, long max, string unit = "") => new(path, true, min, max, unit);
    private static Range Fraction(string path) => new(path, false, 0, 1, MinExclusive: true);

    /// <summary>Every numeric setting of the file. A test checks that no numeric property of the file model is missing here.</summary>
    public static readonly IReadOnlyList<Range> All =
    [
        Count("$.metricsPort", 0, 65535),
        Count("$.instanceId", 0, ClientOrderIdFormat.MaxNode),
        new("$.statusIntervalSeconds", false, 0, 86_400, " s", MinExclusive: true, MaxNote: "one day"),
        new("$.shutdownTimeoutSeconds", false, 0, 3_600, " s", MinExclusive: true, MaxNote: "one hour"),

        Count("$.symbols[].strategy.halfSpreadTicks", 1, 100_000, " ticks"),
        Count("$.symbols[].strategy.maxSkewTicks", 0, 100_000, " ticks"),
        // Volatility per √second: 1 would be a 100% move in a second.
        Fraction("$.symbols[].strategy.referenceVolatility"),
        Fraction("$.symbols[].strategy.pullVolatility"),
        Fraction("$.symbols[].strategy.pullWithdrawal"),
        Ms("$.symbols[].strategy.minRequoteIntervalMs", min: 0),

        Count("$.risk.priceBandBps", 1, 10_000, " bps"),
        Count("$.risk.vwapStopBps", 1, 10_000, " bps"),
        Ms("$.risk.markoutHorizonMs"),
        Ms("$.risk.markoutCooldownMs"),
        Fraction("$.risk.volatilityWidenAbove"),
        Fraction("$.risk.volatilityPauseAbove"),
        Ms("$.risk.maxInFlightAgeMs"),
        Ms("$.risk.ackLatencyTripMs"),
        Ms("$.risk.ackLatencyReleaseMs"),
        Ms("$.risk.feedLagTripMs"),
        Ms("$.risk.feedLagReleaseMs"),
        Ms("$.risk.staleBookGraceMs"),
        Ms("$.risk.venueErrorWindowMs"),
        Count("$.risk.venueErrorMinCount", 1, 100_000),
        Count("$.risk.venueErrorRatePercent", 1, 100, "%"),
        Count("$.risk.maxNewOrdersPerSecond", 1, 10_000),
        Count("$.risk.orderBudget", 1, 1_000_000),
        Ms("$.risk.orderBudgetWindowMs"),
        Count("$.risk.cancelHeadroom", 0, 1_000_000),
        Ms("$.risk.releaseCooldownMs"),
        Count("$.risk.tradingDayStartMinutes", 0, 1_439, " min"),
        Ms("$.symbols[].bookSilenceMs"),
        Count("$.recvWindowMs", 1, 60_000, " ms"), // Binance refuses more than 60 000
        Ms("$.probeIntervalMs"),
        Ms("$.livenessTimeoutMs"),
        new("$.metadataRefreshSeconds", false, 0, 86_400, " s", MinExclusive: true, MaxNote: "one day"),
        // The journal's limits are --journal-rotate-mb's and --journal-rotate-minutes' (the file may give a fraction of a MB).
        new("$.journal.rotateMb", false, MinJournalRotateMb, MaxJournalRotateMb, " MB"),
        Count("$.journal.rotateMinutes", 1, MaxJournalRotateMinutes, " min"),
        Count("$.warmupFrames", 0, 1_000_000, " frames"),
        // The cluster's lease timing (their relations, e.g. margin below TTL, are checked by RunConfig).
        Count("$.cluster.leaseTtlMs", 500, 600_000, " ms"),
        Count("$.cluster.renewEveryMs", 50, 300_000, " ms"),
        Count("$.cluster.marginMs", 50, 300_000, " ms"),
        Count("$.cluster.pauseMarginMs", 0, 300_000, " ms"),
        Count("$.cluster.exchangeEveryMs", 20, 60_000, " ms"),
        Count("$.cluster.orderBudget.limit", 1, 1_000_000),
        Count("$.cluster.orderBudget.block", 1, 1_000_000),
    ];

    private static readonly Dictionary<string, Range> s_byPath = All.ToDictionary(r => r.Path, StringComparer.Ordinal);

    /// <summary>Adds one error per numeric value out of its range or type anywhere in <paramref name="root"/>.</summary>
    public static void Check(JsonElement root, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        Walk(root, "$", "$", errors);
    }

    private static void Walk(JsonElement element, string path, string pattern, List<string> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // The market maker's ranges are not another strategy's: its parameters are checked by binding.
                if (pattern == "$.symbols[].strategy" && element.TryGetProperty("name", out var name)
                    && name.ValueKind == JsonValueKind.String && name.GetString() != StrategyCatalog.MarketMaker)
                    break;
                foreach (var property in element.EnumerateObject())
                    Walk(property.Value, path + "." + property.Name, pattern + "." + property.Name, errors);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                    Walk(item, $"{path}[{i++}]", pattern + "[]", errors);
                break;
            case JsonValueKind.Number:
                // A number where none belongs (an amount, an unknown property) is the schema check's to report.
                if (s_byPath.TryGetValue(pattern, out var range) && Problem(element, range) is { } problem)
                    errors.Add($"{path}: {problem}");
                break;
        }
    }

    /// <summary>What is wrong with <paramref name="value"/> for <paramref name="range"/>, or null.</summary>
    internal static string? Problem(JsonElement value, Range range)
    {
        string text = value.GetRawText();
        string got = text.Length <= 40 ? text : text[..37] + "...";
        double number;
        if (range.Integer)
        {
            if (value.TryGetInt64(out long integer))
                number = integer;
            else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) && Math.Abs(d) < 9e18)
                return $"must be an integer, without a fraction or an exponent (got {got})";
            else
                number = text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity; // beyond 64 bits: out of range below
        }
        else if (!value.TryGetDouble(out number))
        {
            number = text.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
        }
        if (double.IsNaN(number))
            return $"is not a number (got {got})";
        if (number < range.Min || (range.MinExclusive && number == range.Min))
        {
            return range.Min == 0 && range.MinExclusive ? $"must be positive (got {got})"
                : range.Min == 0 ? $"must not be negative (got {got})"
                : range.Min == 1 && range.Integer ? $"must be positive (got {got})"
                : $"must be at least {Format(range.Min)}{range.Unit} (got {got})";
        }
        if (number > range.Max)
            return $"must be at most {Format(range.Max)}{range.Unit}{(range.MaxNote is null ? "" : $" ({range.MaxNote})")} (got {got})";
        return null;
    }

    private static string Format(double bound) => bound.ToString("0.##########", CultureInfo.InvariantCulture);
}
