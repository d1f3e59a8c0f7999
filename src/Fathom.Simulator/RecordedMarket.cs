using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Fathom.Core;

namespace Fathom.Simulator;

/// <summary>What one recorded line was.</summary>
public enum RecordedEventKind
{
    Snapshot,
    Depth,
    BookTicker,
    Trade,
}

/// <summary>A recorded bookTicker: book update id, best bid and ask (raw at the symbol's decimals).</summary>
public readonly record struct RecordedBookTicker(long UpdateId, long BidPrice, long BidQty, long AskPrice, long AskQty);

/// <summary>A recorded trade: id, raw price and quantity, and whether the buyer was the maker (a sell aggressor).</summary>
public readonly record struct RecordedTrade(long Id, long Price, long Qty, bool IsBuyerMaker);

/// <summary>
/// Replays a recorded Binance spot market (hftbacktest's gzip format: one <c>&lt;recv_ns&gt; &lt;json&gt;</c>
/// line per message, combined-stream <c>depthUpdate</c>/<c>bookTicker</c>/<c>trade</c> messages and a
/// bare REST snapshot) through the matching engine, so client orders queue behind recorded liquidity.
/// Entry points: <see cref="Step"/> (one recorded message, for tests), <see cref="Start"/> (a timer
/// on the exchange clock replaying at a speed multiple of the recorded receive times).
/// </summary>
/// <remarks>
/// Recorded liquidity is held as resting orders of one account (<see cref="Account"/>, no
/// commission, funded at creation), so client orders share real FIFO queues with it and the REST
/// depth, diff streams and bookTicker show the combined book. Queue model (hftbacktest's
/// risk-averse model, exactly):
/// <list type="bullet">
/// <item>A client order joining a price queues behind all recorded quantity there.</item>
/// <item>A recorded increase joins the back of the queue (behind clients).</item>
/// <item>A recorded decrease comes off the back first, so the recorded quantity ahead of a client
/// becomes min(ahead, new recorded quantity): it shrinks only when the level drops below it.</item>
/// <item>A recorded trade at price p consumes the queue at p from the front (recorded quantity ahead,
/// then clients, then recorded quantity behind); client orders at prices strictly better than p fill
/// first, as the aggressor passed through them. The recorded level is then topped back up (behind
/// clients) to the recorded quantity until the next diff, so trades and the diff that reports them
/// do not count twice.</item>
/// <item>A recorded increase at a price a resting client order crosses trades with that client at the
/// client's price (the client is the maker).</item>
/// </list>
/// Depth diffs are synchronised like Binance's documented procedure: buffered until the snapshot, those
/// with <c>u</c> ≤ <c>lastUpdateId</c> dropped, then <c>U</c> = previous <c>u</c> + 1 or the recording is
/// rejected as gapped. Trades before the snapshot are skipped. One symbol per recording.
/// </remarks>
public sealed class RecordedMarket : IDisposable
{
    private const long RecordedBase = 1_000_000_000L * Assets.One;
    private const long RecordedQuote = 10_000_000_000L * Assets.One;

    private readonly SimulatorApi _api;
    private readonly MatchingEngine _engine;
    private readonly List<Event> _events;
    private readonly Dictionary<long, long> _bids = [];
    private readonly Dictionary<long, long> _asks = [];
    private readonly List<Event> _pending = [];
    private int _position;
    private ITimer? _timer;
    private long _startNs;
    private long _startTimestamp;
    private double _speed = 1;

    private sealed class Event
    {
        public RecordedEventKind Kind;
        public long LocalNs;
        public long FirstId, LastId;
        public (long Price, long Qty)[] Bids = [];
        public (long Price, long Qty)[] Asks = [];
        public RecordedBookTicker Ticker;
        public RecordedTrade Trade;
    }

    private RecordedMarket(SimulatorApi api, SymbolBook book, SimAccount account, List<Event> events)
    {
        _api = api;
        _engine = api.Engine;
        Book = book;
        Account = account;
        _events = events;
    }

    /// <summary>
    /// Parses the recording (files in order: a continuation file without a snapshot follows the one
    /// with it) for <paramref name="symbol"/> (null: the first stream message's symbol, which must be
    /// configured), and creates and funds the recorded-liquidity account. Nothing is replayed yet.
    /// </summary>
    public static RecordedMarket Load(SimulatorApi api, IReadOnlyList<string> paths, string? symbol = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
            throw new ArgumentException("at least one recording is needed", nameof(paths));
        symbol ??= DetectSymbol(paths[0]);
        if (!api.Engine.TryGetBook(symbol, out var book))
            throw new InvalidDataException($"the recording's symbol {symbol} is not configured in the simulator");
        var events = new List<Event>();
        foreach (string path in paths)
            Parse(path, book, events);
        lock (api.Gate)
        {
            var account = api.Engine.CreateAccount("recorded-market", 0, 0);
            api.Engine.Deposit(account, book.Symbol.BaseAsset, RecordedBase);
            api.Engine.Deposit(account, book.Symbol.QuoteAsset, RecordedQuote);
            return new RecordedMarket(api, book, account, events);
        }
    }

    /// <summary>The account holding the recorded liquidity (its orders are the recorded queue).</summary>
    public SimAccount Account { get; }
    public SymbolBook Book { get; }
    public int EventCount => _events.Count;
    /// <summary>Recorded messages processed so far.</summary>
    public int Position => _position;
    public bool IsFinished => _position >= _events.Count;
    /// <summary>The book was seeded from the snapshot and diffs apply.</summary>
    public bool IsSynced { get; private set; }
    /// <summary>The recorded book update id the replayed book is at (snapshot or last applied diff's <c>u</c>).</summary>
    public long LastUpdateId { get; private set; }
    public long DiffsApplied { get; private set; }
    public long DiffsDropped { get; private set; }
    public long TradesReplayed { get; private set; }
    /// <summary>Quantity client orders filled against recorded trades so far.</summary>
    public long ClientQtyFilled { get; private set; }
    /// <summary>The kind of the last processed message.</summary>
    public RecordedEventKind? LastKind { get; private set; }
    public RecordedBookTicker LastBookTicker { get; private set; }
    public RecordedTrade LastTrade { get; private set; }
    /// <summary>The recorder's receive time (ns since the epoch) of the next message, or of the last at the end.</summary>
    public long NextTimestampNs => _events.Count == 0 ? 0 : _events[Math.Min(_position, _events.Count - 1)].LocalNs;

    /// <summary>The recorded quantity at a price as the recording says (not reduced by client takers).</summary>
    public long RecordedQty(OrderSide side, long price)
    {
        lock (_api.Gate)
            return (side == OrderSide.Buy ? _bids : _asks).GetValueOrDefault(price);
    }

    /// <summary>Recorded quantity queued ahead of a resting client order (0 if it is not resting).</summary>
    public long QueueAhead(SimOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        lock (_api.Gate)
            return MatchingEngine.RecordedQtyAhead(Account, order);
    }

    /// <summary>Processes the next recorded message under the exchange gate and publishes; false at the end.</summary>
    public bool Step()
    {
        bool more = false;
        _api.Run(_ => more = StepLocked());
        return more;
    }

    /// <summary>
    /// Replays on a timer of the exchange clock: every <paramref name="tick"/> (default 10 ms), all
    /// messages whose receive time is within the elapsed time × <paramref name="speed"/> of the first.
    /// </summary>
    public void Start(double speed = 1, TimeSpan? tick = null)
    {
        if (!(speed > 0))
            throw new ArgumentOutOfRangeException(nameof(speed), "speed must be positive");
        lock (_api.Gate)
        {
            if (_timer is not null)
                return;
            _speed = speed;
            _startNs = NextTimestampNs;
            _startTimestamp = _engine.Clock.Provider.GetTimestamp();
            var period = tick ?? TimeSpan.FromMilliseconds(10);
            _timer = _engine.Clock.Provider.CreateTimer(static s => ((RecordedMarket)s!).OnTimer(), this, period, period);
        }
    }

    public void Stop()
    {
        lock (_api.Gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    public void Dispose() => Stop();

    private void OnTimer()
    {
        _api.Run(_ =>
        {
            if (_timer is null)
                return;
            double elapsedNs = _engine.Clock.Provider.GetElapsedTime(_startTimestamp).Ticks * 100.0 * _speed;
            long until = _startNs + (long)Math.Min(elapsedNs, long.MaxValue / 2);
            while (_position < _events.Count && _events[_position].LocalNs <= until)
                StepLocked();
            if (IsFinished)
            {
                _timer?.Dispose();
                _timer = null;
            }
        });
    }

    private bool StepLocked()
    {
        if (_position >= _events.Count)
            return false;
        var e = _events[_position++];
        LastKind = e.Kind;
        switch (e.Kind)
        {
            case RecordedEventKind.Snapshot:
                ApplySnapshot(e);
                break;
            case RecordedEventKind.Depth:
                if (IsSynced)
                    ApplyDiff(e);
                else
                    _pending.Add(e);
                break;
            case RecordedEventKind.BookTicker:
                LastBookTicker = e.Ticker;
                break;
            case RecordedEventKind.Trade:
                LastTrade = e.Trade;
                if (IsSynced)
                {
                    var t = e.Trade;
                    var takerSide = t.IsBuyerMaker ? OrderSide.Sell : OrderSide.Buy;
                    long recordedAt = (t.IsBuyerMaker ? _bids : _asks).GetValueOrDefault(t.Price);
                    ClientQtyFilled += _engine.ReplayTrade(Account, Book, takerSide, t.Price, t.Qty, recordedAt);
                    TradesReplayed++;
                }
                break;
        }
        return true;
    }

    private void ApplySnapshot(Event e)
    {
        // A snapshot replaces the recorded book: prices it does not list go to zero.
        var levels = new List<(OrderSide, long, long)>();
        foreach (var (side, map, fresh) in new[] { (OrderSide.Buy, _bids, e.Bids), (OrderSide.Sell, _asks, e.Asks) })
        {
            var listed = new HashSet<long>(fresh.Select(l => l.Price));
            foreach (long p in map.Keys)
                if (!listed.Contains(p))
                    levels.Add((side, p, 0));
            foreach (var (p, q) in fresh)
                levels.Add((side, p, q));
        }
        Apply(levels);
        LastUpdateId = e.LastId;
        IsSynced = true;
        DiffsDropped += _pending.Count;
        foreach (var d in _pending)
        {
            if (d.LastId <= LastUpdateId)
                continue;
            DiffsDropped--;
            ApplyDiff(d);
        }
        _pending.Clear();
    }

    private void ApplyDiff(Event d)
    {
        if (d.LastId <= LastUpdateId)
        {
            DiffsDropped++;
            return;
        }
        bool first = DiffsApplied == 0;
        if (first ? d.FirstId > LastUpdateId + 1 : d.FirstId != LastUpdateId + 1)
            throw new InvalidDataException($"{Book.Name}: the recording has a depth gap (U={d.FirstId} after u={LastUpdateId})");
        var levels = new List<(OrderSide, long, long)>(d.Bids.Length + d.Asks.Length);
        foreach (var (p, q) in d.Bids)
            levels.Add((OrderSide.Buy, p, q));
        foreach (var (p, q) in d.Asks)
            levels.Add((OrderSide.Sell, p, q));
        Apply(levels);
        LastUpdateId = d.LastId;
        DiffsApplied++;
    }

    /// <summary>Decreases on both sides first, then increases: the recording is never crossed, so neither is the replay.</summary>
    private void Apply(List<(OrderSide Side, long Price, long Qty)> levels)
    {
        foreach (var (side, price, qty) in levels)
        {
            var map = side == OrderSide.Buy ? _bids : _asks;
            if (qty == 0)
                map.Remove(price);
            else
                map[price] = qty;
            if (qty < MatchingEngine.RecordedQtyAt(Account, Book, side, price))
                _engine.SetRecordedLevel(Account, Book, side, price, qty);
        }
        foreach (var (side, price, qty) in levels)
            _engine.SetRecordedLevel(Account, Book, side, price, qty);
    }

    // ---------------------------------------------------------------- parsing

    private static IEnumerable<string> Lines(string path)
    {
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0)
                yield return line;
    }

    private static string DetectSymbol(string path)
    {
        foreach (string line in Lines(path))
        {
            using var doc = JsonDocument.Parse(line.AsMemory(line.IndexOf(' ') + 1));
            if (doc.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("s", out var s) && s.GetString() is { } name)
                return name;
        }
        throw new InvalidDataException($"{path}: no stream message names a symbol");
    }

    private static void Parse(string path, SymbolBook book, List<Event> events)
    {
        var spec = book.Symbol.Spec;
        string prefix = book.Name.ToLowerInvariant() + "@";
        int lineNo = 0;
        foreach (string line in Lines(path))
        {
            lineNo++;
            int space = line.IndexOf(' ');
            if (space <= 0 || !long.TryParse(line.AsSpan(0, space), out long localNs))
                throw new InvalidDataException($"{path}:{lineNo}: expected '<recv_ns> <json>'");
            using var doc = JsonDocument.Parse(line.AsMemory(space + 1));
            var root = doc.RootElement;
            if (root.TryGetProperty("lastUpdateId", out var lastId))
            {
                events.Add(new Event
                {
                    Kind = RecordedEventKind.Snapshot, LocalNs = localNs, LastId = lastId.GetInt64(),
                    Bids = Levels(root.GetProperty("bids"), spec), Asks = Levels(root.GetProperty("asks"), spec),
                });
                continue;
            }
            if (!root.TryGetProperty("stream", out var streamEl) || streamEl.GetString() is not { } stream ||
                !stream.StartsWith(prefix, StringComparison.Ordinal) || !root.TryGetProperty("data", out var data))
                continue;
            string channel = stream[prefix.Length..];
            if (channel.StartsWith("depth", StringComparison.Ordinal))
            {
                events.Add(new Event
                {
                    Kind = RecordedEventKind.Depth, LocalNs = localNs,
                    FirstId = data.GetProperty("U").GetInt64(), LastId = data.GetProperty("u").GetInt64(),
                    Bids = Levels(data.GetProperty("b"), spec), Asks = Levels(data.GetProperty("a"), spec),
                });
            }
            else if (channel == "bookTicker")
            {
                events.Add(new Event
                {
                    Kind = RecordedEventKind.BookTicker, LocalNs = localNs,
                    Ticker = new RecordedBookTicker(data.GetProperty("u").GetInt64(),
                        Price(data.GetProperty("b"), spec), Qty(data.GetProperty("B"), spec),
                        Price(data.GetProperty("a"), spec), Qty(data.GetProperty("A"), spec)),
                });
            }
            else if (channel == "trade")
            {
                events.Add(new Event
                {
                    Kind = RecordedEventKind.Trade, LocalNs = localNs,
                    Trade = new RecordedTrade(data.GetProperty("t").GetInt64(), Price(data.GetProperty("p"), spec),
                        Qty(data.GetProperty("q"), spec), data.GetProperty("m").GetBoolean()),
                });
            }
        }
    }

    private static (long, long)[] Levels(JsonElement array, InstrumentSpec spec)
    {
        var levels = new (long, long)[array.GetArrayLength()];
        int i = 0;
        foreach (var level in array.EnumerateArray())
            levels[i++] = (Price(level[0], spec), Qty(level[1], spec));
        return levels;
    }

    private static long Price(JsonElement e, InstrumentSpec spec)
    {
        long raw = Decimal(e, spec.PriceDecimals, "price", spec.Symbol);
        if (raw % spec.TickSize.Raw != 0)
            throw new InvalidDataException($"{spec.Symbol}: recorded price {e} is off the tick {spec.TickSize.Raw}");
        return raw;
    }

    private static long Qty(JsonElement e, InstrumentSpec spec)
    {
        long raw = Decimal(e, spec.QtyDecimals, "quantity", spec.Symbol);
        if (raw % spec.StepSize.Raw != 0)
            throw new InvalidDataException($"{spec.Symbol}: recorded quantity {e} is off the step {spec.StepSize.Raw} (replay needs a step as fine as the recording, e.g. 0.00000001)");
        return raw;
    }

    private static long Decimal(JsonElement e, int decimals, string what, string symbol)
    {
        string text = e.GetString() ?? throw new InvalidDataException("expected a decimal string");
        if (text.Contains('.', StringComparison.Ordinal))
            text = text.TrimEnd('0').TrimEnd('.'); // Binance pads to 8 places
        if (text.Length > 64)
            throw new InvalidDataException($"'{text}' is too long for a decimal");
        Span<byte> utf8 = stackalloc byte[64];
        int n = Encoding.ASCII.GetBytes(text, utf8);
        return DecimalParser.TryParse(utf8[..n], decimals, false, out long v) == DecimalParseError.None
            ? v : throw new InvalidDataException($"{symbol}: recorded {what} '{text}' has more than the symbol's {decimals} decimals" +
                (what == "quantity" ? " (replay needs a step as fine as the recording, e.g. stepSize 0.00000001)" : ""));
    }
}
