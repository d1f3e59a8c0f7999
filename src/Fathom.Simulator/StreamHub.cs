using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Fathom.Simulator;

/// <summary>
/// The simulator's WebSocket side: market streams (<c>/ws/&lt;stream&gt;</c>, <c>/stream?streams=</c>),
/// the WebSocket API (<c>/ws-api/v3</c>) and user data subscriptions on it.
/// Entry points: <see cref="Flush"/> after every exchange command (bookTicker, trades, user data),
/// <see cref="PublishDepth"/> from the diff timer, <see cref="AcceptAsync"/> from Kestrel.
/// </summary>
/// <remarks>
/// Invariants: everything that publishes runs under <see cref="SimulatorApi.Gate"/>, so a depth diff
/// and a REST snapshot are never interleaved with a half-applied command. Per symbol and depth stream,
/// diffs chain exactly: the first <c>U</c> is the symbol's update id when the hub started plus one,
/// each next <c>U</c> is the previous <c>u</c> + 1, and <c>u</c> is <see cref="SymbolBook.UpdateId"/>
/// (the REST <c>lastUpdateId</c> and bookTicker <c>u</c> counter) when the diff was cut. A diff lists
/// every price that changed in (U, u] with its quantity at u, so applying it to any snapshot with
/// U − 1 ≤ lastUpdateId &lt; u gives the book at u. Faults (dropped, duplicated, reordered diffs)
/// are applied to what is sent, never to the chain itself.
/// </remarks>
public sealed partial class StreamHub : IDisposable
{
    public const int Depth100Ms = 0, Depth1000Ms = 1;
    /// <summary>The OKX front's <c>books</c> channel batches its own changed prices (<see cref="OkxFront"/>).</summary>
    internal const int OkxBooks = 2;
    private readonly SimulatorApi _api;
    private readonly MatchingEngine _engine;
    private readonly SimulatorFaults _faults;
    private readonly Lock _connectionsLock = new();
    private StreamConnection[] _market = [];
    private StreamConnection[] _wsApi = [];
    private int _nextConnectionId;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly long[][] _lastU;
    private readonly byte[]?[][] _heldDepth;
    private readonly (long Bid, long BidQty, long Ask, long AskQty)[] _lastTicker;
    private readonly long[] _tradesSeen;
    private readonly long[] _aggTradeIds;
    private readonly string[] _lower;
    private ITimer? _timer;
    private long _ticks;

    internal StreamHub(SimulatorApi api, SimulatorFaults faults)
    {
        _api = api;
        _engine = api.Engine;
        _faults = faults;
        _json = new Utf8JsonWriter(_buffer);
        int n = _engine.Books.Count;
        _lastU = new long[n][];
        _heldDepth = new byte[]?[n][];
        _lastTicker = new (long, long, long, long)[n];
        _tradesSeen = new long[n];
        _aggTradeIds = new long[n];
        _lower = new string[n];
        for (int i = 0; i < n; i++)
        {
            var book = _engine.Books[i];
            book.TrackChanges(3);
            _lastU[i] = [book.UpdateId, book.UpdateId];
            _heldDepth[i] = new byte[]?[2];
            _lastTicker[i] = Ticker(book);
            _tradesSeen[i] = book.TradeCount;
            _aggTradeIds[i] = book.History.AggTradeCount;
            _lower[i] = book.Name.ToLowerInvariant();
        }
        InitStatistics();
    }

    /// <summary>Interval between <c>@depth@100ms</c> diffs; <c>@depth</c> goes every tenth. Setting it reschedules a running timer.</summary>
    public TimeSpan DepthInterval
    {
        get => _depthInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _depthInterval = value;
            _timer?.Change(value, value);
        }
    }

    private TimeSpan _depthInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Server ping interval and pong timeout (Binance: 20 s and 1 minute), applied by Kestrel.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(20);
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromMinutes(1);

    public int MarketConnections => Volatile.Read(ref _market).Length;
    public int WsApiConnections => Volatile.Read(ref _wsApi).Length;
    public long DepthMessagesPublished { get; private set; }
    public long DepthMessagesDropped { get; private set; }

    /// <summary>Starts the diff timer on the exchange's clock (virtual time in tests: it fires inside Advance).</summary>
    public void Start()
    {
        _timer ??= _engine.Clock.Provider.CreateTimer(static s => ((StreamHub)s!).OnTimer(), this, DepthInterval, DepthInterval);
    }

    private void OnTimer()
    {
        try
        {
            lock (_api.Gate)
            {
                long tick = ++_ticks;
                PublishDepth(Depth100Ms);
                _api.Okx.OnTick();
                if (tick % 10 == 0)
                {
                    PublishDepth(Depth1000Ms);
                    PublishStatistics();
                }
            }
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // Shutting down: a timer tick raced the disposal.
        }
    }

    private static (long, long, long, long) Ticker(SymbolBook book)
    {
        book.TryBest(OrderSide.Buy, out long bid, out long bidQty);
        book.TryBest(OrderSide.Sell, out long ask, out long askQty);
        return (bid, bidQty, ask, askQty);
    }

    // ---------------------------------------------------------------- publishing (under the gate)

    /// <summary>After each exchange command: bookTicker when the top changed, trades, user data events.</summary>
    public void Flush()
    {
        var books = _engine.Books;
        for (int i = 0; i < books.Count; i++)
        {
            var book = books[i];
            var top = Ticker(book);
            if (top != _lastTicker[i])
            {
                _lastTicker[i] = top;
                PublishBookTicker(i, book, top);
            }
            PublishTrades(i, book);
        }
        FlushUserData();
        _api.Okx.Publish(_executions);
    }

    /// <summary>Cuts one diff per symbol whose book changed since the last one on this depth stream.</summary>
    public void PublishDepth(int channel)
    {
        var books = _engine.Books;
        for (int i = 0; i < books.Count; i++)
        {
            var book = books[i];
            var bids = book.ChangedBids![channel];
            var asks = book.ChangedAsks![channel];
            if (bids.Count == 0 && asks.Count == 0)
                continue;
            long first = _lastU[i][channel] + 1, last = book.UpdateId;
            _lastU[i][channel] = last;
            var spec = book.Symbol.Spec;
            var w = Begin();
            w.WriteStartObject();
            w.WriteString("e", "depthUpdate");
            w.WriteNumber("E", _engine.Clock.UtcNowUnixMs);
            w.WriteString("s", book.Name);
            w.WriteNumber("U", first);
            w.WriteNumber("u", last);
            foreach (var (name, side, set) in (ReadOnlySpan<(string, OrderSide, HashSet<long>)>)[("b", OrderSide.Buy, bids), ("a", OrderSide.Sell, asks)])
            {
                w.WriteStartArray(name);
                long[] prices = [.. set];
                Array.Sort(prices);
                if (side == OrderSide.Buy)
                    Array.Reverse(prices);
                foreach (long price in prices)
                {
                    w.WriteStartArray();
                    WireFormat.Decimal8Value(w, price, spec.PriceDecimals);
                    WireFormat.Decimal8Value(w, book.QtyAt(side, price), spec.QtyDecimals);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                set.Clear();
            }
            w.WriteEndObject();
            byte[] payload = End();
            string stream = _lower[i] + (channel == Depth100Ms ? "@depth@100ms" : "@depth");

            if (_faults.TakeDropDepth())
            {
                DepthMessagesDropped++;
                continue;
            }
            if (_faults.TakeReorderDepth() && _heldDepth[i][channel] is null)
            {
                _heldDepth[i][channel] = payload; // goes out after the next diff
                continue;
            }
            DepthMessagesPublished++;
            PublishMarket(stream, payload);
            if (_faults.TakeDuplicateDepth())
                PublishMarket(stream, payload);
            if (_heldDepth[i][channel] is { } held)
            {
                _heldDepth[i][channel] = null;
                PublishMarket(stream, held);
            }
        }
    }

    private void PublishBookTicker(int i, SymbolBook book, (long Bid, long BidQty, long Ask, long AskQty) top)
    {
        var spec = book.Symbol.Spec;
        var w = Begin();
        w.WriteStartObject();
        w.WriteNumber("u", book.UpdateId);
        w.WriteString("s", book.Name);
        WireFormat.Decimal8(w, "b", top.Bid, spec.PriceDecimals);
        WireFormat.Decimal8(w, "B", top.BidQty, spec.QtyDecimals);
        WireFormat.Decimal8(w, "a", top.Ask, spec.PriceDecimals);
        WireFormat.Decimal8(w, "A", top.AskQty, spec.QtyDecimals);
        w.WriteEndObject();
        PublishMarket(_lower[i] + "@bookTicker", End());
    }

    /// <summary>New public trades as <c>@trade</c>, and as <c>@aggTrade</c> merged per taker order and price.</summary>
    private void PublishTrades(int i, SymbolBook book)
    {
        long seen = _tradesSeen[i], count = book.TradeCount;
        if (seen == count)
            return;
        _tradesSeen[i] = count;
        var spec = book.Symbol.Spec;
        long now = _engine.Clock.UtcNowUnixMs;
        seen = Math.Max(seen, count - SymbolBook.TradeHistory);
        for (long seq = seen; seq < count; seq++)
        {
            book.TryGetTrade(seq, out var t);
            var w = Begin();
            w.WriteStartObject();
            w.WriteString("e", "trade");
            w.WriteNumber("E", now);
            w.WriteString("s", book.Name);
            w.WriteNumber("t", t.Id);
            WireFormat.Decimal8(w, "p", t.Price, spec.PriceDecimals);
            WireFormat.Decimal8(w, "q", t.Qty, spec.QtyDecimals);
            w.WriteNumber("T", t.Time);
            w.WriteBoolean("m", t.IsBuyerMaker);
            w.WriteBoolean("M", true);
            w.WriteEndObject();
            PublishMarket(_lower[i] + "@trade", End());
        }
        // Aggregates come from the symbol's history, so stream ids are the ids REST aggTrades serves.
        var history = book.History;
        long aggCount = history.AggTradeCount;
        for (long id = Math.Max(_aggTradeIds[i] + 1, history.OldestAggTradeId); id <= aggCount; id++)
        {
            history.TryGetAggTrade(id, out var agg);
            PublishAggTrade(i, book, agg, now);
        }
        _aggTradeIds[i] = aggCount;
        PublishKlines(i, book, now);
    }

    private void PublishAggTrade(int i, SymbolBook book, in AggTradeRecord agg, long now)
    {
        var spec = book.Symbol.Spec;
        var w = Begin();
        w.WriteStartObject();
        w.WriteString("e", "aggTrade");
        w.WriteNumber("E", now);
        w.WriteString("s", book.Name);
        w.WriteNumber("a", agg.Id);
        WireFormat.Decimal8(w, "p", agg.Price, spec.PriceDecimals);
        WireFormat.Decimal8(w, "q", agg.Qty, spec.QtyDecimals);
        w.WriteNumber("f", agg.FirstTradeId);
        w.WriteNumber("l", agg.LastTradeId);
        w.WriteNumber("T", agg.Time);
        w.WriteBoolean("m", agg.IsBuyerMaker);
        w.WriteBoolean("M", true);
        w.WriteEndObject();
        PublishMarket(_lower[i] + "@aggTrade", End());
    }

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

    /// <summary>Sends a payload to every market connection subscribed to the stream (combined ones get the envelope).</summary>
    private void PublishMarket(string stream, byte[] payload)
    {
        if (_faults.SilentStreams)
            return;
        byte[]? wrapped = null;
        foreach (var c in Volatile.Read(ref _market))
        {
            if (!c.IsSubscribed(stream))
                continue;
            c.Send(c.Combined ? wrapped ??= Wrap(stream, payload) : payload);
        }
    }

    private static byte[] Wrap(string stream, byte[] payload)
    {
        byte[] head = Encoding.UTF8.GetBytes("{\"stream\":\"" + stream + "\",\"data\":");
        var frame = new byte[head.Length + payload.Length + 1];
        head.CopyTo(frame, 0);
        payload.CopyTo(frame, head.Length);
        frame[^1] = (byte)'}';
        return frame;
    }

    /// <summary>
    /// Tells every market connection the server is about to go away (<c>serverShutdown</c>; combined
    /// streams <c>!serverShutdown</c>), then closes them after <paramref name="grace"/> if given.
    /// </summary>
    public void SendServerShutdown(TimeSpan? grace = null)
    {
        long now = _engine.Clock.UtcNowUnixMs;
        byte[] payload = Encoding.UTF8.GetBytes($"{{\"e\":\"serverShutdown\",\"E\":{now}}}");
        var connections = Volatile.Read(ref _market);
        foreach (var c in connections)
            c.Send(c.Combined ? Wrap("!serverShutdown", payload) : payload);
        if (grace is { } g)
        {
            _ = Task.Run(async () =>
            {
                await Task.Delay(g).ConfigureAwait(false);
                foreach (var c in connections)
                    c.Close();
            });
        }
    }

    /// <summary>Drops every market-stream connection at once (no close handshake): clients see a network failure. OKX public connections too.</summary>
    public int DisconnectMarketStreams()
    {
        var connections = Volatile.Read(ref _market);
        foreach (var c in connections)
            c.Abort();
        return connections.Length + _api.Okx.Disconnect(isPrivate: false);
    }

    /// <summary>Drops every WebSocket API connection at once, and the OKX private connections.</summary>
    public int DisconnectWsApi()
    {
        var connections = Volatile.Read(ref _wsApi);
        foreach (var c in connections)
            c.Abort();
        return connections.Length + _api.Okx.Disconnect(isPrivate: true);
    }

    // ---------------------------------------------------------------- connections

    /// <summary>Kestrel entry for WebSocket paths; false when the path is not one of ours.</summary>
    public static bool IsWebSocketPath(PathString path) =>
        path.StartsWithSegments("/ws") || path.StartsWithSegments("/stream") || path.StartsWithSegments("/ws-api/v3");

    public async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        var path = context.Request.Path;
        string ip = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (path.StartsWithSegments("/ws-api/v3"))
        {
            await RunWsApiAsync(context, ip).ConfigureAwait(false);
            return;
        }
        List<string> streams = [];
        bool combined;
        if (path.StartsWithSegments("/stream", out _))
        {
            combined = true;
            if (context.Request.Query["streams"].FirstOrDefault() is { Length: > 0 } list)
                streams.AddRange(list.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        else
        {
            combined = false;
            path.StartsWithSegments("/ws", out var rest);
            streams.AddRange((rest.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries));
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new StreamConnection(Interlocked.Increment(ref _nextConnectionId), socket, combined, ip, () => _faults.MarketDataLag);
        foreach (var s in streams)
            connection.Subscribe(NormalizeStream(s));
        Add(ref _market, connection);
        try
        {
            Task send = connection.SendLoopAsync(context.RequestAborted);
            while (await connection.ReceiveAsync(context.RequestAborted).ConfigureAwait(false) is { } message)
                HandleControl(connection, message);
            connection.Close();
            await send.ConfigureAwait(false);
        }
        finally
        {
            Remove(ref _market, connection);
        }
    }

    /// <summary>
    /// Stream names are case-sensitive after the symbol (<c>bookTicker</c>, <c>aggTrade</c>); the symbol is
    /// lowercase. All-market streams (<c>!miniTicker@arr</c>) have no symbol and are kept as sent.
    /// </summary>
    internal static string NormalizeStream(string stream)
    {
        if (stream.StartsWith('!'))
            return stream;
        int at = stream.IndexOf('@');
        return at < 0 ? stream.ToLowerInvariant() : stream[..at].ToLowerInvariant() + stream[at..];
    }

    /// <summary>SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS (EXCHANGES.md §1.2): <c>{"result":null,"id":1}</c>.</summary>
    private static void HandleControl(StreamConnection connection, string message)
    {
        JsonElement id = default;
        string answer;
        try
        {
            using var doc = JsonDocument.Parse(message);
            var root = doc.RootElement;
            id = root.TryGetProperty("id", out var i) ? i.Clone() : default;
            string method = root.GetProperty("method").GetString() ?? "";
            string idText = id.ValueKind == JsonValueKind.Undefined ? "null" : id.GetRawText();
            switch (method)
            {
                case "SUBSCRIBE":
                case "UNSUBSCRIBE":
                    foreach (var s in root.GetProperty("params").EnumerateArray())
                    {
                        string name = NormalizeStream(s.GetString() ?? "");
                        if (method == "SUBSCRIBE") connection.Subscribe(name); else connection.Unsubscribe(name);
                    }
                    answer = $"{{\"result\":null,\"id\":{idText}}}";
                    break;
                case "LIST_SUBSCRIPTIONS":
                    answer = $"{{\"result\":{JsonSerializer.Serialize(connection.Subscriptions())},\"id\":{idText}}}";
                    break;
                default:
                    answer = $"{{\"error\":{{\"code\":2,\"msg\":\"Invalid request: unknown method\"}},\"id\":{idText}}}";
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            answer = "{\"error\":{\"code\":3,\"msg\":\"Invalid JSON: expected value at line 1 column 1\"},\"id\":null}";
        }
        connection.Send(Encoding.UTF8.GetBytes(answer));
    }

    private void Add(ref StreamConnection[] list, StreamConnection c)
    {
        lock (_connectionsLock)
            Volatile.Write(ref list, [.. list, c]);
    }

    private void Remove(ref StreamConnection[] list, StreamConnection c)
    {
        lock (_connectionsLock)
            Volatile.Write(ref list, [.. list.Where(x => x != c)]);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
