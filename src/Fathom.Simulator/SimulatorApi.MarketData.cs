using System.Text.Json;

namespace Fathom.Simulator;

public sealed partial class SimulatorApi
{
    private void Ping()
    {
        _json.WriteStartObject();
        _json.WriteEndObject();
    }

    private void Time()
    {
        if (Faults.TakeFailTime())
            throw new BinanceException(BinanceErrors.Internal);
        _json.WriteStartObject();
        _json.WriteNumber("serverTime", _clock.UtcNowUnixMs);
        _json.WriteEndObject();
    }

    /// <summary>
    /// The optional <c>symbolStatus</c> parameter (exchangeInfo, depth, ticker): null when absent,
    /// -1122 when it is not a status name.
    /// </summary>
    private static SymbolStatus? RequestedStatus(RequestParameters p) =>
        p["symbolStatus"] is not { } text ? null
        : WireFormat.TryParse(text, out var status) ? status
        : throw new BinanceException(BinanceErrors.InvalidSymbolStatus);

    /// <summary>A single-symbol request with <c>symbolStatus</c>: a symbol in another status is -1220.</summary>
    private static SymbolBook CheckStatus(SymbolBook book, SymbolStatus? requested) =>
        requested is { } s && book.Status != s ? throw new BinanceException(BinanceErrors.SymbolStatusMismatch) : book;

    private void ExchangeInfo(RequestParameters p)
    {
        List<SymbolBook> books;
        var requested = RequestedStatus(p);
        // Binance: symbolStatus "cannot be used in combination with symbol or symbols" (the error code is chosen here).
        if (requested is not null && (p.Has("symbol") || p.Has("symbols")))
            throw new BinanceException(BinanceErrors.BadParameterCombination);
        if (p["symbol"] is not null)
        {
            books = [Symbol(p)];
        }
        else if (p["symbols"] is { } list)
        {
            string[] names;
            try { names = JsonSerializer.Deserialize<string[]>(list) ?? []; }
            catch (JsonException) { throw new BinanceException(new BinanceError(400, -1135, "JSON sent for parameter 'symbols' is not valid")); }
            if (names.Distinct().Count() != names.Length)
                throw new BinanceException(new BinanceError(400, -1151, "Symbol is present multiple times in the list."));
            books = names.Select(n => _engine.TryGetBook(n, out var b) ? b : throw new BinanceException(BinanceErrors.BadSymbol)).ToList();
        }
        else
        {
            books = [.. _engine.Books.Where(b => requested is null || b.Status == requested)];
        }

        var w = _json;
        var limits = _limiter.Settings;
        w.WriteStartObject();
        w.WriteString("timezone", "UTC");
        w.WriteNumber("serverTime", _clock.UtcNowUnixMs);
        w.WriteStartArray("rateLimits");
        WriteRateLimit(w, "REQUEST_WEIGHT", "MINUTE", 1, limits.RequestWeightPerMinute);
        WriteRateLimit(w, "ORDERS", "SECOND", 10, limits.OrdersPer10Seconds);
        WriteRateLimit(w, "ORDERS", "DAY", 1, limits.OrdersPerDay);
        w.WriteEndArray();
        w.WriteStartArray("exchangeFilters");
        w.WriteEndArray();
        w.WriteStartArray("symbols");
        foreach (var book in books)
            WriteSymbol(w, book);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRateLimit(Utf8JsonWriter w, string type, string interval, int num, int limit)
    {
        w.WriteStartObject();
        w.WriteString("rateLimitType", type);
        w.WriteString("interval", interval);
        w.WriteNumber("intervalNum", num);
        w.WriteNumber("limit", limit);
        w.WriteEndObject();
    }

    private static void WriteSymbol(Utf8JsonWriter w, SymbolBook book)
    {
        var s = book.Symbol;
        var spec = s.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        w.WriteStartObject();
        w.WriteString("symbol", s.Name);
        w.WriteString("status", WireFormat.Of(book.Status));
        w.WriteString("baseAsset", s.BaseAsset);
        w.WriteNumber("baseAssetPrecision", Assets.Decimals);
        w.WriteString("quoteAsset", s.QuoteAsset);
        w.WriteNumber("quotePrecision", Assets.Decimals);
        w.WriteNumber("quoteAssetPrecision", Assets.Decimals);
        w.WriteNumber("baseCommissionPrecision", Assets.Decimals);
        w.WriteNumber("quoteCommissionPrecision", Assets.Decimals);
        w.WriteStartArray("orderTypes");
        w.WriteStringValue("LIMIT");
        w.WriteStringValue("LIMIT_MAKER");
        w.WriteStringValue("MARKET");
        w.WriteEndArray();
        w.WriteBoolean("icebergAllowed", false);
        w.WriteBoolean("ocoAllowed", false);
        w.WriteBoolean("otoAllowed", false);
        w.WriteBoolean("quoteOrderQtyMarketAllowed", true);
        w.WriteBoolean("allowTrailingStop", false);
        w.WriteBoolean("cancelReplaceAllowed", true);
        w.WriteBoolean("amendAllowed", true);
        w.WriteBoolean("pegInstructionsAllowed", false);
        w.WriteBoolean("isSpotTradingAllowed", true);
        w.WriteBoolean("isMarginTradingAllowed", false);
        w.WriteStartArray("filters");

        w.WriteStartObject();
        w.WriteString("filterType", "PRICE_FILTER");
        WireFormat.Decimal8(w, "minPrice", spec.MinPrice.Raw, pd);
        WireFormat.Decimal8(w, "maxPrice", spec.MaxPrice.Raw, pd);
        WireFormat.Decimal8(w, "tickSize", spec.TickSize.Raw, pd);
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("filterType", "LOT_SIZE");
        WireFormat.Decimal8(w, "minQty", spec.MinQty.Raw, qd);
        WireFormat.Decimal8(w, "maxQty", spec.MaxQty.Raw, qd);
        WireFormat.Decimal8(w, "stepSize", spec.StepSize.Raw, qd);
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("filterType", "MARKET_LOT_SIZE");
        WireFormat.Decimal8(w, "minQty", spec.MinQty.Raw, qd);
        WireFormat.Decimal8(w, "maxQty", s.MarketMaxQty != 0 ? s.MarketMaxQty : spec.MaxQty.Raw, qd);
        WireFormat.Decimal8(w, "stepSize", spec.StepSize.Raw, qd);
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("filterType", "PERCENT_PRICE_BY_SIDE");
        w.WriteString("bidMultiplierUp", WireFormat.Plain(s.BidMultiplierUp, SimSymbol.MultiplierDecimals));
        w.WriteString("bidMultiplierDown", WireFormat.Plain(s.BidMultiplierDown, SimSymbol.MultiplierDecimals));
        w.WriteString("askMultiplierUp", WireFormat.Plain(s.AskMultiplierUp, SimSymbol.MultiplierDecimals));
        w.WriteString("askMultiplierDown", WireFormat.Plain(s.AskMultiplierDown, SimSymbol.MultiplierDecimals));
        w.WriteNumber("avgPriceMins", 0);
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("filterType", "NOTIONAL");
        WireFormat.Decimal8(w, "minNotional", s.MinNotional, Assets.Decimals);
        w.WriteBoolean("applyMinToMarket", s.ApplyMinToMarket);
        WireFormat.Decimal8(w, "maxNotional", s.MaxNotional, Assets.Decimals);
        w.WriteBoolean("applyMaxToMarket", s.ApplyMaxToMarket);
        w.WriteNumber("avgPriceMins", 0);
        w.WriteEndObject();

        w.WriteStartObject();
        w.WriteString("filterType", "MAX_NUM_ORDERS");
        w.WriteNumber("maxNumOrders", s.MaxNumOrders);
        w.WriteEndObject();

        w.WriteEndArray();
        w.WriteStartArray("permissions");
        w.WriteEndArray();
        w.WriteStartArray("permissionSets");
        w.WriteStartArray();
        w.WriteStringValue("SPOT");
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteString("defaultSelfTradePreventionMode", WireFormat.Of(s.DefaultStp));
        w.WriteStartArray("allowedSelfTradePreventionModes");
        foreach (var m in (ReadOnlySpan<SelfTradePreventionMode>)[SelfTradePreventionMode.None, SelfTradePreventionMode.ExpireTaker, SelfTradePreventionMode.ExpireMaker, SelfTradePreventionMode.ExpireBoth])
            w.WriteStringValue(WireFormat.Of(m));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void Depth(RequestParameters p)
    {
        var book = CheckStatus(Symbol(p), RequestedStatus(p));
        long limit = ParseLong(p, "limit", 100);
        if (limit <= 0)
            throw new BinanceException(BinanceErrors.InvalidParameter("limit"));
        limit = Math.Min(limit, 5000);
        var spec = book.Symbol.Spec;
        var w = _json;
        w.WriteStartObject();
        w.WriteNumber("lastUpdateId", book.UpdateId);
        foreach (var (name, side, count) in (ReadOnlySpan<(string, OrderSide, int)>)[("bids", OrderSide.Buy, book.BidLevels), ("asks", OrderSide.Sell, book.AskLevels)])
        {
            w.WriteStartArray(name);
            for (int i = 0; i < Math.Min(count, limit); i++)
            {
                var (price, qty, _) = book.Level(side, i);
                w.WriteStartArray();
                WireFormat.Decimal8Value(w, price, spec.PriceDecimals);
                WireFormat.Decimal8Value(w, qty, spec.QtyDecimals);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private void Trades(RequestParameters p)
    {
        var book = Symbol(p);
        long limit = Math.Clamp(ParseLong(p, "limit", 500), 1, 1000);
        var spec = book.Symbol.Spec;
        var w = _json;
        w.WriteStartArray();
        foreach (var t in book.RecentTrades((int)limit))
        {
            w.WriteStartObject();
            w.WriteNumber("id", t.Id);
            WireFormat.Decimal8(w, "price", t.Price, spec.PriceDecimals);
            WireFormat.Decimal8(w, "qty", t.Qty, spec.QtyDecimals);
            WireFormat.Decimal8(w, "quoteQty", t.QuoteQty, Assets.Decimals);
            w.WriteNumber("time", t.Time);
            w.WriteBoolean("isBuyerMaker", t.IsBuyerMaker);
            w.WriteBoolean("isBestMatch", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private void BookTicker(RequestParameters p)
    {
        var w = _json;
        var requested = RequestedStatus(p);
        if (p.Has("symbol"))
        {
            WriteBookTicker(w, CheckStatus(Symbol(p), requested));
            return;
        }
        w.WriteStartArray();
        foreach (var book in _engine.Books)
        {
            if (requested is null || book.Status == requested)
                WriteBookTicker(w, book);
        }
        w.WriteEndArray();
    }

    private static void WriteBookTicker(Utf8JsonWriter w, SymbolBook book)
    {
        var spec = book.Symbol.Spec;
        book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
        book.TryBest(OrderSide.Sell, out long ask, out long askQty);
        w.WriteStartObject();
        w.WriteString("symbol", book.Name);
        WireFormat.Decimal8(w, "bidPrice", bid, spec.PriceDecimals);
        WireFormat.Decimal8(w, "bidQty", bidQty, spec.QtyDecimals);
        WireFormat.Decimal8(w, "askPrice", ask, spec.PriceDecimals);
        WireFormat.Decimal8(w, "askQty", askQty, spec.QtyDecimals);
        w.WriteEndObject();
    }
}
