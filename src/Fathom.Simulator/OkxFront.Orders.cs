using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Core;

namespace Fathom.Simulator;

public sealed partial class OkxFront
{
    /// <summary>Order operations share one code path for REST and the private WebSocket.</summary>
    internal enum OrderOp : byte { Place, Cancel, Amend }

    /// <summary>OKX: 60 requests per 2 s per account and instrument for each of place, cancel and amend (REST and WS together); batches of more than one order: 300 orders per 2 s.</summary>
    public const int OrdersPerWindow = 60, BatchOrdersPerWindow = 300, MaxBatch = 20;
    public static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(2);

    private readonly Dictionary<(int Account, int Book, OrderOp Op, bool Batch), (long Window, int Count)> _rate = [];
    /// <summary>Orders placed here without a <c>clOrdId</c>: OKX shows "" for them, not the engine's generated id.</summary>
    private readonly HashSet<SimOrder> _autoClientId = [];

    /// <summary>One order's outcome: the <c>data</c> element of a place, cancel or amend answer.</summary>
    private readonly record struct OrderResult(OkxError? Error, string OrdId, string ClOrdId, string Tag, string? ReqId)
    {
        public bool Ok => Error is null;
    }

    private static readonly Regex32 s_clOrdId = new(32), s_tag = new(16);

    /// <summary>Letters and digits only, 1 to N long (OKX clOrdId ≤ 32, tag ≤ 16, WS id ≤ 32).</summary>
    private readonly record struct Regex32(int Max)
    {
        public bool IsMatch(string s) => s.Length >= 1 && s.Length <= Max && s.All(char.IsAsciiLetterOrDigit);
    }

    /// <summary>REST order endpoints: a JSON object (single) or an array of at most 20 (batch).</summary>
    private void RestOrders(Request r, OrderOp op, bool batch)
    {
        var args = Arguments(r.Body, batch);
        var results = RunOrders(r.Account!, op, args, batch);
        var w = _json;
        w.WriteStartObject();
        WriteOrderEnvelope(w, results, r.InTimeUs);
        w.WriteEndObject();
    }

    private static List<JsonElement> Arguments(JsonElement body, bool batch)
    {
        if (!batch)
            return body.ValueKind == JsonValueKind.Object ? [body] : throw new OkxException(OkxErrors.JsonSyntax);
        if (body.ValueKind != JsonValueKind.Array)
            throw new OkxException(OkxErrors.JsonSyntax);
        var list = body.EnumerateArray().ToList();
        if (list.Count == 0)
            throw new OkxException(OkxErrors.BodyEmpty);
        if (list.Count > MaxBatch)
            throw new OkxException(OkxErrors.TooManyInBatch);
        if (list.Any(e => e.ValueKind != JsonValueKind.Object))
            throw new OkxException(OkxErrors.JsonSyntax);
        return list;
    }

    /// <summary>
    /// Runs the orders in order. A single operation over its rate limit fails as a whole (50011); in a
    /// batch each order over the limit fails alone with sCode 50011.
    /// </summary>
    private List<OrderResult> RunOrders(SimAccount account, OrderOp op, List<JsonElement> args, bool batch)
    {
        var results = new List<OrderResult>(args.Count);
        bool batchRate = batch && args.Count > 1;
        foreach (var a in args)
        {
            var result = op switch
            {
                OrderOp.Place => Place(account, a, batchRate),
                OrderOp.Cancel => Cancel(account, a, batchRate),
                _ => Amend(account, a, batchRate),
            };
            if (!batchRate && result.Error is { Code: "50011" })
                throw new OkxException(OkxErrors.RateLimit);
            results.Add(result);
        }
        _accepted = results.Any(x => x.Ok);
        return results;
    }

    /// <summary><c>code</c> "0" all succeeded, "1" all failed, "2" some; then <c>data</c> and the in/out times (µs).</summary>
    private void WriteOrderEnvelope(Utf8JsonWriter w, List<OrderResult> results, long inTimeUs)
    {
        int ok = results.Count(x => x.Ok);
        w.WriteString("code", ok == results.Count ? "0" : ok == 0 ? "1" : "2");
        w.WriteString("msg", ok == results.Count ? "" : ok == 0 ? "All operations failed" : "Batch operation partially succeeded");
        w.WriteStartArray("data");
        long ts = _engine.Clock.UtcNowUnixMs;
        foreach (var x in results)
        {
            w.WriteStartObject();
            w.WriteString("clOrdId", x.ClOrdId);
            w.WriteString("ordId", x.OrdId);
            w.WriteString("tag", x.Tag);
            if (x.ReqId is not null)
                w.WriteString("reqId", x.ReqId);
            w.WriteString("ts", Ms(ts));
            w.WriteString("sCode", x.Error?.Code ?? "0");
            w.WriteString("sMsg", x.Error?.Message ?? (x.ReqId is null ? "Order placed" : ""));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("inTime", inTimeUs.ToString(CultureInfo.InvariantCulture));
        w.WriteString("outTime", NowUs.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Counts one order against its account × instrument × operation window; false when the window is full.</summary>
    private bool ChargeRate(SimAccount account, SymbolBook book, OrderOp op, bool batch)
    {
        long window = _engine.Clock.UtcNowUnixMs / (long)RateWindow.TotalMilliseconds;
        var key = (account.Id, book.Index, op, batch);
        _rate.TryGetValue(key, out var slot);
        if (slot.Window != window)
            slot = (window, 0);
        if (slot.Count >= (batch ? BatchOrdersPerWindow : OrdersPerWindow))
            return false;
        _rate[key] = (window, slot.Count + 1);
        return true;
    }

    /// <summary>A string argument: JSON strings as they are, numbers as written (instIdCode is an integer); null when absent, null or "".</summary>
    private static string? Arg(JsonElement a, string name)
    {
        if (!a.TryGetProperty(name, out var v))
            return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => null,
            _ => throw new OkxException(OkxErrors.Param(name)),
        };
    }

    /// <summary>A positive decimal at the instrument's decimals; more decimals than the grid fail with <paramref name="precision"/>.</summary>
    private static long ParseAmount(string name, string text, int decimals, OkxError precision)
    {
        var error = DecimalParser.TryParse(Encoding.UTF8.GetBytes(text), decimals, false, out long v);
        if (error == DecimalParseError.TooManyDecimals)
            throw new OkxException(precision);
        if (error != DecimalParseError.None || v <= 0)
            throw new OkxException(OkxErrors.Param(name));
        return v;
    }

    private string VisibleClOrdId(SimOrder o) => _autoClientId.Contains(o) ? "" : o.ClientOrderId;

    private OrderResult Place(SimAccount account, JsonElement a, bool batch)
    {
        string tag = "";
        string clOrdId = "";
        try
        {
            clOrdId = Arg(a, "clOrdId") ?? "";
            tag = Arg(a, "tag") ?? "";
            var book = Instrument(Arg(a, "instId"), Arg(a, "instIdCode"));
            if (!ChargeRate(account, book, OrderOp.Place, batch))
                throw new OkxException(OkxErrors.RateLimit);
            var sym = book.Symbol;
            var spec = sym.Spec;
            string tdMode = Arg(a, "tdMode") ?? throw new OkxException(OkxErrors.Empty("tdMode"));
            if (tdMode != "cash")
                throw new OkxException(OkxErrors.Param("tdMode"));
            var side = (Arg(a, "side") ?? throw new OkxException(OkxErrors.Empty("side"))) switch
            {
                "buy" => OrderSide.Buy,
                "sell" => OrderSide.Sell,
                _ => throw new OkxException(OkxErrors.Param("side")),
            };
            string ordType = Arg(a, "ordType") ?? throw new OkxException(OkxErrors.Empty("ordType"));
            var (type, tif) = ordType switch
            {
                "limit" => (OrderType.Limit, TimeInForce.Gtc),
                "post_only" => (OrderType.LimitMaker, TimeInForce.Gtc),
                "ioc" => (OrderType.Limit, TimeInForce.Ioc),
                "fok" => (OrderType.Limit, TimeInForce.Fok),
                "market" => (OrderType.Market, TimeInForce.Gtc),
                _ => throw new OkxException(OkxErrors.Param("ordType")),
            };
            if (clOrdId.Length > 0 && !s_clOrdId.IsMatch(clOrdId))
                throw new OkxException(OkxErrors.Param("clOrdId"));
            if (tag.Length > 0 && !s_tag.IsMatch(tag))
                throw new OkxException(OkxErrors.Param("tag"));
            var stp = (Arg(a, "stpMode") ?? "cancel_maker") switch
            {
                "cancel_maker" => SelfTradePreventionMode.ExpireMaker,
                "cancel_taker" => SelfTradePreventionMode.ExpireTaker,
                "cancel_both" => SelfTradePreventionMode.ExpireBoth,
                _ => throw new OkxException(OkxErrors.Param("stpMode")),
            };
            string szText = Arg(a, "sz") ?? throw new OkxException(OkxErrors.Empty("sz"));
            long price = 0, qty = 0, quote = 0;
            if (type == OrderType.Market)
            {
                if (Arg(a, "px") is not null)
                    throw new OkxException(OkxErrors.Param("px"));
                // Spot market orders: a buy's sz is in the quote currency, a sell's in the base, unless tgtCcy says otherwise.
                string tgt = Arg(a, "tgtCcy") ?? (side == OrderSide.Buy ? "quote_ccy" : "base_ccy");
                if (tgt == "quote_ccy")
                    quote = ParseAmount("sz", szText, Assets.Decimals, OkxErrors.Param("sz"));
                else if (tgt == "base_ccy")
                    qty = ParseAmount("sz", szText, spec.QtyDecimals, OkxErrors.LotSize);
                else
                    throw new OkxException(OkxErrors.Param("tgtCcy"));
            }
            else
            {
                // tgtCcy applies to market orders only; a limit order's sz is always base (ccxt sends base_ccy).
                if (Arg(a, "tgtCcy") is not (null or "base_ccy"))
                    throw new OkxException(OkxErrors.Param("tgtCcy"));
                qty = ParseAmount("sz", szText, spec.QtyDecimals, OkxErrors.LotSize);
                price = ParseAmount("px", Arg(a, "px") ?? throw new OkxException(OkxErrors.Empty("px")), spec.PriceDecimals, OkxErrors.Param("px"));
            }
            var request = new NewOrder(book, side, type, tif, price, qty, quote, clOrdId.Length > 0 ? clOrdId : null, stp, CancelIfWouldTake: true);
            var outcome = _engine.Place(account, request);
            if (!outcome.Ok)
                throw new OkxException(MapReject(outcome.Reject, request));
            var order = outcome.Order!;
            if (clOrdId.Length == 0)
                _autoClientId.Add(order);
            if (tag.Length > 0)
                _tags[order] = tag;
            return new OrderResult(null, Id(order.OrderId), clOrdId, tag, null);
        }
        catch (OkxException ex)
        {
            return new OrderResult(ex.Error, "", clOrdId, tag, null);
        }
    }

    private readonly Dictionary<SimOrder, string> _tags = [];

    private static OkxError MapReject(RejectCode code, in NewOrder req)
    {
        var book = req.Book;
        var sym = book.Symbol;
        var spec = sym.Spec;
        bool market = req.Type == OrderType.Market;
        switch (code)
        {
            case RejectCode.FilterPrice:
                return OkxErrors.Param("px");
            case RejectCode.FilterLotSize:
            case RejectCode.FilterMarketLotSize:
                if (req.Qty % spec.StepSize.Raw != 0)
                    return OkxErrors.LotSize;
                if (req.Qty < spec.MinQty.Raw)
                    return OkxErrors.BelowMinimum;
                return market ? OkxErrors.MarketTooLarge : OkxErrors.AmountLimit(Num(spec.MaxQty.Raw, spec.QtyDecimals));
            case RejectCode.FilterNotional:
            {
                long notional = market ? req.QuoteOrderQty > 0 ? req.QuoteOrderQty : Assets.NotionalFloor(book.LastPrice, req.Qty, spec)
                    : Assets.NotionalFloor(req.Price, req.Qty, spec);
                return notional < sym.MinNotional ? OkxErrors.BelowMinimum
                    : market ? OkxErrors.MarketTooLarge : OkxErrors.AmountLimit(Num(sym.MaxNotional, Assets.Decimals));
            }
            case RejectCode.FilterPercentPriceBySide:
            {
                long maxBuy = (long)((Int128)book.LastPrice * sym.BidMultiplierUp / FixedPoint.Pow10(SimSymbol.MultiplierDecimals));
                long minSell = (long)((Int128)book.LastPrice * sym.AskMultiplierDown / FixedPoint.Pow10(SimSymbol.MultiplierDecimals));
                return OkxErrors.PriceLimit(Num(spec.FloorToTick(new Price(maxBuy)).Raw, spec.PriceDecimals), Num(minSell, spec.PriceDecimals));
            }
            case RejectCode.FilterMaxNumOrders:
                return OkxErrors.TooManyPending;
            case RejectCode.MarketClosed:
                return OkxErrors.PlacementBlocked;
            case RejectCode.InsufficientBalance:
                return OkxErrors.Insufficient(req.Side == OrderSide.Buy ? sym.QuoteAsset : sym.BaseAsset);
            case RejectCode.WouldTake:
                return OkxErrors.AmendPostOnly;
            case RejectCode.DuplicateOrder:
                return OkxErrors.DuplicateClientId;
            case RejectCode.NoLiquidityForQuoteOrder:
                return OkxErrors.NoOffer;
            case RejectCode.UnknownOrder:
            case RejectCode.CancelRestricted:
                return OkxErrors.CancelFailed;
            case RejectCode.NoSuchOrder:
                return OkxErrors.AmendFailed;
            default:
                return OkxErrors.Param("sz");
        }
    }

    /// <summary>The order an ordId (wins) or clOrdId names; ordId must be an integer.</summary>
    private static (long OrderId, string? ClientId) OrderRef(string? ordId, string? clOrdId)
    {
        if (ordId is not null)
        {
            return long.TryParse(ordId, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0
                ? (id, null) : throw new OkxException(OkxErrors.Param("ordId"));
        }
        return clOrdId is not null ? (0, clOrdId) : throw new OkxException(OkxErrors.NeedOrderId);
    }

    private OrderResult Cancel(SimAccount account, JsonElement a, bool batch)
    {
        string clOrdId = Arg(a, "clOrdId") ?? "";
        string ordId = Arg(a, "ordId") ?? "";
        try
        {
            var book = Instrument(Arg(a, "instId"), Arg(a, "instIdCode"));
            if (!ChargeRate(account, book, OrderOp.Cancel, batch))
                throw new OkxException(OkxErrors.RateLimit);
            var (id, clientId) = OrderRef(Arg(a, "ordId"), Arg(a, "clOrdId"));
            var outcome = _engine.Cancel(account, book, id, clientId);
            if (!outcome.Ok)
                throw new OkxException(OkxErrors.CancelFailed);
            var order = outcome.Order!;
            return new OrderResult(null, Id(order.OrderId), VisibleClOrdId(order), "", "");
        }
        catch (OkxException ex)
        {
            return new OrderResult(ex.Error, ordId, clOrdId, "", "");
        }
    }

    private OrderResult Amend(SimAccount account, JsonElement a, bool batch)
    {
        string clOrdId = Arg(a, "clOrdId") ?? "";
        string ordId = Arg(a, "ordId") ?? "";
        string reqId = "";
        try
        {
            reqId = Arg(a, "reqId") ?? "";
            var book = Instrument(Arg(a, "instId"), Arg(a, "instIdCode"));
            if (!ChargeRate(account, book, OrderOp.Amend, batch))
                throw new OkxException(OkxErrors.RateLimit);
            var spec = book.Symbol.Spec;
            var (id, clientId) = OrderRef(Arg(a, "ordId"), Arg(a, "clOrdId"));
            string? szText = Arg(a, "newSz"), pxText = Arg(a, "newPx");
            if (szText is null && pxText is null)
                throw new OkxException(OkxErrors.NeedPriceOrSize);
            long newQty = szText is null ? 0 : ParseAmount("newSz", szText, spec.QtyDecimals, OkxErrors.LotSize);
            long newPrice = pxText is null ? 0 : ParseAmount("newPx", pxText, spec.PriceDecimals, OkxErrors.Param("newPx"));
            bool cancelOnFail = Arg(a, "cxlOnFail") switch
            {
                null or "false" => false,
                "true" => true,
                _ => throw new OkxException(OkxErrors.Param("cxlOnFail")),
            };
            var outcome = _engine.Amend(account, book, id, clientId, newPrice, newQty);
            if (!outcome.Ok)
            {
                if (cancelOnFail)
                    _engine.Cancel(account, book, id, clientId);
                throw new OkxException(outcome.Reject switch
                {
                    RejectCode.NoSuchOrder => OkxErrors.AmendFailed,
                    RejectCode.AmendNoChange => OkxErrors.Param(szText is null ? "newPx" : "newSz"),
                    RejectCode.FilterPrice => OkxErrors.Param("newPx"),
                    RejectCode.FilterLotSize => OkxErrors.Param("newSz"),
                    RejectCode.WouldTake => OkxErrors.AmendPostOnly,
                    RejectCode.InsufficientBalance => OkxErrors.Insufficient(SideOf(account, book, id, clientId) == OrderSide.Buy ? book.Symbol.QuoteAsset : book.Symbol.BaseAsset),
                    _ => OkxErrors.AmendFailed,
                });
            }
            var order = outcome.Order!;
            return new OrderResult(null, Id(order.OrderId), VisibleClOrdId(order), "", reqId);
        }
        catch (OkxException ex)
        {
            return new OrderResult(ex.Error, ordId, clOrdId, "", reqId);
        }
    }

    private static OrderSide SideOf(SimAccount account, SymbolBook book, long id, string? clientId) =>
        MatchingEngine.Find(account, book, id, clientId)?.Side ?? OrderSide.Buy;

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- queries

    private void QueryOrder(Request r)
    {
        var book = Instrument(r);
        var (id, clientId) = OrderRef(r.Get("ordId"), r.Get("clOrdId"));
        var order = MatchingEngine.Find(r.Account!, book, id, clientId) ?? throw new OkxException(OkxErrors.OrderNotFound);
        Ok(w => WriteOrder(w, order));
    }

    private void ListOrders(Request r, bool open)
    {
        string? instType = r.Get("instType");
        if (!open && instType is null)
            throw new OkxException(OkxErrors.Empty("instType"));
        if (instType is not (null or "SPOT" or "MARGIN" or "SWAP" or "FUTURES" or "OPTION"))
            throw new OkxException(OkxErrors.Param("instType"));
        SymbolBook? only = r.Get("instId") is not null || r.Get("instIdCode") is not null ? Instrument(r) : null;
        int limit = 100;
        if (r.Get("limit") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            throw new OkxException(OkxErrors.Param("limit"));
        limit = Math.Min(limit, 100);
        string? ordType = r.Get("ordType"), state = r.Get("state");
        var account = r.Account!;
        var orders = new List<SimOrder>();
        if (instType is null or "SPOT")
        {
            foreach (var book in _engine.Books)
            {
                if (only is not null && book != only)
                    continue;
                orders.AddRange(open ? book.OpenOrdersOf(account) : book.OrdersOf(account).Where(o => !o.IsOpen));
            }
        }
        var selected = orders
            .Where(o => (ordType is null || OrdType(o) == ordType) && (state is null || State(o.Status) == state))
            .OrderByDescending(o => o.Time).ThenByDescending(o => o.OrderId)
            .Take(limit).ToList();
        Ok(w =>
        {
            foreach (var o in selected)
                WriteOrder(w, o);
        });
    }

    private void Fills(Request r)
    {
        string? instType = r.Get("instType");
        if (instType is not (null or "SPOT" or "MARGIN" or "SWAP" or "FUTURES" or "OPTION"))
            throw new OkxException(OkxErrors.Param("instType"));
        SymbolBook? only = r.Get("instId") is not null || r.Get("instIdCode") is not null ? Instrument(r) : null;
        long ordId = r.Get("ordId") is { } oid ? OrderRef(oid, null).OrderId : 0;
        int limit = 100;
        if (r.Get("limit") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            throw new OkxException(OkxErrors.Param("limit"));
        limit = Math.Min(limit, 100);
        var trades = r.Account!.Trades;
        Ok(w =>
        {
            if (instType is not (null or "SPOT"))
                return;
            int n = 0;
            for (int i = trades.Count - 1; i >= 0 && n < limit; i--)
            {
                var t = trades[i];
                if ((only is not null && t.Book != only) || (ordId != 0 && t.OrderId != ordId))
                    continue;
                var spec = t.Book.Symbol.Spec;
                t.Book.TryGetOrder(t.OrderId, out var order);
                w.WriteStartObject();
                w.WriteString("instType", "SPOT");
                w.WriteString("instId", InstId(t.Book));
                w.WriteNumber("instIdCode", InstIdCode(t.Book));
                w.WriteString("tradeId", Id(t.TradeId));
                w.WriteString("ordId", Id(t.OrderId));
                w.WriteString("clOrdId", order is null ? "" : VisibleClOrdId(order));
                w.WriteString("billId", Id(t.TradeId * 2 + (t.IsBuyer ? 0 : 1)));
                w.WriteString("tag", order is not null && _tags.TryGetValue(order, out var tg) ? tg : "");
                w.WriteString("fillPx", Num(t.Price, spec.PriceDecimals));
                w.WriteString("fillSz", Num(t.Qty, spec.QtyDecimals));
                w.WriteString("side", t.IsBuyer ? "buy" : "sell");
                w.WriteString("posSide", "net");
                w.WriteString("execType", t.IsMaker ? "M" : "T");
                w.WriteString("feeCcy", t.CommissionAsset);
                w.WriteString("fee", Num(-t.Commission, Assets.Decimals));
                w.WriteString("ts", Ms(t.Time));
                w.WriteString("fillTime", Ms(t.Time));
                w.WriteEndObject();
                n++;
            }
        });
    }

    // ---------------------------------------------------------------- order objects

    internal static string State(OrderStatus s) => s switch
    {
        OrderStatus.New => "live",
        OrderStatus.PartiallyFilled => "partially_filled",
        OrderStatus.Filled => "filled",
        _ => "canceled",
    };

    internal static string OrdType(SimOrder o) => o.Type switch
    {
        OrderType.Market => "market",
        OrderType.LimitMaker => "post_only",
        _ => o.TimeInForce switch { TimeInForce.Ioc => "ioc", TimeInForce.Fok => "fok", _ => "limit" },
    };

    /// <summary>
    /// Why an order ended, in OKX's <c>cancelSource</c> codes: 1 canceled by the user, 14 an IOC/FOK/market
    /// remainder, 31 a post_only that would have taken, 32 self-trade prevention.
    /// </summary>
    private static string CancelSource(SimOrder o, OrderStatus status) => status switch
    {
        OrderStatus.Canceled => o.Type == OrderType.LimitMaker && o.WorkingTime < 0 ? "31" : "1",
        OrderStatus.Expired => "14",
        OrderStatus.ExpiredInMatch => "32",
        _ => "",
    };

    private static string StpMode(SelfTradePreventionMode m) => m switch
    {
        SelfTradePreventionMode.ExpireTaker => "cancel_taker",
        SelfTradePreventionMode.ExpireBoth => "cancel_both",
        SelfTradePreventionMode.ExpireMaker => "cancel_maker",
        _ => "",
    };

    /// <summary>Average fill price at 8 decimals from the quote amount (8 decimals) and the base quantity (raw).</summary>
    private static string AvgPx(long quote8, long qty, int qtyDecimals) =>
        qty == 0 ? "" : Num((long)((Int128)quote8 * FixedPoint.Pow10(qtyDecimals) / qty), Assets.Decimals);

    /// <summary>What one order view shows beyond the order itself: its state and fill totals at that moment and the last fill.</summary>
    private readonly record struct OrderView(OrderStatus Status, long ExecutedQty, long Quote, long Fee, long LastQty, long LastPrice,
        long LastFee, string? LastFeeCcy, long TradeId, bool IsMaker, long FillTime, long UpdateTime, bool Amended, bool Event);

    private void WriteOrder(Utf8JsonWriter w, SimOrder o)
    {
        // The last fill of the order, for fillPx/fillSz/tradeId.
        AccountTrade? last = null;
        var trades = o.Account.Trades;
        for (int i = trades.Count - 1; i >= 0 && o.ExecutedQty > 0; i--)
        {
            if (trades[i].Book == o.Book && trades[i].OrderId == o.OrderId)
            {
                last = trades[i];
                break;
            }
        }
        var view = new OrderView(o.Status, o.ExecutedQty, o.CumulativeQuoteQty, o.Commission, last?.Qty ?? 0, last?.Price ?? 0,
            last?.Commission ?? 0, last?.CommissionAsset, last?.TradeId ?? -1, last?.IsMaker ?? false, last?.Time ?? 0, o.UpdateTime,
            Amended: false, Event: false);
        WriteOrder(w, o, view);
    }

    private void WriteOrder(Utf8JsonWriter w, SimOrder o, in OrderView v)
    {
        var book = o.Book;
        var sym = book.Symbol;
        var spec = sym.Spec;
        int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
        w.WriteStartObject();
        w.WriteString("instType", "SPOT");
        w.WriteString("instId", InstId(book));
        w.WriteNumber("instIdCode", InstIdCode(book));
        w.WriteString("tgtCcy", o.IsQuoteOrder ? "quote_ccy" : o.Type == OrderType.Market ? "base_ccy" : "");
        w.WriteString("ccy", "");
        w.WriteString("ordId", Id(o.OrderId));
        w.WriteString("clOrdId", VisibleClOrdId(o));
        w.WriteString("tag", _tags.TryGetValue(o, out var tag) ? tag : "");
        w.WriteString("px", o.Type == OrderType.Market ? "" : Num(o.Price, pd));
        w.WriteString("sz", o.IsQuoteOrder ? Num(o.OrigQuoteOrderQty, Assets.Decimals) : Num(o.OrigQty, qd));
        w.WriteString("notionalUsd", "");
        w.WriteString("ordType", OrdType(o));
        w.WriteString("side", o.Side == OrderSide.Buy ? "buy" : "sell");
        w.WriteString("posSide", "");
        w.WriteString("tdMode", "cash");
        w.WriteString("accFillSz", Num(v.ExecutedQty, qd));
        w.WriteString("fillPx", v.LastQty == 0 ? "" : Num(v.LastPrice, pd));
        w.WriteString("tradeId", v.TradeId < 0 ? "" : Id(v.TradeId));
        w.WriteString("fillSz", Num(v.LastQty, qd));
        w.WriteString("fillTime", v.LastQty == 0 ? "" : Ms(v.FillTime));
        if (v.Event)
        {
            w.WriteString("fillFee", Num(-v.LastFee, Assets.Decimals));
            w.WriteString("fillFeeCcy", v.LastFeeCcy ?? "");
            w.WriteString("execType", v.LastQty == 0 ? "" : v.IsMaker ? "M" : "T");
            w.WriteString("amendResult", v.Amended ? "0" : "");
            w.WriteString("reqId", "");
            w.WriteString("code", "0");
            w.WriteString("msg", "");
        }
        w.WriteString("avgPx", AvgPx(v.Quote, v.ExecutedQty, qd));
        w.WriteString("state", State(v.Status));
        w.WriteString("stpId", "");
        w.WriteString("stpMode", StpMode(o.Stp));
        w.WriteString("lever", "");
        w.WriteString("feeCcy", o.Side == OrderSide.Buy ? sym.BaseAsset : sym.QuoteAsset);
        w.WriteString("fee", Num(-v.Fee, Assets.Decimals));
        w.WriteString("rebateCcy", o.Side == OrderSide.Buy ? sym.QuoteAsset : sym.BaseAsset);
        w.WriteString("rebate", "0");
        w.WriteString("pnl", "0");
        w.WriteString("source", "");
        w.WriteString("category", "normal");
        w.WriteString("reduceOnly", "false");
        w.WriteString("cancelSource", CancelSource(o, v.Status));
        w.WriteString("cancelSourceReason", "");
        w.WriteString("algoClOrdId", "");
        w.WriteString("algoId", "");
        w.WriteString("uTime", Ms(v.UpdateTime));
        w.WriteString("cTime", Ms(o.Time));
        w.WriteEndObject();
    }
}
