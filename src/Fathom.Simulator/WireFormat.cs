using System.Text.Json;
using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>Binance's wire spellings and decimal strings (always 8 fraction digits, as Binance sends them).</summary>
internal static class WireFormat
{
    public static string Of(OrderStatus s) => s switch
    {
        OrderStatus.New => "NEW",
        OrderStatus.PartiallyFilled => "PARTIALLY_FILLED",
        OrderStatus.Filled => "FILLED",
        OrderStatus.Canceled => "CANCELED",
        OrderStatus.Rejected => "REJECTED",
        OrderStatus.Expired => "EXPIRED",
        _ => "EXPIRED_IN_MATCH",
    };

    public static string Of(OrderType t) => t switch
    {
        OrderType.Limit => "LIMIT",
        OrderType.Market => "MARKET",
        _ => "LIMIT_MAKER",
    };

    public static string Of(TimeInForce t) => t switch { TimeInForce.Gtc => "GTC", TimeInForce.Ioc => "IOC", _ => "FOK" };
    public static string Of(OrderSide s) => s == OrderSide.Buy ? "BUY" : "SELL";

    public static string Of(SelfTradePreventionMode m) => m switch
    {
        SelfTradePreventionMode.None => "NONE",
        SelfTradePreventionMode.ExpireTaker => "EXPIRE_TAKER",
        SelfTradePreventionMode.ExpireMaker => "EXPIRE_MAKER",
        _ => "EXPIRE_BOTH",
    };

    public static string Of(SymbolStatus s) => s switch
    {
        SymbolStatus.Trading => "TRADING",
        SymbolStatus.Halt => "HALT",
        SymbolStatus.Break => "BREAK",
        SymbolStatus.EndOfDay => "END_OF_DAY",
        _ => "CANCEL_ONLY",
    };

    /// <summary>A wire status name (TRADING, HALT, BREAK, END_OF_DAY, CANCEL_ONLY) to its value; false for anything else.</summary>
    public static bool TryParse(string? text, out SymbolStatus status)
    {
        foreach (var s in Enum.GetValues<SymbolStatus>())
        {
            if (Of(s) == text)
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    public static void Decimal8(Utf8JsonWriter w, string name, long raw, int decimals)
    {
        Span<byte> buffer = stackalloc byte[FixedPoint.MaxFormattedLength];
        FixedPoint.TryFormat(Assets.To8(raw, decimals), Assets.Decimals, buffer, out int n);
        w.WriteString(name, buffer[..n]);
    }

    public static void Decimal8Value(Utf8JsonWriter w, long raw, int decimals)
    {
        Span<byte> buffer = stackalloc byte[FixedPoint.MaxFormattedLength];
        FixedPoint.TryFormat(Assets.To8(raw, decimals), Assets.Decimals, buffer, out int n);
        w.WriteStringValue(buffer[..n]);
    }

    /// <summary>A decimal string at <paramref name="decimals"/> with trailing zeros kept (filters use the symbol's own form).</summary>
    public static string Plain(long raw, int decimals) => FixedPoint.ToString(raw, decimals);
}
