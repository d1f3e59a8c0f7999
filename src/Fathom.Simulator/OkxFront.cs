using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Microsoft.AspNetCore.Http;

namespace Fathom.Simulator;

/// <summary>
/// The OKX v5 front of the simulator: the same matching engine, accounts and API keys as the Binance
/// front, spoken in OKX's wire format (EXCHANGES.md §8). An instrument <c>BASE-QUOTE</c> is the simulator
/// symbol <c>BASEQUOTE</c>, so one book is visible, and tradable, through both fronts.
/// Entry points: <see cref="HandleAsync"/> (REST <c>/api/v5/…</c>, partials <c>.Orders</c>),
/// <see cref="AcceptAsync"/> (<c>/ws/v5/public</c>, <c>/ws/v5/private</c>, partial <c>.Streams</c>),
/// <see cref="Publish"/> and <see cref="OnTick"/> from the stream hub under the gate.
/// </summary>
/// <remarks>
/// Every request runs under <see cref="SimulatorApi.Gate"/>, like the Binance front, and everything it
/// changes is published by <see cref="StreamHub.Flush"/> before the gate is released. Check order (REST):
/// rate-limit fault → route → credentials (50103/50104/50106/50107) → timestamp (50112, 50102 beyond
/// 30 s) → key (50111) → passphrase (50105) → signature (50113) → body (50000/50002) → parameters
/// (50014/51000) → order rate limit (50011) → filters and engine (51xxx per order).
/// </remarks>
public sealed partial class OkxFront
{
    /// <summary>OKX rejects a request whose timestamp is more than 30 s from server time (REST and WS login).</summary>
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromSeconds(30);
    /// <summary>Instrument id codes are this plus the symbol's position in the configuration.</summary>
    public const long InstIdCodeBase = 100_001;

    private readonly SimulatorApi _api;
    private readonly MatchingEngine _engine;
    private readonly Dictionary<string, SymbolBook> _byInstId = new(StringComparer.Ordinal);
    private readonly Dictionary<long, SymbolBook> _byCode = [];
    private readonly string[] _instIds;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;

    internal OkxFront(SimulatorApi api)
    {
        _api = api;
        _engine = api.Engine;
        _json = new Utf8JsonWriter(_buffer);
        var books = _engine.Books;
        _instIds = new string[books.Count];
        for (int i = 0; i < books.Count; i++)
        {
            var book = books[i];
            _instIds[i] = book.Symbol.BaseAsset + "-" + book.Symbol.QuoteAsset;
            _byInstId.Add(_instIds[i], book);
            _byCode.Add(InstIdCodeBase + i, book);
        }
        InitStreams();
    }

    /// <summary>The OKX instrument id of a simulator symbol (<c>BTCUSDT</c> → <c>BTC-USDT</c>).</summary>
    public string InstId(SymbolBook book) => _instIds[book.Index];

    /// <summary>The integer instrument code OKX's <c>instIdCode</c> carries for the symbol.</summary>
    public static long InstIdCode(SymbolBook book) => InstIdCodeBase + book.Index;

    public static bool IsRestPath(PathString path) => path.StartsWithSegments("/api/v5");

    // ---------------------------------------------------------------- REST transport

    private enum Auth : byte { None, Signed }

    private delegate void RestHandler(OkxFront front, Request r);

    /// <summary><paramref name="Engine"/>: goes through the matching engine (held by VenueDelay; ack faults apply).</summary>
    private readonly record struct Route(Auth Auth, RestHandler Handle, bool Engine = false);

    private static readonly Dictionary<(string Method, string Path), Route> s_routes = new()
    {
        [("GET", "/api/v5/public/time")] = new(Auth.None, static (f, r) => f.Time()),
        [("GET", "/api/v5/public/instruments")] = new(Auth.None, static (f, r) => f.Instruments(r)),
        [("GET", "/api/v5/market/books")] = new(Auth.None, static (f, r) => f.Books(r)),
        [("GET", "/api/v5/market/ticker")] = new(Auth.None, static (f, r) => f.Tickers(r, single: true)),
        [("GET", "/api/v5/market/tickers")] = new(Auth.None, static (f, r) => f.Tickers(r, single: false)),
        [("GET", "/api/v5/market/trades")] = new(Auth.None, static (f, r) => f.PublicTrades(r)),
        [("POST", "/api/v5/trade/order")] = new(Auth.Signed, static (f, r) => f.RestOrders(r, OrderOp.Place, batch: false), Engine: true),
        [("POST", "/api/v5/trade/batch-orders")] = new(Auth.Signed, static (f, r) => f.RestOrders(r, OrderOp.Place, batch: true), Engine: true),
        [("POST", "/api/v5/trade/cancel-order")] = new(Auth.Signed, static (f, r) => f.RestOrders(r, OrderOp.Cancel, batch: false), Engine: true),
        [("POST", "/api/v5/trade/cancel-batch-orders")] = new(Auth.Signed, static (f, r) => f.RestOrders(r, OrderOp.Cancel, batch: true), Engine: true),
        [("POST", "/api/v5/trade/amend-order")] = new(Auth.Signed, static (f, r) => f.RestOrders(r, OrderOp.Amend, batch: false), Engine: true),
        [("POST", "/api/v5/trade/amend-batch-orders")] = new(Auth.Signed, static (f, r) => f.RestOrders(r, OrderOp.Amend, batch: true), Engine: true),
        [("GET", "/api/v5/trade/order")] = new(Auth.Signed, static (f, r) => f.QueryOrder(r)),
        [("GET", "/api/v5/trade/orders-pending")] = new(Auth.Signed, static (f, r) => f.ListOrders(r, open: true)),
        [("GET", "/api/v5/trade/orders-history")] = new(Auth.Signed, static (f, r) => f.ListOrders(r, open: false)),
        [("GET", "/api/v5/trade/fills")] = new(Auth.Signed, static (f, r) => f.Fills(r)),
        [("GET", "/api/v5/account/balance")] = new(Auth.Signed, static (f, r) => f.Balance(r)),
    };

    /// <summary>One REST request: its query values (GET) or JSON body (POST), and the authenticated account.</summary>
    private sealed class Request
    {
        public required Dictionary<string, string> Query { get; init; }
        public JsonElement Body { get; init; }
        public SimAccount? Account { get; set; }
        public long InTimeUs { get; init; }
        public string? Get(string name) => Query.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
    }

    /// <summary>An answer: status and body, or a fault that hides the answer from the client.</summary>
    public readonly record struct Response(int Status, byte[] Body, AckFault Fault = AckFault.None);

    /// <summary>Kestrel entry: reads the body and the OK-ACCESS-* headers, applies the delay faults, answers JSON.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        long arrived = System.Diagnostics.Stopwatch.GetTimestamp();
        var request = context.Request;
        string body = "";
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }
        string path = request.Path.Value ?? "";
        bool engine = s_routes.TryGetValue((request.Method, path), out var route) && route.Engine;
        var faults = _api.Faults;
        if (faults.RequestDelay > TimeSpan.Zero || (engine && faults.VenueDelay > TimeSpan.Zero))
            await SimulatorFaults.HoldAsync(arrived, () => faults.RequestDelay + (engine ? faults.VenueDelay : TimeSpan.Zero)).ConfigureAwait(false);
        var h = request.Headers;
        var credentials = new Credentials(h["OK-ACCESS-KEY"].FirstOrDefault(), h["OK-ACCESS-SIGN"].FirstOrDefault(),
            h["OK-ACCESS-TIMESTAMP"].FirstOrDefault(), h["OK-ACCESS-PASSPHRASE"].FirstOrDefault());
        var answer = Handle(request.Method, path, request.QueryString.Value ?? "", body, credentials);
        if (answer.Fault != AckFault.None)
        {
            // The order was executed; the client never learns it from this answer.
            if (answer.Fault == AckFault.Timeout)
            {
                try { await Task.Delay(faults.TimeoutHang, context.RequestAborted).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
            context.Abort();
            return;
        }
        if (engine && faults.AckDelay > TimeSpan.Zero)
            await Task.Delay(faults.AckDelay, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The four OKX REST credentials as sent (any may be missing).</summary>
    public readonly record struct Credentials(string? Key, string? Sign, string? Timestamp, string? Passphrase);

    /// <summary>Handles one REST request end to end (transport-free: tests may call it directly).</summary>
    public Response Handle(string method, string path, string rawQuery, string body, Credentials credentials)
    {
        lock (_api.Gate)
        {
            try
            {
                return Execute(method, path, rawQuery, body, credentials);
            }
            finally
            {
                _api.Streams.Flush();
            }
        }
    }

    private Response Execute(string method, string path, string rawQuery, string body, Credentials credentials)
    {
        long inTimeUs = NowUs;
        try
        {
            if (_api.Faults.TakeRateLimit())
                throw new OkxException(OkxErrors.RateLimit);
            if (!s_routes.TryGetValue((method, path), out var route))
                throw new OkxException(s_routes.Keys.Any(k => k.Path == path) ? OkxErrors.MethodNotAllowed : OkxErrors.NotFound);
            SimAccount? account = null;
            if (route.Auth == Auth.Signed)
                account = Authenticate(method, path, rawQuery, body, credentials);
            JsonElement json = default;
            if (method == "POST")
            {
                if (body.Length == 0)
                    throw new OkxException(OkxErrors.BodyEmpty);
                try
                {
                    using var doc = JsonDocument.Parse(body);
                    json = doc.RootElement.Clone();
                }
                catch (JsonException)
                {
                    throw new OkxException(OkxErrors.JsonSyntax);
                }
            }
            var request = new Request { Query = ParseQuery(rawQuery), Body = json, Account = account, InTimeUs = inTimeUs };
            _status = 200;
            _accepted = false;
            Begin();
            route.Handle(this, request);
            var answer = new Response(_status, End());
            if (route.Engine && _status == 200 && _accepted)
            {
                // A missing or unknown answer does not mean rejected: the orders above were executed.
                if (_api.Faults.TakeUnknownAfterAccept())
                    return ErrorResponse(OkxErrors.Timeout);
                if (_api.Faults.TakeDropAck())
                    return answer with { Fault = AckFault.Drop };
                if (_api.Faults.TakeTimeoutAfterAccept())
                    return answer with { Fault = AckFault.Timeout };
            }
            return answer;
        }
        catch (OkxException ex)
        {
            return ErrorResponse(ex.Error);
        }
    }

    private int _status = 200;
    /// <summary>Set by order handlers when at least one order was accepted (ack faults apply only then).</summary>
    private bool _accepted;

    private Response ErrorResponse(OkxError error)
    {
        var w = Begin();
        w.WriteStartObject();
        w.WriteString("code", error.Code);
        w.WriteString("msg", error.Message);
        w.WriteStartArray("data");
        w.WriteEndArray();
        w.WriteEndObject();
        return new Response(error.HttpStatus, End());
    }

    private static Dictionary<string, string> ParseQuery(string rawQuery)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string q = rawQuery.StartsWith('?') ? rawQuery[1..] : rawQuery;
        foreach (string pair in q.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string k = Uri.UnescapeDataString((eq < 0 ? pair : pair[..eq]).Replace('+', ' '));
            string v = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            values.TryAdd(k, v);
        }
        return values;
    }

    // ---------------------------------------------------------------- authentication

    /// <summary>
    /// OKX REST signing (EXCHANGES.md §8.5): Base64(HMAC-SHA256(secret, timestamp + METHOD + requestPath
    /// (+ "?" + query as sent, GET) + body as sent)); timestamp ISO-8601 with milliseconds, within 30 s.
    /// </summary>
    private SimAccount Authenticate(string method, string path, string rawQuery, string body, Credentials c)
    {
        if (string.IsNullOrEmpty(c.Key))
            throw new OkxException(OkxErrors.KeyEmpty);
        if (string.IsNullOrEmpty(c.Passphrase))
            throw new OkxException(OkxErrors.PassphraseEmpty);
        if (string.IsNullOrEmpty(c.Sign))
            throw new OkxException(OkxErrors.SignEmpty);
        if (string.IsNullOrEmpty(c.Timestamp))
            throw new OkxException(OkxErrors.TimestampEmpty);
        if (!DateTimeOffset.TryParseExact(c.Timestamp, ["yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy-MM-ddTHH:mm:ssZ"], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var ts))
            throw new OkxException(OkxErrors.InvalidTimestamp);
        if ((ts - _engine.Clock.UtcNow).Duration() > TimestampTolerance)
            throw new OkxException(OkxErrors.TimestampExpired);
        if (!_api.TryGetKey(c.Key, out var key) || key.Kind != ApiKeyKind.Hmac)
            throw new OkxException(OkxErrors.InvalidKey);
        if (!key.CheckPassphrase(c.Passphrase))
            throw new OkxException(OkxErrors.PassphraseIncorrect);
        string query = rawQuery.Length == 0 || rawQuery == "?" ? "" : rawQuery.StartsWith('?') ? rawQuery : "?" + rawQuery;
        string prehash = c.Timestamp + method + path + (method == "GET" ? query : "") + body;
        if (!key.VerifyBase64(Encoding.UTF8.GetBytes(prehash), c.Sign))
            throw new OkxException(OkxErrors.InvalidSignature);
        if (!key.Account.CanTrade)
            throw new OkxException(OkxErrors.InvalidKey);
        return key.Account;
    }

    // ---------------------------------------------------------------- public REST

    private void Ok(Action<Utf8JsonWriter> data)
    {
        var w = _json;
        w.WriteStartObject();
        w.WriteString("code", "0");
        w.WriteString("msg", "");
        w.WriteStartArray("data");
        data(w);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void Time()
    {
        if (_api.Faults.TakeFailTime())
            throw new OkxException(OkxErrors.Unavailable);
        TimeOk();
    }

    private void TimeOk() => Ok(w =>
    {
        w.WriteStartObject();
        w.WriteString("ts", Ms(_engine.Clock.UtcNowUnixMs));
        w.WriteEndObject();
    });

    private void Instruments(Request r)
    {
        string instType = r.Get("instType") ?? throw new OkxException(OkxErrors.Empty("instType"));
        if (instType is not ("SPOT" or "MARGIN" or "SWAP" or "FUTURES" or "OPTION"))
            throw new OkxException(OkxErrors.Param("instType"));
        string? only = r.Get("instId");
        if (only is not null && !_byInstId.ContainsKey(only))
            throw new OkxException(OkxErrors.NoInstrument);
        // Only spot is simulated: other instrument types are valid requests with no instruments.
        Ok(w =>
        {
            if (instType != "SPOT")
                return;
            foreach (var book in _engine.Books)
            {
                if (only is not null && InstId(book) != only)
                    continue;
                WriteInstrument(w, book);
            }
        });
    }

    private void WriteInstrument(Utf8JsonWriter w, SymbolBook book)
    {
        var sym = book.Symbol;
        var spec = sym.Spec;
        w.WriteStartObject();
        w.WriteString("instType", "SPOT");
        w.WriteString("instId", InstId(book));
        w.WriteNumber("instIdCode", InstIdCode(book));
        w.WriteString("uly", "");
        w.WriteString("instFamily", "");
        w.WriteString("category", "1");
        w.WriteString("baseCcy", sym.BaseAsset);
        w.WriteString("quoteCcy", sym.QuoteAsset);
        w.WriteString("settleCcy", "");
        w.WriteString("ctVal", "");
        w.WriteString("ctMult", "");
        w.WriteString("ctValCcy", "");
        w.WriteString("optType", "");
        w.WriteString("stk", "");
        w.WriteString("listTime", "1548133413000");
        w.WriteString("expTime", "");
        w.WriteString("lever", "");
        w.WriteString("tickSz", Num(spec.TickSize.Raw, spec.PriceDecimals));
        w.WriteString("lotSz", Num(spec.StepSize.Raw, spec.QtyDecimals));
        w.WriteString("minSz", Num(Math.Max(spec.MinQty.Raw, spec.StepSize.Raw), spec.QtyDecimals));
        w.WriteString("ctType", "");
        w.WriteString("alias", "");
        w.WriteString("state", book.Status == SymbolStatus.Trading ? "live" : "suspend");
        w.WriteString("ruleType", "normal");
        w.WriteString("maxLmtSz", Num(spec.MaxQty.Raw, spec.QtyDecimals));
        w.WriteString("maxMktSz", Num(sym.MarketMaxQty != 0 ? sym.MarketMaxQty : spec.MaxQty.Raw, spec.QtyDecimals));
        w.WriteString("maxLmtAmt", Num(sym.MaxNotional, Assets.Decimals));
        w.WriteString("maxMktAmt", Num(sym.MaxNotional, Assets.Decimals));
        w.WriteString("maxTwapSz", "");
        w.WriteString("maxIcebergSz", "");
        w.WriteString("maxTriggerSz", "");
        w.WriteString("maxStopSz", "");
        w.WriteEndObject();
    }

    /// <summary>An instrument from <c>instIdCode</c> (wins when both are given) or <c>instId</c>.</summary>
    private SymbolBook Instrument(string? instId, string? instIdCode)
    {
        if (instIdCode is not null)
        {
            if (!long.TryParse(instIdCode, NumberStyles.None, CultureInfo.InvariantCulture, out long code))
                throw new OkxException(OkxErrors.Param("instIdCode"));
            return _byCode.TryGetValue(code, out var byCode) ? byCode : throw new OkxException(OkxErrors.NoInstrument);
        }
        if (instId is null)
            throw new OkxException(OkxErrors.Empty("instId"));
        return _byInstId.TryGetValue(instId, out var book) ? book : throw new OkxException(OkxErrors.NoInstrument);
    }

    private SymbolBook Instrument(Request r) => Instrument(r.Get("instId"), r.Get("instIdCode"));

    private void Books(Request r)
    {
        var book = Instrument(r);
        int sz = 1;
        if (r.Get("sz") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out sz) || sz < 1))
            throw new OkxException(OkxErrors.Param("sz"));
        sz = Math.Min(sz, BookLevels);
        Ok(w =>
        {
            w.WriteStartObject();
            WriteLevels(w, "asks", book, OrderSide.Sell, sz);
            WriteLevels(w, "bids", book, OrderSide.Buy, sz);
            w.WriteString("ts", Ms(_engine.Clock.UtcNowUnixMs));
            // The book's update id is the books channel's seqId: a REST snapshot splices into the stream.
            w.WriteNumber("seqId", book.UpdateId);
            w.WriteEndObject();
        });
    }

    private static void WriteLevels(Utf8JsonWriter w, string name, SymbolBook book, OrderSide side, int max)
    {
        var spec = book.Symbol.Spec;
        w.WriteStartArray(name);
        int n = Math.Min(max, side == OrderSide.Buy ? book.BidLevels : book.AskLevels);
        for (int i = 0; i < n; i++)
        {
            var (price, qty, orders) = book.Level(side, i);
            WriteLevel(w, Num(price, spec.PriceDecimals), Num(qty, spec.QtyDecimals), orders);
        }
        w.WriteEndArray();
    }

    private static void WriteLevel(Utf8JsonWriter w, string px, string sz, int orders)
    {
        w.WriteStartArray();
        w.WriteStringValue(px);
        w.WriteStringValue(sz);
        w.WriteStringValue("0");
        w.WriteStringValue(orders.ToString(CultureInfo.InvariantCulture));
        w.WriteEndArray();
    }

    private void Tickers(Request r, bool single)
    {
        SymbolBook? only = null;
        if (single)
            only = Instrument(r);
        else if ((r.Get("instType") ?? throw new OkxException(OkxErrors.Empty("instType"))) is not ("SPOT" or "MARGIN" or "SWAP" or "FUTURES" or "OPTION"))
            throw new OkxException(OkxErrors.Param("instType"));
        bool spot = single || r.Get("instType") == "SPOT";
        long now = _engine.Clock.UtcNowUnixMs;
        Ok(w =>
        {
            if (!spot)
                return;
            foreach (var book in _engine.Books)
            {
                if (only is not null && book != only)
                    continue;
                var spec = book.Symbol.Spec;
                int pd = spec.PriceDecimals, qd = spec.QtyDecimals;
                var stats = SimulatorApi.TickerOf(book, now);
                var k = stats.Window;
                book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
                book.TryBest(OrderSide.Sell, out long ask, out long askQty);
                w.WriteStartObject();
                w.WriteString("instType", "SPOT");
                w.WriteString("instId", InstId(book));
                w.WriteString("last", Num(stats.LastPrice, pd));
                w.WriteString("lastSz", Num(stats.LastQty, qd));
                w.WriteString("askPx", ask == 0 ? "" : Num(ask, pd));
                w.WriteString("askSz", ask == 0 ? "" : Num(askQty, qd));
                w.WriteString("bidPx", bid == 0 ? "" : Num(bid, pd));
                w.WriteString("bidSz", bid == 0 ? "" : Num(bidQty, qd));
                w.WriteString("open24h", Num(k.Trades == 0 ? stats.LastPrice : k.Open, pd));
                w.WriteString("high24h", Num(k.Trades == 0 ? stats.LastPrice : k.High, pd));
                w.WriteString("low24h", Num(k.Trades == 0 ? stats.LastPrice : k.Low, pd));
                w.WriteString("volCcy24h", Num(k.QuoteVolume, Assets.Decimals));
                w.WriteString("vol24h", Num(k.Volume, qd));
                w.WriteString("sodUtc0", Num(k.Trades == 0 ? stats.LastPrice : k.Open, pd));
                w.WriteString("sodUtc8", Num(k.Trades == 0 ? stats.LastPrice : k.Open, pd));
                w.WriteString("ts", Ms(now));
                w.WriteEndObject();
            }
        });
    }

    private void PublicTrades(Request r)
    {
        var book = Instrument(r);
        int limit = 100;
        if (r.Get("limit") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            throw new OkxException(OkxErrors.Param("limit"));
        var trades = book.RecentTrades(Math.Min(limit, 500));
        var spec = book.Symbol.Spec;
        Ok(w =>
        {
            // Newest first, as OKX lists them.
            for (int i = trades.Count - 1; i >= 0; i--)
                WriteTrade(w, book, trades[i], spec);
        });
    }

    private void WriteTrade(Utf8JsonWriter w, SymbolBook book, in TradeRecord t, InstrumentSpec spec)
    {
        w.WriteStartObject();
        w.WriteString("instId", InstId(book));
        w.WriteString("side", t.IsBuyerMaker ? "sell" : "buy"); // the taker's side
        w.WriteString("sz", Num(t.Qty, spec.QtyDecimals));
        w.WriteString("px", Num(t.Price, spec.PriceDecimals));
        w.WriteString("tradeId", t.Id.ToString(CultureInfo.InvariantCulture));
        w.WriteString("ts", Ms(t.Time));
        w.WriteString("count", "1");
        w.WriteString("source", "0");
        w.WriteEndObject();
    }

    // ---------------------------------------------------------------- account

    private void Balance(Request r)
    {
        var account = r.Account!;
        HashSet<string>? only = r.Get("ccy") is { } list ? [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries)] : null;
        long now = _engine.Clock.UtcNowUnixMs;
        Ok(w =>
        {
            w.WriteStartObject();
            w.WriteString("uTime", Ms(now));
            w.WriteString("totalEq", "");
            w.WriteString("isoEq", "");
            w.WriteString("adjEq", "");
            w.WriteString("ordFroz", "");
            w.WriteString("imr", "");
            w.WriteString("mmr", "");
            w.WriteString("mgnRatio", "");
            w.WriteString("notionalUsd", "");
            w.WriteStartArray("details");
            foreach (string ccy in _engine.AssetNames)
            {
                long free = account.Free(ccy), locked = account.Locked(ccy);
                if (only is not null ? !only.Contains(ccy) : free == 0 && locked == 0)
                    continue;
                w.WriteStartObject();
                w.WriteString("ccy", ccy);
                w.WriteString("eq", Num(free + locked, Assets.Decimals));
                w.WriteString("cashBal", Num(free + locked, Assets.Decimals));
                w.WriteString("availBal", Num(free, Assets.Decimals));
                w.WriteString("availEq", Num(free, Assets.Decimals));
                w.WriteString("frozenBal", Num(locked, Assets.Decimals));
                w.WriteString("ordFrozen", Num(locked, Assets.Decimals));
                w.WriteString("disEq", "");
                w.WriteString("eqUsd", "");
                w.WriteString("uTime", Ms(now));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    // ---------------------------------------------------------------- formatting

    private Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);
        return _json;
    }

    private byte[] End()
    {
        _json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private long NowUs => (_engine.Clock.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static string Ms(long ms) => ms.ToString(CultureInfo.InvariantCulture);

    /// <summary>A decimal as OKX writes it: no trailing fractional zeros ("60000", "0.001").</summary>
    public static string Num(long raw, int decimals)
    {
        string s = FixedPoint.ToString(raw, decimals);
        if (s.Contains('.'))
            s = s.TrimEnd('0').TrimEnd('.');
        return s;
    }
}
