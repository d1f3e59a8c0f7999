using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Fathom.Simulator;

public sealed partial class OkxFront
{
    /// <summary>Levels in a <c>books</c> snapshot and the most REST <c>market/books</c> serves.</summary>
    public const int BookLevels = 400;
    /// <summary>OKX sends a heartbeat update (prevSeqId == seqId, no levels) after this long without a change.</summary>
    public static readonly TimeSpan BookHeartbeat = TimeSpan.FromSeconds(60);
    /// <summary>OKX drops a connection that has sent nothing for this long (clients send text <c>ping</c>).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _connectionsLock = new();
    private OkxConnection[] _public = [];
    private OkxConnection[] _private = [];
    private int _nextConnection;
    private long[] _lastSeq = [];
    private long[] _lastBookPush = [];
    private (long, long, long, long)[] _lastTop = [];
    private long[] _tradesSeen = [];
    private readonly Dictionary<SimOrder, long> _feeBefore = [];

    public int PublicConnections => Volatile.Read(ref _public).Length;
    public int PrivateConnections => Volatile.Read(ref _private).Length;

    /// <summary>One OKX WebSocket: its socket, subscriptions (<c>channel:instId</c>), last message time and login.</summary>
    internal sealed class OkxConnection(StreamConnection socket, string connId, bool isPrivate, long now)
    {
        public StreamConnection Socket { get; } = socket;
        public string ConnId { get; } = connId;
        public bool IsPrivate { get; } = isPrivate;
        /// <summary>Exchange-clock ms of the last message from the client (under the gate).</summary>
        public long LastReceived { get; set; } = now;
        public SimAccount? Account { get; set; }
        public HashSet<string> Channels { get; } = new(StringComparer.Ordinal);
    }

    private void InitStreams()
    {
        int n = _engine.Books.Count;
        _lastSeq = new long[n];
        _lastBookPush = new long[n];
        _lastTop = new (long, long, long, long)[n];
        _tradesSeen = new long[n];
        long now = _engine.Clock.UtcNowUnixMs;
        for (int i = 0; i < n; i++)
        {
            var book = _engine.Books[i];
            _lastSeq[i] = book.UpdateId;
            _lastBookPush[i] = now;
            _lastTop[i] = Top(book);
            _tradesSeen[i] = book.TradeCount;
        }
    }

    private static (long, long, long, long) Top(SymbolBook book)
    {
        book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
        book.TryBest(OrderSide.Sell, out long ask, out long askQty);
        return (bid, bidQty, ask, askQty);
    }

    public static bool IsWebSocketPath(PathString path) => path == "/ws/v5/public" || path == "/ws/v5/private";

    // ---------------------------------------------------------------- publishing (under the gate)

    /// <summary>
    /// After each exchange command (<see cref="StreamHub.Flush"/>): <c>bbo-tbt</c> when the top changed,
    /// new <c>trades</c>, and the <c>orders</c> channel for the engine's execution events.
    /// </summary>
    internal void Publish(List<ExecutionEvent> executions)
    {
        var books = _engine.Books;
        for (int i = 0; i < books.Count; i++)
        {
            var book = books[i];
            var top = Top(book);
            if (top != _lastTop[i])
            {
                _lastTop[i] = top;
                PushPublic("bbo-tbt:" + _instIds[i], BboFrame(i, book));
            }
            long seen = Math.Max(_tradesSeen[i], book.TradeCount - SymbolBook.TradeHistory);
            var spec = book.Symbol.Spec;
            for (long seq = seen; seq < book.TradeCount; seq++)
            {
                book.TryGetTrade(seq, out var t);
                var w = Begin();
                w.WriteStartObject();
                WriteArg(w, "trades", _instIds[i]);
                w.WriteStartArray("data");
                WriteTrade(w, book, t, spec);
                w.WriteEndArray();
                w.WriteEndObject();
                PushPublic("trades:" + _instIds[i], End());
            }
            _tradesSeen[i] = book.TradeCount;
        }
        PublishOrders(executions);
    }

    /// <summary>Every 100 ms on the exchange clock: <c>books</c> increments, heartbeats, and idle connections dropped.</summary>
    internal void OnTick()
    {
        long now = _engine.Clock.UtcNowUnixMs;
        for (int i = 0; i < _engine.Books.Count; i++)
            PublishBooks(i, now);
        foreach (var c in Volatile.Read(ref _public).Concat(Volatile.Read(ref _private)))
        {
            if (now - c.LastReceived > (long)IdleTimeout.TotalMilliseconds)
                c.Socket.Abort();
        }
    }

    /// <summary>
    /// Cuts one <c>books</c> increment if the book changed: every price changed since the last one with its
    /// size now, <c>prevSeqId</c> the last increment's <c>seqId</c>, <c>seqId</c> the book's update id (the
    /// REST <c>seqId</c>), and the checksum of the book now. Unchanged for 60 s: a heartbeat.
    /// The chain advances whether or not anyone listens, so a REST snapshot always splices.
    /// </summary>
    private void PublishBooks(int i, long now)
    {
        var book = _engine.Books[i];
        var bids = book.ChangedBids![StreamHub.OkxBooks];
        var asks = book.ChangedAsks![StreamHub.OkxBooks];
        bool changed = bids.Count > 0 || asks.Count > 0;
        if (!changed && now - _lastBookPush[i] < (long)BookHeartbeat.TotalMilliseconds)
            return;
        long prev = _lastSeq[i], seq = book.UpdateId;
        var spec = book.Symbol.Spec;
        var w = Begin();
        w.WriteStartObject();
        WriteArg(w, "books", _instIds[i]);
        w.WriteString("action", "update");
        w.WriteStartArray("data");
        w.WriteStartObject();
        foreach (var (name, side, set) in (ReadOnlySpan<(string, OrderSide, HashSet<long>)>)[("asks", OrderSide.Sell, asks), ("bids", OrderSide.Buy, bids)])
        {
            w.WriteStartArray(name);
            long[] prices = [.. set];
            Array.Sort(prices);
            if (side == OrderSide.Buy)
                Array.Reverse(prices);
            foreach (long price in prices)
                WriteLevel(w, Num(price, spec.PriceDecimals), Num(book.QtyAt(side, price), spec.QtyDecimals), OrdersAt(book, side, price));
            w.WriteEndArray();
            set.Clear();
        }
        w.WriteString("ts", Ms(now));
        w.WriteNumber("checksum", Checksum(book));
        w.WriteNumber("prevSeqId", prev);
        w.WriteNumber("seqId", seq);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        _lastSeq[i] = seq;
        _lastBookPush[i] = now;
        PushPublic("books:" + _instIds[i], End());
    }

    private static int OrdersAt(SymbolBook book, OrderSide side, long price)
    {
        int n = side == OrderSide.Buy ? book.BidLevels : book.AskLevels;
        for (int i = 0; i < n; i++)
        {
            var level = book.Level(side, i);
            if (level.Price == price)
                return level.Orders;
            if (side == OrderSide.Buy ? level.Price < price : level.Price > price)
                break;
        }
        return 0;
    }

    /// <summary>The checksum of the book's top 25 levels per side, from the strings this channel writes.</summary>
    public static int Checksum(SymbolBook book)
    {
        var spec = book.Symbol.Spec;
        List<(string, string)> Side(OrderSide side)
        {
            int n = Math.Min(OkxChecksum.Levels, side == OrderSide.Buy ? book.BidLevels : book.AskLevels);
            var list = new List<(string, string)>(n);
            for (int i = 0; i < n; i++)
            {
                var (price, qty, _) = book.Level(side, i);
                list.Add((Num(price, spec.PriceDecimals), Num(qty, spec.QtyDecimals)));
            }
            return list;
        }
        return OkxChecksum.Compute(Side(OrderSide.Buy), Side(OrderSide.Sell));
    }

    private byte[] SnapshotFrame(int i, SymbolBook book)
    {
        var w = Begin();
        w.WriteStartObject();
        WriteArg(w, "books", _instIds[i]);
        w.WriteString("action", "snapshot");
        w.WriteStartArray("data");
        w.WriteStartObject();
        WriteLevels(w, "asks", book, OrderSide.Sell, BookLevels);
        WriteLevels(w, "bids", book, OrderSide.Buy, BookLevels);
        w.WriteString("ts", Ms(_engine.Clock.UtcNowUnixMs));
        w.WriteNumber("checksum", Checksum(book));
        w.WriteNumber("prevSeqId", -1);
        w.WriteNumber("seqId", book.UpdateId);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        return End();
    }

    private byte[] BboFrame(int i, SymbolBook book)
    {
        var w = Begin();
        w.WriteStartObject();
        WriteArg(w, "bbo-tbt", _instIds[i]);
        w.WriteStartArray("data");
        w.WriteStartObject();
        WriteLevels(w, "asks", book, OrderSide.Sell, 1);
        WriteLevels(w, "bids", book, OrderSide.Buy, 1);
        w.WriteString("ts", Ms(_engine.Clock.UtcNowUnixMs));
        w.WriteNumber("seqId", book.UpdateId);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        return End();
    }

    private static void WriteArg(Utf8JsonWriter w, string channel, string instId)
    {
        w.WriteStartObject("arg");
        w.WriteString("channel", channel);
        w.WriteString("instId", instId);
        w.WriteEndObject();
    }

    private void PushPublic(string key, byte[] frame)
    {
        if (_api.Faults.SilentStreams)
            return;
        foreach (var c in Volatile.Read(ref _public))
        {
            if (c.Channels.Contains(key))
                c.Socket.Send(frame);
        }
    }

    /// <summary>
    /// The <c>orders</c> channel: one push per execution event of a logged-in, subscribed account, in engine
    /// order. Each push shows the order as of that event (state, accFillSz, avgPx, fee so far, the fill).
    /// </summary>
    private void PublishOrders(List<ExecutionEvent> executions)
    {
        if (_orderPushesLost)
        {
            Interlocked.Add(ref _orderPushesDropped, executions.Count);
            return;
        }
        var subscribers = Volatile.Read(ref _private).Where(c => c.Account is not null && c.Channels.Count > 0).ToList();
        if (subscribers.Count == 0 || executions.Count == 0)
            return;
        // Fees accumulate on the order as fills happen; rewind to the fee before this batch, then replay it.
        _feeBefore.Clear();
        foreach (var e in executions)
        {
            if (e.Type == ExecutionType.Trade)
                _feeBefore[e.Order] = (_feeBefore.TryGetValue(e.Order, out long f) ? f : 0) + e.Commission;
        }
        foreach (var (order, sum) in _feeBefore.ToList())
            _feeBefore[order] = order.Commission - sum;
        foreach (var e in executions)
        {
            var o = e.Order;
            long fee = _feeBefore.TryGetValue(o, out long before) ? before : o.Commission;
            if (e.Type == ExecutionType.Trade)
                _feeBefore[o] = fee += e.Commission;
            var targets = subscribers.Where(c => c.Account == o.Account && (c.Channels.Contains("orders:") || c.Channels.Contains("orders:" + InstId(o.Book)))).ToList();
            if (targets.Count == 0)
                continue;
            bool trade = e.Type == ExecutionType.Trade;
            var view = new OrderView(e.Status, e.ExecutedQty, e.CumulativeQuoteQty, fee, trade ? e.LastQty : 0, trade ? e.LastPrice : 0,
                trade ? e.Commission : 0, trade ? e.CommissionAsset : null, trade ? e.TradeId : -1, e.IsMaker, e.TransactTime, e.TransactTime,
                Amended: e.Type == ExecutionType.Replaced, Event: true);
            var w = Begin();
            w.WriteStartObject();
            w.WriteStartObject("arg");
            w.WriteString("channel", "orders");
            w.WriteString("instType", "SPOT");
            w.WriteString("uid", o.Account.Id.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteStartArray("data");
            WriteOrder(w, o, view);
            w.WriteEndArray();
            w.WriteEndObject();
            byte[] frame = End();
            foreach (var c in targets)
                c.Socket.Send(frame);
        }
    }

    // ---------------------------------------------------------------- connections

    public async Task AcceptAsync(HttpContext context)
    {
        bool isPrivate = context.Request.Path == "/ws/v5/private";
        string ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        int id = Interlocked.Increment(ref _nextConnection);
        var stream = new StreamConnection(id, socket, combined: false, ip, isPrivate ? null : () => _api.Faults.MarketDataLag);
        OkxConnection connection;
        lock (_api.Gate)
            connection = new OkxConnection(stream, id.ToString("x8", CultureInfo.InvariantCulture), isPrivate, _engine.Clock.UtcNowUnixMs);
        lock (_connectionsLock)
        {
            if (isPrivate) _private = [.. _private, connection];
            else _public = [.. _public, connection];
        }
        var pipeline = new RequestPipeline(_api.WsApiDelay);
        try
        {
            Task send = stream.SendLoopAsync(context.RequestAborted);
            while (await stream.ReceiveAsync(context.RequestAborted).ConfigureAwait(false) is { } message)
            {
                var faults = _api.Faults;
                bool engine = isPrivate && IsEngineOp(message);
                if (faults.RequestDelay <= TimeSpan.Zero && (!engine || faults.VenueDelay <= TimeSpan.Zero) && pipeline.Pending == 0)
                    Receive(connection, message);
                else
                    pipeline.Submit(engine, () => Receive(connection, message));
            }
            stream.Close();
            await send.ConfigureAwait(false);
        }
        finally
        {
            lock (_connectionsLock)
            {
                if (isPrivate) _private = [.. _private.Where(c => c != connection)];
                else _public = [.. _public.Where(c => c != connection)];
            }
        }
    }

    /// <summary>Drops every OKX public (<paramref name="isPrivate"/> false) or private connection without a close handshake.</summary>
    public int Disconnect(bool isPrivate)
    {
        var list = isPrivate ? Volatile.Read(ref _private) : Volatile.Read(ref _public);
        foreach (var c in list)
            c.Socket.Abort();
        return list.Length;
    }

    private static bool IsEngineOp(string message) =>
        message.Contains("\"order\"", StringComparison.Ordinal) || message.Contains("-order", StringComparison.Ordinal)
        || message.Contains("-orders", StringComparison.Ordinal);

    /// <summary>One client message, under the gate: text <c>ping</c>, or a JSON op.</summary>
    private void Receive(OkxConnection c, string message)
    {
        lock (_api.Gate)
        {
            try
            {
                c.LastReceived = _engine.Clock.UtcNowUnixMs;
                if (message == "ping")
                {
                    c.Socket.Send("pong"u8.ToArray());
                    return;
                }
                HandleOp(c, message);
            }
            finally
            {
                _api.Streams.Flush();
            }
        }
    }

    private void HandleOp(OkxConnection c, string message)
    {
        long inTimeUs = NowUs;
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(message);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            SendError(c, null, OkxErrors.WsIllegal(message));
            return;
        }
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("op", out var opElement) || opElement.ValueKind != JsonValueKind.String)
        {
            SendError(c, null, OkxErrors.WsIllegal(message));
            return;
        }
        string? id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
        if (id is not null && !s_clOrdId.IsMatch(id))
        {
            SendError(c, null, OkxErrors.WsIllegal(message));
            return;
        }
        string op = opElement.GetString()!;
        if (!root.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Array || args.GetArrayLength() == 0
            || args.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.Object))
        {
            SendError(c, id, op is "subscribe" or "unsubscribe" or "login" ? OkxErrors.WsIllegal(message) : OkxErrors.WsInvalidArgs, op);
            return;
        }
        switch (op)
        {
            case "subscribe":
            case "unsubscribe":
                foreach (var a in args.EnumerateArray())
                    Subscribe(c, id, a, op == "subscribe", message);
                return;
            case "login":
                Login(c, id, args[0]);
                return;
            case "order":
            case "batch-orders":
            case "cancel-order":
            case "batch-cancel-orders":
            case "amend-order":
            case "batch-amend-orders":
                if (!c.IsPrivate)
                {
                    SendError(c, id, OkxErrors.WsPublicOnPrivate, op);
                    return;
                }
                if (c.Account is null)
                {
                    SendError(c, id, OkxErrors.WsPleaseLogin, op);
                    return;
                }
                WsOrders(c, id ?? "", op, args, inTimeUs);
                return;
            default:
                SendError(c, id, OkxErrors.WsBadOp(op), op);
                return;
        }
    }

    private void WsOrders(OkxConnection c, string id, string op, JsonElement args, long inTimeUs)
    {
        bool batch = op.StartsWith("batch-", StringComparison.Ordinal);
        var kind = op.Contains("cancel", StringComparison.Ordinal) ? OrderOp.Cancel : op.Contains("amend", StringComparison.Ordinal) ? OrderOp.Amend : OrderOp.Place;
        var list = args.EnumerateArray().ToList();
        byte[] frame;
        try
        {
            if (!batch && list.Count != 1)
                throw new OkxException(OkxErrors.WsInvalidArgs);
            if (list.Count > MaxBatch)
                throw new OkxException(OkxErrors.TooManyInBatch);
            var results = RunOrders(c.Account!, kind, list, batch);
            var w = Begin();
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("op", op);
            WriteOrderEnvelope(w, results, inTimeUs);
            w.WriteEndObject();
            frame = End();
            if (_accepted && _api.Faults.TakeDropAck())
                return; // executed; the answer is lost
        }
        catch (OkxException ex)
        {
            var w = Begin();
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("op", op);
            w.WriteString("code", ex.Error.Code);
            w.WriteString("msg", ex.Error.Message);
            w.WriteStartArray("data");
            w.WriteEndArray();
            w.WriteString("inTime", inTimeUs.ToString(CultureInfo.InvariantCulture));
            w.WriteString("outTime", NowUs.ToString(CultureInfo.InvariantCulture));
            w.WriteEndObject();
            frame = End();
        }
        c.Socket.Send(frame);
    }

    private void Subscribe(OkxConnection c, string? id, JsonElement arg, bool subscribe, string message)
    {
        string channel = Arg(arg, "channel") ?? "";
        string key;
        int book = -1;
        switch (channel)
        {
            case "books":
            case "bbo-tbt":
            case "trades":
            {
                if (c.IsPrivate)
                {
                    SendError(c, id, OkxErrors.WsPublicOnPrivate);
                    return;
                }
                string? instId = Arg(arg, "instId");
                if (instId is null || !_byInstId.TryGetValue(instId, out var b))
                {
                    SendError(c, id, OkxErrors.WsNoChannel($"{channel},instId:{instId}"));
                    return;
                }
                book = b.Index;
                key = channel + ":" + instId;
                break;
            }
            case "orders":
            {
                if (!c.IsPrivate)
                {
                    SendError(c, id, OkxErrors.WsPrivateOnPublic);
                    return;
                }
                if (c.Account is null)
                {
                    SendError(c, id, OkxErrors.WsPleaseLogin);
                    return;
                }
                string? instType = Arg(arg, "instType");
                if (instType is not ("SPOT" or "ANY"))
                {
                    SendError(c, id, instType is null ? OkxErrors.WsIllegal(message) : OkxErrors.WsNoChannel($"{channel},instType:{instType}"));
                    return;
                }
                string? instId = Arg(arg, "instId");
                if (instId is not null && !_byInstId.ContainsKey(instId))
                {
                    SendError(c, id, OkxErrors.WsNoChannel($"{channel},instId:{instId}"));
                    return;
                }
                key = "orders:" + instId;
                break;
            }
            default:
                SendError(c, id, OkxErrors.WsNoChannel(channel));
                return;
        }
        var w = Begin();
        w.WriteStartObject();
        if (id is not null)
            w.WriteString("id", id);
        w.WriteString("event", subscribe ? "subscribe" : "unsubscribe");
        w.WritePropertyName("arg");
        arg.WriteTo(w);
        w.WriteString("connId", c.ConnId);
        w.WriteEndObject();
        c.Socket.Send(End());
        if (!subscribe)
        {
            c.Channels.Remove(key);
            return;
        }
        if (!c.Channels.Add(key) || book < 0)
            return;
        var symbolBook = _engine.Books[book];
        if (channel == "books")
        {
            // Cut what changed since the last increment first (to the others), so this snapshot's seqId is the
            // prevSeqId of the next increment this connection gets.
            c.Channels.Remove(key);
            PublishBooks(book, _engine.Clock.UtcNowUnixMs, force: true);
            c.Channels.Add(key);
            c.Socket.Send(SnapshotFrame(book, symbolBook));
        }
        else if (channel == "bbo-tbt")
        {
            c.Socket.Send(BboFrame(book, symbolBook));
        }
    }

    private void PublishBooks(int i, long now, bool force)
    {
        var book = _engine.Books[i];
        if (force && book.ChangedBids![StreamHub.OkxBooks].Count == 0 && book.ChangedAsks![StreamHub.OkxBooks].Count == 0)
            return;
        PublishBooks(i, now);
    }

    private volatile bool _loginsBusy;
    private int _busyLoginRefusals;
    private volatile bool _orderPushesLost;
    private int _orderPushesDropped;

    /// <summary>
    /// Fault injection: while true, the <c>orders</c> channel pushes nothing (every execution event's push is lost,
    /// as on a connection that is failing); answers to order ops still go. A post-only order is then answered
    /// <c>sCode</c> 0 and never pushed <c>live</c>. Lost pushes are counted in <see cref="OrderPushesDropped"/>.
    /// </summary>
    internal bool OrderPushesLost { get => _orderPushesLost; set => _orderPushesLost = value; }

    /// <summary>Execution events not pushed while <see cref="OrderPushesLost"/> was set.</summary>
    internal int OrderPushesDropped => Volatile.Read(ref _orderPushesDropped);

    /// <summary>
    /// Fault injection: while true, every private WebSocket login is refused with 50013 "System is busy" (a venue
    /// under load), whatever its key; sessions already logged on stay. Each refusal is counted in
    /// <see cref="BusyLoginRefusals"/>.
    /// </summary>
    internal bool LoginsBusy { get => _loginsBusy; set => _loginsBusy = value; }

    /// <summary>Logins refused while <see cref="LoginsBusy"/> was set.</summary>
    internal int BusyLoginRefusals => Volatile.Read(ref _busyLoginRefusals);

    /// <summary>
    /// WS login (EXCHANGES.md §8.5): sign = Base64(HMAC-SHA256(secret, timestamp + "GET" + "/users/self/verify")),
    /// timestamp in Unix seconds within 30 s of server time. Only on <c>/ws/v5/private</c>.
    /// </summary>
    private void Login(OkxConnection c, string? id, JsonElement arg)
    {
        if (_loginsBusy)
        {
            Interlocked.Increment(ref _busyLoginRefusals);
            SendError(c, id, OkxErrors.WsSystemBusy);
            return;
        }
        string? key = Arg(arg, "apiKey"), passphrase = Arg(arg, "passphrase"), timestamp = Arg(arg, "timestamp"), sign = Arg(arg, "sign");
        if (key is null || passphrase is null || timestamp is null || sign is null)
        {
            SendError(c, id, OkxErrors.WsInvalidArgs);
            return;
        }
        if (!decimal.TryParse(timestamp, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds))
        {
            SendError(c, id, OkxErrors.WsInvalidTimestamp);
            return;
        }
        decimal now = _engine.Clock.UtcNowUnixMs / 1000m;
        if (Math.Abs(now - seconds) > (decimal)TimestampTolerance.TotalSeconds)
        {
            SendError(c, id, OkxErrors.WsTimestampExpired);
            return;
        }
        if (!_api.TryGetKey(key, out var apiKey) || apiKey.Kind != ApiKeyKind.Hmac)
        {
            SendError(c, id, OkxErrors.WsInvalidKey);
            return;
        }
        if (!apiKey.CheckPassphrase(passphrase))
        {
            SendError(c, id, OkxErrors.WsWrongPassphrase);
            return;
        }
        if (!apiKey.VerifyBase64(Encoding.UTF8.GetBytes(timestamp + "GET/users/self/verify"), sign) || !apiKey.Account.CanTrade)
        {
            SendError(c, id, OkxErrors.WsLoginFailed);
            return;
        }
        c.Account = apiKey.Account;
        var w = Begin();
        w.WriteStartObject();
        if (id is not null)
            w.WriteString("id", id);
        w.WriteString("event", "login");
        w.WriteString("code", "0");
        w.WriteString("msg", "");
        w.WriteString("connId", c.ConnId);
        w.WriteEndObject();
        c.Socket.Send(End());
    }

    /// <summary><c>{"event":"error","code","msg","connId"}</c>; for trade ops OKX answers in the op's own shape with the code.</summary>
    private void SendError(OkxConnection c, string? id, OkxError error, string? op = null)
    {
        var w = Begin();
        w.WriteStartObject();
        if (id is not null)
            w.WriteString("id", id);
        if (op is not null && op is not ("subscribe" or "unsubscribe" or "login"))
        {
            w.WriteString("op", op);
            w.WriteString("code", error.Code);
            w.WriteString("msg", error.Message);
            w.WriteStartArray("data");
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("event", "error");
            w.WriteString("code", error.Code);
            w.WriteString("msg", error.Message);
        }
        w.WriteString("connId", c.ConnId);
        w.WriteEndObject();
        c.Socket.Send(End());
    }

    /// <summary>The login signature a client computes (tests, tools): Base64(HMAC-SHA256(secret, ts + "GET/users/self/verify")).</summary>
    internal static string LoginSign(string secret, string timestampSeconds) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestampSeconds + "GET/users/self/verify")));

    /// <summary>The REST signature a client computes (tests, tools).</summary>
    internal static string RestSign(string secret, string timestamp, string method, string requestPath, string body) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + method + requestPath + body)));
}
