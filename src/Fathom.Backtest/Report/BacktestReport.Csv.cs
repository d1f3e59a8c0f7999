using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Fathom.Core;

namespace Fathom.Backtest.Report;

public static partial class BacktestReport
{
    private static readonly JsonSerializerOptions SummaryJson = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// Writes <c>fills.csv</c> and <c>orders.csv</c> (a header row, RFC 4180 quoting, invariant culture, times as
    /// Unix ns and ISO 8601 UTC) and <c>summary.json</c> (<paramref name="summary"/>, camelCase) into
    /// <paramref name="directory"/>, creating it if needed.
    /// </summary>
    /// <exception cref="ArgumentException">The result is malformed (the message names the row).</exception>
    public static void WriteCsv(BacktestResult result, BacktestSummary summary, string directory)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var index = new ResultIndex(result);
        string fills = FillsCsv(index), orders = OrdersCsv(index), json = SummaryToJson(summary);
        Directory.CreateDirectory(directory);
        CsvText.WriteFile(Path.Combine(directory, "fills.csv"), fills);
        CsvText.WriteFile(Path.Combine(directory, "orders.csv"), orders);
        CsvText.WriteFile(Path.Combine(directory, "summary.json"), json);
    }

    /// <summary>The summary as indented camelCase JSON (the content of <c>summary.json</c>), with a final newline.</summary>
    public static string SummaryToJson(BacktestSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return JsonSerializer.Serialize(summary, SummaryJson).ReplaceLineEndings("\n") + "\n";
    }

    private static string FillsCsv(ResultIndex index)
    {
        var sb = new StringBuilder();
        CsvText.AppendRow(sb, "time_ns", "time_utc", "instrument", "symbol", "client_order_id", "side", "price", "qty", "fee", "liquidity");
        foreach (var f in index.Result.Fills)
        {
            CsvText.AppendRow(sb,
                CsvText.Num(f.TimeNs), Iso(f.TimeNs), f.Instrument.ToString(CultureInfo.InvariantCulture),
                index.Instruments[index.SlotOf(f.Instrument)].Symbol, f.ClientOrderId, Side(f.Side),
                CsvText.Num(f.Price), CsvText.Num(f.Qty), CsvText.Num(f.Fee), f.IsMaker ? "maker" : "taker");
        }
        return sb.ToString();
    }

    private static string OrdersCsv(ResultIndex index)
    {
        var sb = new StringBuilder();
        CsvText.AppendRow(sb, "client_order_id", "instrument", "symbol", "side", "type", "price", "qty",
            "sent_ns", "ack_ns", "end_ns", "outcome", "filled_qty", "reject_reason");
        foreach (var o in index.Result.Orders)
        {
            CsvText.AppendRow(sb,
                o.ClientOrderId, o.Instrument.ToString(CultureInfo.InvariantCulture), index.Instruments[index.SlotOf(o.Instrument)].Symbol,
                Side(o.Side), o.Type, CsvText.Num(o.Price), CsvText.Num(o.Qty), CsvText.Num(o.SentNs), CsvText.Num(o.AckNs),
                CsvText.Num(o.EndNs), Outcome(o.Outcome), CsvText.Num(o.FilledQty), o.RejectReason);
        }
        return sb.ToString();
    }

    private static string Side(OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";

    private static string Outcome(BacktestOrderOutcome outcome) => outcome switch
    {
        BacktestOrderOutcome.Open => "open",
        BacktestOrderOutcome.Filled => "filled",
        BacktestOrderOutcome.Canceled => "canceled",
        BacktestOrderOutcome.Rejected => "rejected",
        BacktestOrderOutcome.Expired => "expired",
        _ => ((int)outcome).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>ISO 8601 UTC with nanoseconds, e.g. <c>2026-01-02T03:04:05.123456789Z</c>.</summary>
    private static string Iso(long unixNs)
    {
        long seconds = Math.DivRem(unixNs, Second, out long ns);
        if (ns < 0)
        {
            seconds--;
            ns += Second;
        }
        if (seconds < -62135596800L || seconds > 253402300799L)
            return "";
        var t = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ss}.{ns:000000000}Z");
    }
}
