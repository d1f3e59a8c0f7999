using System.Text;
using System.Text.Json;
using Fathom.Core;

namespace Fathom.Venues.Binance;

/// <summary>
/// Reads instrument metadata from Binance's <c>exchangeInfo</c> (spot <c>/api/v3</c> or USD-M
/// <c>/fapi/v1</c>): tick size, step size, quantity limits, minimum notional and status per symbol.
/// Cold path (start-up and metadata refresh), so it uses System.Text.Json.
/// </summary>
public static class BinanceExchangeInfo
{
    /// <summary>Every symbol in the document whose filters Fathom can represent, keyed by symbol.</summary>
    public static Dictionary<string, InstrumentSpec> Parse(ReadOnlySpan<byte> json, Venue venue)
    {
        var result = new Dictionary<string, InstrumentSpec>(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        if (!doc.RootElement.TryGetProperty("symbols", out var symbols) || symbols.ValueKind != JsonValueKind.Array)
            throw new FormatException("exchangeInfo has no 'symbols' array.");
        foreach (var s in symbols.EnumerateArray())
        {
            string? name = s.TryGetProperty("symbol", out var n) ? n.GetString() : null;
            if (string.IsNullOrEmpty(name))
                continue;
            long tick = 0, step = 0, minQty = 0, maxQty = 0, minPrice = 0, maxPrice = 0, minNotional = 0;
            if (s.TryGetProperty("filters", out var filters) && filters.ValueKind == JsonValueKind.Array)
            {
                foreach (var f in filters.EnumerateArray())
                {
                    switch (f.TryGetProperty("filterType", out var t) ? t.GetString() : null)
                    {
                        case "PRICE_FILTER":
                            tick = Decimal(f, "tickSize");
                            minPrice = Decimal(f, "minPrice");
                            maxPrice = Decimal(f, "maxPrice");
                            break;
                        case "LOT_SIZE":
                            step = Decimal(f, "stepSize");
                            minQty = Decimal(f, "minQty");
                            maxQty = Decimal(f, "maxQty");
                            break;
                        case "MIN_NOTIONAL":
                            // Spot names it minNotional; USD-M names it notional.
                            minNotional = f.TryGetProperty("minNotional", out _) ? Decimal(f, "minNotional") : Decimal(f, "notional");
                            break;
                        case "NOTIONAL":
                            minNotional = Decimal(f, "minNotional");
                            break;
                    }
                }
            }
            if (tick <= 0 || step <= 0)
                continue; // not representable on a tick grid: skip rather than guess
            result[name] = new InstrumentSpec
            {
                Symbol = name,
                Venue = venue,
                PriceDecimals = BinanceSymbol.WireDecimals,
                QtyDecimals = BinanceSymbol.WireDecimals,
                TickSize = new Price(tick),
                StepSize = new Qty(step),
                MinQty = new Qty(minQty),
                MaxQty = new Qty(maxQty),
                MinPrice = new Price(minPrice),
                MaxPrice = new Price(maxPrice),
                MinNotional = new Price(minNotional),
                Status = ParseStatus(s.TryGetProperty("status", out var st) ? st.GetString() : null),
            }.Validate();
        }
        return result;
    }

    public static InstrumentStatus ParseStatus(string? status) => status switch
    {
        "TRADING" => InstrumentStatus.Trading,
        "HALT" => InstrumentStatus.Halt,
        "BREAK" => InstrumentStatus.Break,
        "END_OF_DAY" => InstrumentStatus.EndOfDay,
        "CANCEL_ONLY" => InstrumentStatus.CancelOnly,
        "PRE_TRADING" => InstrumentStatus.PreTrading,
        "POST_TRADING" => InstrumentStatus.PostTrading,
        _ => InstrumentStatus.Unknown,
    };

    private static long Decimal(JsonElement filter, string name)
    {
        if (!filter.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String)
            return 0;
        byte[] text = Encoding.ASCII.GetBytes(v.GetString()!);
        // Very large limits (maxPrice 1000000000) still fit; excess precision beyond 8 decimals is a format error.
        return DecimalParser.Parse(text, BinanceSymbol.WireDecimals);
    }
}
