using System.Text.Json;

namespace Fathom.Simulator;

public sealed partial class SimulatorApi
{
    private void Account(RequestParameters p, SimAccount account)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteNumber("makerCommission", account.MakerCommission / 10_000);
        w.WriteNumber("takerCommission", account.TakerCommission / 10_000);
        w.WriteNumber("buyerCommission", 0);
        w.WriteNumber("sellerCommission", 0);
        w.WritePropertyName("commissionRates");
        WriteRates(w, account);
        w.WriteBoolean("canTrade", account.CanTrade);
        w.WriteBoolean("canWithdraw", false);
        w.WriteBoolean("canDeposit", false);
        w.WriteBoolean("brokered", false);
        w.WriteBoolean("requireSelfTradePrevention", false);
        w.WriteBoolean("preventSor", false);
        w.WriteNumber("updateTime", _clock.UtcNowUnixMs);
        w.WriteString("accountType", "SPOT");
        w.WriteStartArray("balances");
        bool omitZero = p["omitZeroBalances"] == "true";
        foreach (string asset in _engine.AssetNames)
        {
            long free = account.Free(asset), locked = account.Locked(asset);
            if (omitZero && free == 0 && locked == 0)
                continue;
            w.WriteStartObject();
            w.WriteString("asset", asset);
            WireFormat.Decimal8(w, "free", free, Assets.Decimals);
            WireFormat.Decimal8(w, "locked", locked, Assets.Decimals);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("permissions");
        w.WriteStringValue("SPOT");
        w.WriteEndArray();
        w.WriteNumber("uid", account.Id);
        w.WriteEndObject();
    }

    private static void WriteRates(Utf8JsonWriter w, SimAccount account)
    {
        w.WriteStartObject();
        WireFormat.Decimal8(w, "maker", account.MakerCommission, Assets.Decimals);
        WireFormat.Decimal8(w, "taker", account.TakerCommission, Assets.Decimals);
        w.WriteString("buyer", "0.00000000");
        w.WriteString("seller", "0.00000000");
        w.WriteEndObject();
    }

    private void MyTrades(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        long orderId = ParseLong(p, "orderId", 0);
        long fromId = ParseLong(p, "fromId", 0);
        long limit = Math.Clamp(ParseLong(p, "limit", 500), 1, 1000);
        long start = ParseLong(p, "startTime", 0), end = ParseLong(p, "endTime", long.MaxValue);
        var spec = book.Symbol.Spec;
        var w = _json;
        w.WriteStartArray();
        int written = 0;
        foreach (var t in account.Trades)
        {
            if (t.Book != book || (orderId > 0 && t.OrderId != orderId) || t.TradeId < fromId || t.Time < start || t.Time > end)
                continue;
            if (written++ == limit)
                break;
            w.WriteStartObject();
            w.WriteString("symbol", book.Name);
            w.WriteNumber("id", t.TradeId);
            w.WriteNumber("orderId", t.OrderId);
            w.WriteNumber("orderListId", -1);
            WireFormat.Decimal8(w, "price", t.Price, spec.PriceDecimals);
            WireFormat.Decimal8(w, "qty", t.Qty, spec.QtyDecimals);
            WireFormat.Decimal8(w, "quoteQty", t.QuoteQty, Assets.Decimals);
            WireFormat.Decimal8(w, "commission", t.Commission, Assets.Decimals);
            w.WriteString("commissionAsset", t.CommissionAsset);
            w.WriteNumber("time", t.Time);
            w.WriteBoolean("isBuyer", t.IsBuyer);
            w.WriteBoolean("isMaker", t.IsMaker);
            w.WriteBoolean("isBestMatch", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void Commission(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        var w = _json;
        w.WriteStartObject();
        w.WriteString("symbol", book.Name);
        w.WritePropertyName("standardCommission");
        WriteRates(w, account);
        w.WriteStartObject("specialCommission");
        foreach (var n in (ReadOnlySpan<string>)["maker", "taker", "buyer", "seller"])
            w.WriteString(n, "0.00000000");
        w.WriteEndObject();
        w.WriteStartObject("taxCommission");
        foreach (var n in (ReadOnlySpan<string>)["maker", "taker", "buyer", "seller"])
            w.WriteString(n, "0.00000000");
        w.WriteEndObject();
        w.WriteStartObject("discount");
        w.WriteBoolean("enabledForAccount", false);
        w.WriteBoolean("enabledForSymbol", false);
        w.WriteString("discountAsset", "BNB");
        w.WriteString("discount", "0.00000000");
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
