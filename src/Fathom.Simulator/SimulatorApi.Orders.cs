using System.Text.Json;
using System.Text.RegularExpressions;

namespace Fathom.Simulator;

public sealed partial class SimulatorApi
{
    private const string ClientIdRange = "^[\\.A-Z\\:/a-z0-9_-]{1,36}$";

    [GeneratedRegex(ClientIdRange)]
    private static partial Regex ClientIdPattern();

    private enum ResponseType : byte { Ack, Result, Full }

    private readonly record struct ParsedOrder(NewOrder Order, ResponseType ResponseType);

    /// <summary>Parameter checks (-11xx) for a new order; filters and the engine come after.</summary>
    private static ParsedOrder ParseNewOrder(RequestParameters p, SymbolBook book)
    {
        var spec = book.Symbol.Spec;
        var side = p.Required("side") switch
        {
            "BUY" => OrderSide.Buy,
            "SELL" => OrderSide.Sell,
            _ => throw new BinanceException(BinanceErrors.InvalidSide),
        };
        var type = p.Required("type") switch
        {
            "LIMIT" => OrderType.Limit,
            "MARKET" => OrderType.Market,
            "LIMIT_MAKER" => OrderType.LimitMaker,
            "STOP_LOSS" or "STOP_LOSS_LIMIT" or "TAKE_PROFIT" or "TAKE_PROFIT_LIMIT" => throw new BinanceException(BinanceErrors.UnsupportedStopOrders),
            _ => throw new BinanceException(BinanceErrors.InvalidOrderType),
        };
        var tif = TimeInForce.Gtc;
        if (type == OrderType.Limit)
        {
            tif = p.Required("timeInForce") switch
            {
                "GTC" => TimeInForce.Gtc,
                "IOC" => TimeInForce.Ioc,
                "FOK" => TimeInForce.Fok,
                _ => throw new BinanceException(BinanceErrors.InvalidTif),
            };
        }
        else if (p.Has("timeInForce"))
        {
            throw new BinanceException(BinanceErrors.TifNotRequired);
        }

        long price = 0, qty = 0, quoteQty = 0;
        if (type == OrderType.Market)
        {
            if (p.Has("price"))
                throw new BinanceException(BinanceErrors.NotRequired("price"));
            bool hasQty = p.Has("quantity"), hasQuote = p.Has("quoteOrderQty");
            if (!hasQty && !hasQuote)
                throw new BinanceException(BinanceErrors.EitherMandatory("quantity", "quoteOrderQty"));
            if (hasQty && hasQuote)
                throw new BinanceException(BinanceErrors.NotRequired("quoteOrderQty"));
            if (hasQty)
                qty = ParseDecimal("quantity", p["quantity"]!, spec.QtyDecimals);
            else
                quoteQty = ParseDecimal("quoteOrderQty", p["quoteOrderQty"]!, Assets.Decimals);
            if (hasQuote && quoteQty <= 0)
                throw new BinanceException(BinanceErrors.Mandatory("quoteOrderQty"));
        }
        else
        {
            price = ParseDecimal("price", p.Required("price"), spec.PriceDecimals);
            qty = ParseDecimal("quantity", p.Required("quantity"), spec.QtyDecimals);
            if (p.Has("quoteOrderQty"))
                throw new BinanceException(BinanceErrors.NotRequired("quoteOrderQty"));
        }

        string? clientId = p["newClientOrderId"];
        if (clientId is not null && !ClientIdPattern().IsMatch(clientId))
            throw new BinanceException(BinanceErrors.IllegalChars("newClientOrderId", ClientIdRange));
        SelfTradePreventionMode? stp = p["selfTradePreventionMode"] switch
        {
            null => null,
            "NONE" => SelfTradePreventionMode.None,
            "EXPIRE_TAKER" => SelfTradePreventionMode.ExpireTaker,
            "EXPIRE_MAKER" => SelfTradePreventionMode.ExpireMaker,
            "EXPIRE_BOTH" => SelfTradePreventionMode.ExpireBoth,
            "DECREMENT" or "TRANSFER" => throw new BinanceException(BinanceErrors.For(RejectCode.StpModeNotAllowed)),
            _ => throw new BinanceException(BinanceErrors.InvalidParameter("selfTradePreventionMode")),
        };
        var resp = p["newOrderRespType"] switch
        {
            null => type is OrderType.Market or OrderType.Limit ? ResponseType.Full : ResponseType.Ack,
            "ACK" => ResponseType.Ack,
            "RESULT" => ResponseType.Result,
            "FULL" => ResponseType.Full,
            _ => throw new BinanceException(BinanceErrors.InvalidParameter("newOrderRespType")),
        };
        return new ParsedOrder(new NewOrder(book, side, type, tif, price, qty, quoteQty, clientId, stp), resp);
    }

    private void NewOrder(RequestParameters p, SimAccount account, bool test)
    {
        var book = Symbol(p);
        var parsed = ParseNewOrder(p, book);
        if (test)
        {
            var filter = MatchingEngine.CheckFilters(account, parsed.Order);
            if (filter != RejectCode.None)
                throw new BinanceException(BinanceErrors.For(filter));
            _json.WriteStartObject();
            _json.WriteEndObject();
            return;
        }
        var outcome = _engine.Place(account, parsed.Order);
        if (!outcome.Ok)
            throw new BinanceException(BinanceErrors.For(outcome.Reject));
        WriteNewOrder(_json, outcome, parsed.ResponseType, _clock.UtcNowUnixMs);
    }

    private static void WriteNewOrder(Utf8JsonWriter w, in OrderOutcome outcome, ResponseType type, long transactTime)
    {
        var o = outcome.Order!;
        var spec = o.Book.Symbol.Spec;
        w.WriteStartObject();
        w.WriteString("symbol", o.Book.Name);
        w.WriteNumber("orderId", o.OrderId);
        w.WriteNumber("orderListId", -1);
        w.WriteString("clientOrderId", o.ClientOrderId);
        w.WriteNumber("transactTime", transactTime);
        if (type != ResponseType.Ack)
        {
            WriteOrderBody(w, o);
            w.WriteNumber("workingTime", o.WorkingTime);
            w.WriteString("selfTradePreventionMode", WireFormat.Of(o.Stp));
            WritePrevented(w, o);
        }
        if (type == ResponseType.Full)
        {
            w.WriteStartArray("fills");
            foreach (var f in outcome.Fills)
            {
                w.WriteStartObject();
                WireFormat.Decimal8(w, "price", f.Price, spec.PriceDecimals);
                WireFormat.Decimal8(w, "qty", f.Qty, spec.QtyDecimals);
                WireFormat.Decimal8(w, "commission", f.Commission, Assets.Decimals);
                w.WriteString("commissionAsset", f.CommissionAsset);
                w.WriteNumber("tradeId", f.TradeId);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WritePrevented(Utf8JsonWriter w, SimOrder o)
    {
        if (o.PreventedMatchId < 0)
            return;
        w.WriteNumber("preventedMatchId", o.PreventedMatchId);
        WireFormat.Decimal8(w, "preventedQuantity", o.PreventedQty, o.Book.Symbol.Spec.QtyDecimals);
    }

    private static void WriteOrderBody(Utf8JsonWriter w, SimOrder o)
    {
        var spec = o.Book.Symbol.Spec;
        WireFormat.Decimal8(w, "price", o.Price, spec.PriceDecimals);
        WireFormat.Decimal8(w, "origQty", o.OrigQty, spec.QtyDecimals);
        WireFormat.Decimal8(w, "executedQty", o.ExecutedQty, spec.QtyDecimals);
        WireFormat.Decimal8(w, "origQuoteOrderQty", o.OrigQuoteOrderQty, Assets.Decimals);
        WireFormat.Decimal8(w, "cummulativeQuoteQty", o.CumulativeQuoteQty, Assets.Decimals);
        w.WriteString("status", WireFormat.Of(o.Status));
        w.WriteString("timeInForce", WireFormat.Of(o.TimeInForce));
        w.WriteString("type", WireFormat.Of(o.Type));
        w.WriteString("side", WireFormat.Of(o.Side));
    }

    private static void WriteQueriedOrder(Utf8JsonWriter w, SimOrder o)
    {
        w.WriteStartObject();
        w.WriteString("symbol", o.Book.Name);
        w.WriteNumber("orderId", o.OrderId);
        w.WriteNumber("orderListId", -1);
        w.WriteString("clientOrderId", o.ClientOrderId);
        WriteOrderBody(w, o);
        w.WriteString("stopPrice", "0.00000000");
        w.WriteString("icebergQty", "0.00000000");
        w.WriteNumber("time", o.Time);
        w.WriteNumber("updateTime", o.UpdateTime);
        w.WriteBoolean("isWorking", true);
        w.WriteNumber("workingTime", o.WorkingTime);
        w.WriteString("selfTradePreventionMode", WireFormat.Of(o.Stp));
        WritePrevented(w, o);
        w.WriteEndObject();
    }

    private static void WriteCanceled(Utf8JsonWriter w, SimOrder o, string origClientOrderId, string cancelClientOrderId, long transactTime)
    {
        w.WriteStartObject();
        w.WriteString("symbol", o.Book.Name);
        w.WriteString("origClientOrderId", origClientOrderId);
        w.WriteNumber("orderId", o.OrderId);
        w.WriteNumber("orderListId", -1);
        w.WriteString("clientOrderId", cancelClientOrderId);
        w.WriteNumber("transactTime", transactTime);
        WriteOrderBody(w, o);
        w.WriteString("selfTradePreventionMode", WireFormat.Of(o.Stp));
        w.WriteEndObject();
    }

    private readonly record struct CancelTarget(long OrderId, string? OrigClientOrderId, string CancelClientOrderId, CancelRestrictions Restrictions);

    private CancelTarget ParseCancel(RequestParameters p, string orderIdName, string clientIdName, string newIdName)
    {
        long orderId = ParseLong(p, orderIdName, 0);
        string? orig = p[clientIdName];
        if (orderId <= 0 && orig is null)
            throw new BinanceException(BinanceErrors.EitherMandatory(orderIdName, clientIdName));
        string? newId = p[newIdName];
        if (newId is not null && !ClientIdPattern().IsMatch(newId))
            throw new BinanceException(BinanceErrors.IllegalChars(newIdName, ClientIdRange));
        var restrictions = p["cancelRestrictions"] switch
        {
            null => CancelRestrictions.None,
            "ONLY_NEW" => CancelRestrictions.OnlyNew,
            "ONLY_PARTIALLY_FILLED" => CancelRestrictions.OnlyPartiallyFilled,
            _ => throw new BinanceException(BinanceErrors.InvalidCancelRestrictions),
        };
        return new CancelTarget(orderId, orig, newId ?? _engine.NewClientOrderId(), restrictions);
    }

    private void CancelOrder(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        var target = ParseCancel(p, "orderId", "origClientOrderId", "newClientOrderId");
        var outcome = _engine.Cancel(account, book, target.OrderId, target.OrigClientOrderId, target.Restrictions, target.CancelClientOrderId);
        if (!outcome.Ok)
            throw new BinanceException(BinanceErrors.For(outcome.Reject));
        WriteCanceled(_json, outcome.Order!, outcome.Order!.ClientOrderId, target.CancelClientOrderId, _clock.UtcNowUnixMs);
    }

    private void QueryOrder(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        long orderId = ParseLong(p, "orderId", 0);
        string? orig = p["origClientOrderId"];
        if (orderId <= 0 && orig is null)
            throw new BinanceException(BinanceErrors.EitherMandatory("orderId", "origClientOrderId"));
        var order = MatchingEngine.Find(account, book, orderId, orig)
            ?? throw new BinanceException(BinanceErrors.For(RejectCode.NoSuchOrder));
        WriteQueriedOrder(_json, order);
    }

    private void OpenOrders(RequestParameters p, SimAccount account)
    {
        var books = p.Has("symbol") ? [Symbol(p)] : _engine.Books;
        _json.WriteStartArray();
        foreach (var book in books)
            foreach (var o in book.OpenOrdersOf(account))
                WriteQueriedOrder(_json, o);
        _json.WriteEndArray();
    }

    /// <summary>
    /// <c>GET /api/v3/allOrders</c>: the account's orders on one symbol, open, filled, cancelled or expired,
    /// oldest first, at most <c>limit</c> (default 500, at most 1000). As on Binance: with <c>orderId</c>, the
    /// orders from that id on; otherwise the most recent ones; <c>startTime</c>/<c>endTime</c> (ms) bound the
    /// order's creation time, and with <c>startTime</c> the list runs forward from it.
    /// </summary>
    private void AllOrders(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        long orderId = ParseLong(p, "orderId", 0);
        long limit = ParseLong(p, "limit", 500);
        if (limit is < 1 or > 1000)
            throw new BinanceException(BinanceErrors.InvalidParameter("limit"));
        bool hasStart = p.Has("startTime");
        long start = ParseLong(p, "startTime", 0), end = ParseLong(p, "endTime", long.MaxValue);
        var orders = book.OrdersOf(account);
        var selected = new List<SimOrder>();
        if (orderId > 0 || hasStart)
        {
            // Forward from the first order at or after orderId (ids ascend along the list).
            int lo = 0, hi = orders.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (orders[mid].OrderId < orderId)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (int i = lo; i < orders.Count && selected.Count < limit; i++)
                if (orders[i].Time >= start && orders[i].Time <= end)
                    selected.Add(orders[i]);
        }
        else
        {
            // The most recent ones, answered oldest first.
            for (int i = orders.Count - 1; i >= 0 && selected.Count < limit; i--)
                if (orders[i].Time >= start && orders[i].Time <= end)
                    selected.Add(orders[i]);
            selected.Reverse();
        }
        _json.WriteStartArray();
        foreach (var o in selected)
            WriteQueriedOrder(_json, o);
        _json.WriteEndArray();
    }

    private void CancelOpenOrders(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        long now = _clock.UtcNowUnixMs;
        int open = account.OpenOrderCount(book);
        if (open == 0)
            throw new BinanceException(BinanceErrors.For(RejectCode.UnknownOrder));
        var cancelIds = new string[open];
        for (int i = 0; i < open; i++)
            cancelIds[i] = _engine.NewClientOrderId();
        var canceled = _engine.CancelAll(account, book, cancelIds);
        _json.WriteStartArray();
        for (int i = 0; i < canceled.Count; i++)
            WriteCanceled(_json, canceled[i], canceled[i].ClientOrderId, cancelIds[i], now);
        _json.WriteEndArray();
    }

    /// <summary>
    /// Cancel then place, atomically (one lock). STOP_ON_FAILURE skips the new order when the cancel
    /// fails (400 -2022); ALLOW_FAILURE tries it anyway. One half failing is 409 -2021 (EXCHANGES.md §3.2).
    /// </summary>
    private void CancelReplace(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        bool allowFailure = p.Required("cancelReplaceMode") switch
        {
            "STOP_ON_FAILURE" => false,
            "ALLOW_FAILURE" => true,
            _ => throw new BinanceException(BinanceErrors.InvalidParameter("cancelReplaceMode")),
        };
        var target = ParseCancel(p, "cancelOrderId", "cancelOrigClientOrderId", "cancelNewClientOrderId");
        var parsed = ParseNewOrder(p, book);
        long now = _clock.UtcNowUnixMs;

        var cancel = _engine.Cancel(account, book, target.OrderId, target.OrigClientOrderId, target.Restrictions, target.CancelClientOrderId);
        // Capture the cancel report before Place reuses the engine's buffers.
        SimOrder? canceled = cancel.Order;
        string? canceledClientId = canceled?.ClientOrderId;
        OrderOutcome? placed = null;
        if (cancel.Ok || allowFailure)
            placed = _engine.Place(account, parsed.Order);

        bool newOk = placed is { Ok: true };
        var w = _json;
        if (cancel.Ok && newOk)
        {
            w.WriteStartObject();
            w.WriteString("cancelResult", "SUCCESS");
            w.WriteString("newOrderResult", "SUCCESS");
            w.WritePropertyName("cancelResponse");
            WriteCanceled(w, canceled!, canceledClientId!, target.CancelClientOrderId, now);
            w.WritePropertyName("newOrderResponse");
            WriteNewOrder(w, placed!.Value, parsed.ResponseType, now);
            w.WriteEndObject();
            return;
        }
        bool partial = cancel.Ok || newOk;
        _status = partial ? 409 : 400;
        w.WriteStartObject();
        w.WriteNumber("code", partial ? -2021 : -2022);
        w.WriteString("msg", partial ? "Order cancel-replace partially failed." : "Order cancel-replace failed.");
        w.WriteStartObject("data");
        w.WriteString("cancelResult", cancel.Ok ? "SUCCESS" : "FAILURE");
        w.WriteString("newOrderResult", placed is null ? "NOT_ATTEMPTED" : newOk ? "SUCCESS" : "FAILURE");
        w.WritePropertyName("cancelResponse");
        if (cancel.Ok)
            WriteCanceled(w, canceled!, canceledClientId!, target.CancelClientOrderId, now);
        else
            WriteError(w, BinanceErrors.For(cancel.Reject));
        w.WritePropertyName("newOrderResponse");
        if (placed is null)
            w.WriteNullValue();
        else if (newOk)
            WriteNewOrder(w, placed.Value, parsed.ResponseType, now);
        else
            WriteError(w, BinanceErrors.For(placed.Value.Reject));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private void Amend(RequestParameters p, SimAccount account)
    {
        var book = Symbol(p);
        long orderId = ParseLong(p, "orderId", 0);
        string? orig = p["origClientOrderId"];
        if (orderId <= 0 && orig is null)
            throw new BinanceException(BinanceErrors.EitherMandatory("orderId", "origClientOrderId"));
        long newQty = ParseDecimal("newQty", p.Required("newQty"), book.Symbol.Spec.QtyDecimals);
        string? newId = p["newClientOrderId"];
        if (newId is not null && !ClientIdPattern().IsMatch(newId))
            throw new BinanceException(BinanceErrors.IllegalChars("newClientOrderId", ClientIdRange));
        var outcome = _engine.AmendKeepPriority(account, book, orderId, orig, newQty, newId);
        if (!outcome.Ok)
            throw new BinanceException(BinanceErrors.For(outcome.Reject));
        var o = outcome.Order!;
        var w = _json;
        w.WriteStartObject();
        w.WriteNumber("transactTime", o.UpdateTime);
        w.WriteNumber("executionId", book.UpdateId);
        w.WriteStartObject("amendedOrder");
        w.WriteString("symbol", book.Name);
        w.WriteNumber("orderId", o.OrderId);
        w.WriteNumber("orderListId", -1);
        w.WriteString("origClientOrderId", orig ?? o.ClientOrderId);
        w.WriteString("clientOrderId", o.ClientOrderId);
        WireFormat.Decimal8(w, "price", o.Price, book.Symbol.Spec.PriceDecimals);
        WireFormat.Decimal8(w, "qty", o.OrigQty, book.Symbol.Spec.QtyDecimals);
        WireFormat.Decimal8(w, "executedQty", o.ExecutedQty, book.Symbol.Spec.QtyDecimals);
        WireFormat.Decimal8(w, "preventedQty", o.PreventedQty, book.Symbol.Spec.QtyDecimals);
        WireFormat.Decimal8(w, "quoteOrderQty", o.OrigQuoteOrderQty, Assets.Decimals);
        WireFormat.Decimal8(w, "cumulativeQuoteQty", o.CumulativeQuoteQty, Assets.Decimals);
        w.WriteString("status", WireFormat.Of(o.Status));
        w.WriteString("timeInForce", WireFormat.Of(o.TimeInForce));
        w.WriteString("type", WireFormat.Of(o.Type));
        w.WriteString("side", WireFormat.Of(o.Side));
        w.WriteNumber("workingTime", o.WorkingTime);
        w.WriteString("selfTradePreventionMode", WireFormat.Of(o.Stp));
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
