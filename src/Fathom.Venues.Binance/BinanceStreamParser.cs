using System.Runtime.CompilerServices;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Parses Binance spot and USD-M market-data frames (raw or wrapped in the combined-stream
/// envelope <c>{"stream":…,"data":…}</c>) and REST depth snapshots straight from UTF-8 into
/// normalized events, with prices mapped to ticks. Allocation-free once its scratch buffers have
/// grown to the largest message seen.
/// </summary>
/// <remarks>
/// Entry points: <see cref="ParseFrame{THandler}"/> and <see cref="ParseSnapshot{THandler}"/>.
/// Handled: <c>depthUpdate</c> (with <c>pu</c> on USD-M), <c>bookTicker</c> (spot has no <c>e</c>),
/// <c>trade</c>, <c>aggTrade</c>, <c>serverShutdown</c>, control responses. Unknown fields are
/// skipped and counted; other event kinds are counted and ignored. A malformed, truncated, off-tick
/// or otherwise unusable message is counted and reported through
/// <see cref="IMarketDataHandler.OnMessageError"/> with the symbol it was for when that is known;
/// nothing throws. Not thread-safe: one parser per receiving thread.
/// </remarks>
public sealed class BinanceStreamParser
{
    private readonly BinanceSymbolTable _symbols;
    private Level[] _bids = new Level[1024];
    private Level[] _asks = new Level[1024];
    // Finest grid needed by the off-grid prices of the message being parsed (0: none seen).
    private long _pendingGrid;

    public BinanceStreamParser(BinanceSymbolTable symbols)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        _symbols = symbols;
    }

    public MarketDataCounters Counters { get; } = new();

    /// <summary>Spot bookTicker frames read by the direct path (<see cref="TrySpotTicker"/>), for tests.</summary>
    internal long TickersReadDirectly { get; private set; }

    private enum Kind : byte
    {
        None = 0,
        DepthUpdate,
        Trade,
        AggTrade,
        BookTicker,
        ServerShutdown,
        Other,
    }

    /// <summary>Everything one pass over a message collects. Spans point into the frame.</summary>
    private ref struct Fields
    {
        public Kind Kind;
        public bool HasE;
        public bool IsControl;
        public BinanceSymbol? Symbol;
        public long EventTime, TradeTime, FirstId, FinalId, PrevFinalId, TradeId, AggId, FirstTradeId, LastTradeId;
        public bool HasFirst, HasFinal, HasTradeId, HasAggId, BuyerIsMaker, HasMaker;
        public int BidCount, AskCount;
        public bool HasBids, HasAsks;
        /// <summary>Levels were read before the symbol was known: they hold wire-unit prices, not ticks.</summary>
        public bool LevelsInWireUnits;
        public ReadOnlySpan<byte> BidPrice, BidQty, AskPrice, AskQty, Price, Qty;
        public MarketDataError Error;
    }

    /// <summary>
    /// Parses one WebSocket text frame and delivers what it contains to <paramref name="handler"/>.
    /// Returns <see cref="MarketDataError.None"/> when the frame was used or deliberately ignored.
    /// </summary>
    public MarketDataError ParseFrame<THandler>(ReadOnlySpan<byte> frame, long receiveTimeNs, ref THandler handler)
        where THandler : IMarketDataHandler
    {
        Counters.Messages++;
        MarketDataError result = ParseFrameOnce(frame, receiveTimeNs, ref handler, out BinanceSymbol? refine);
        if (refine is not null)
        {
            // A price fell between grid points: move to the finer grid and read the frame again.
            RefineGrid(refine, ref handler);
            result = ParseFrameOnce(frame, receiveTimeNs, ref handler, out _);
        }
        return result;
    }

    private MarketDataError ParseFrameOnce<THandler>(ReadOnlySpan<byte> frame, long receiveTimeNs, ref THandler handler, out BinanceSymbol? refine)
        where THandler : IMarketDataHandler
    {
        refine = null;
        _pendingGrid = 0;
        if (TrySpotTicker(frame, out BinanceSymbol? tickerSymbol, out long tickerId, out var bidPrice, out var bidQty, out var askPrice, out var askQty))
        {
            TickersReadDirectly++;
            return DeliverTicker(tickerSymbol, tickerId, eventTime: 0, bidPrice, bidQty, askPrice, askQty, receiveTimeNs, ref handler, ref refine);
        }
        var scanner = new JsonScanner(frame);
        var f = new Fields { PrevFinalId = -1 };
        ParseObject(ref scanner, ref f, depth: 0);
        scanner.ExpectEnd();

        if (!scanner.Ok)
            f.Error = scanner.Error == ScanError.Truncated ? MarketDataError.Truncated : MarketDataError.Malformed;
        if (f.Error == MarketDataError.OffTick && _pendingGrid > 0 && f.Symbol is not null)
        {
            refine = f.Symbol;
            return MarketDataError.None; // the caller refines the grid and parses again; nothing delivered yet
        }
        if (f.Error != MarketDataError.None)
            return Report(f.Error, f.Symbol, receiveTimeNs, ref handler);

        switch (f.Kind)
        {
            case Kind.DepthUpdate:
                if (f.Symbol is null)
                    return Report(MarketDataError.UnknownSymbol, null, receiveTimeNs, ref handler);
                if (!f.HasFirst || !f.HasFinal || !f.HasBids || !f.HasAsks)
                    return Report(MarketDataError.Malformed, f.Symbol, receiveTimeNs, ref handler);
                if (f.LevelsInWireUnits)
                {
                    var convertError = First(WireToTicks(f.Symbol, _bids.AsSpan(0, f.BidCount)), WireToTicks(f.Symbol, _asks.AsSpan(0, f.AskCount)));
                    if (convertError != MarketDataError.None)
                        return Report(convertError, f.Symbol, receiveTimeNs, ref handler);
                }
                Counters.Deltas++;
                handler.OnBookDelta(new BookDelta(f.Symbol.Id, f.FirstId, f.FinalId, f.PrevFinalId, f.EventTime,
                    receiveTimeNs, _bids.AsSpan(0, f.BidCount), _asks.AsSpan(0, f.AskCount)));
                return MarketDataError.None;

            case Kind.BookTicker:
                if (f.Symbol is null)
                    return Report(MarketDataError.UnknownSymbol, null, receiveTimeNs, ref handler);
                if (!f.HasFinal || f.BidPrice.IsEmpty || f.AskPrice.IsEmpty || f.BidQty.IsEmpty || f.AskQty.IsEmpty)
                    return Report(MarketDataError.Malformed, f.Symbol, receiveTimeNs, ref handler);
                return DeliverTicker(f.Symbol, f.FinalId, f.EventTime, f.BidPrice, f.BidQty, f.AskPrice, f.AskQty, receiveTimeNs, ref handler, ref refine);

            case Kind.Trade:
            case Kind.AggTrade:
            {
                if (f.Symbol is null)
                    return Report(MarketDataError.UnknownSymbol, null, receiveTimeNs, ref handler);
                bool isAgg = f.Kind == Kind.AggTrade;
                if ((isAgg ? !f.HasAggId : !f.HasTradeId) || f.Price.IsEmpty || f.Qty.IsEmpty || !f.HasMaker)
                    return Report(MarketDataError.Malformed, f.Symbol, receiveTimeNs, ref handler);
                var err = First(ToTick(f.Symbol, f.Price, out long tick, allowZero: false), ToQty(f.Qty, out long qty),
                    MarketDataError.None, MarketDataError.None);
                if (err == MarketDataError.OffTick && _pendingGrid > 0)
                {
                    refine = f.Symbol;
                    return MarketDataError.None;
                }
                if (err != MarketDataError.None)
                    return Report(err, f.Symbol, receiveTimeNs, ref handler);
                Counters.Trades++;
                long id = isAgg ? f.AggId : f.TradeId;
                handler.OnTrade(new Trade(f.Symbol.Id, id, tick, qty, f.BuyerIsMaker, f.TradeTime, f.EventTime, receiveTimeNs,
                    isAgg ? f.FirstTradeId : id, isAgg ? f.LastTradeId : id));
                return MarketDataError.None;
            }

            case Kind.ServerShutdown:
                Counters.ServerShutdowns++;
                handler.OnServerShutdown(f.EventTime, receiveTimeNs);
                return MarketDataError.None;

            default:
                if (f.IsControl)
                    Counters.ControlResponses++;
                else
                    Counters.IgnoredEvents++;
                return MarketDataError.None;
        }
    }

    /// <summary>A complete bookTicker's numbers to ticks and the handler (or the grid to refine first, or the error).</summary>
    private MarketDataError DeliverTicker<THandler>(BinanceSymbol symbol, long finalId, long eventTime, ReadOnlySpan<byte> bidPrice,
        ReadOnlySpan<byte> bidQtyText, ReadOnlySpan<byte> askPrice, ReadOnlySpan<byte> askQtyText, long receiveTimeNs, ref THandler handler,
        ref BinanceSymbol? refine) where THandler : IMarketDataHandler
    {
        var e1 = ToTick(symbol, bidPrice, out long bid, allowZero: true);
        var e2 = ToTick(symbol, askPrice, out long ask, allowZero: true);
        var e3 = ToQty(bidQtyText, out long bidQty);
        var e4 = ToQty(askQtyText, out long askQty);
        var err = First(e1, e2, e3, e4);
        if (err == MarketDataError.OffTick && _pendingGrid > 0)
        {
            refine = symbol;
            return MarketDataError.None;
        }
        if (err != MarketDataError.None)
            return Report(err, symbol, receiveTimeNs, ref handler);
        Counters.TopOfBooks++;
        handler.OnTopOfBook(new TopOfBook(symbol.Id, finalId, bid, bidQty, ask, askQty, eventTime, receiveTimeNs));
        return MarketDataError.None;
    }

    /// <summary>
    /// The spot bookTicker in the combined-stream envelope exactly as Binance sends it, read without the general
    /// scanner: <c>{"stream":"…@bookTicker","data":{"u":…,"s":"…","b":"…","B":"…","a":"…","A":"…"}}</c>, compact,
    /// no escapes, an id of plain digits, a symbol the table knows. Ticker frames are the ones that most often move a
    /// quote, and this is their latency. Anything else (another order, a space, an extra field, an escape, a leading
    /// zero, an unknown symbol, a truncation) returns false and the general parser reads the frame and says what is
    /// wrong with it; what this accepts, the general parser reads to the same values (a test holds them to it over the
    /// recorded tickers and their mutations). The numbers are checked where both paths check them.
    /// </summary>
    private bool TrySpotTicker(ReadOnlySpan<byte> frame, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BinanceSymbol? symbol, out long finalId,
        out ReadOnlySpan<byte> bidPrice, out ReadOnlySpan<byte> bidQty, out ReadOnlySpan<byte> askPrice, out ReadOnlySpan<byte> askQty)
    {
        symbol = null;
        finalId = 0;
        bidPrice = bidQty = askPrice = askQty = default;
        ReadOnlySpan<byte> head = "{\"stream\":\""u8, data = ",\"data\":{\"u\":"u8;
        if (!frame.StartsWith(head))
            return false;
        int at = head.Length;
        int quote = frame[at..].IndexOfAny((byte)'"', (byte)'\\');
        if (quote < 0 || frame[at + quote] != '"' || !frame.Slice(at, quote).EndsWith("@bookTicker"u8))
            return false;
        at += quote + 1;
        if (!frame[at..].StartsWith(data))
            return false;
        at += data.Length;
        int digits = frame[at..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        if (digits is <= 0 or > 18 || (frame[at] == '0' && digits > 1))
            return false;
        for (int i = 0; i < digits; i++)
            finalId = finalId * 10 + (frame[at + i] - '0');
        at += digits;
        if ((at = NextString(frame, at, ",\"s\":\""u8, out int nameAt, out int nameLength)) < 0
            || (at = NextString(frame, at, ",\"b\":\""u8, out int bidAt, out int bidLength)) < 0
            || (at = NextString(frame, at, ",\"B\":\""u8, out int bidQtyAt, out int bidQtyLength)) < 0
            || (at = NextString(frame, at, ",\"a\":\""u8, out int askAt, out int askLength)) < 0
            || (at = NextString(frame, at, ",\"A\":\""u8, out int askQtyAt, out int askQtyLength)) < 0
            || !frame[at..].SequenceEqual("}}"u8))
            return false;
        symbol = _symbols.FindUpper(frame.Slice(nameAt, nameLength));
        if (symbol is null)
            return false;
        bidPrice = frame.Slice(bidAt, bidLength);
        bidQty = frame.Slice(bidQtyAt, bidQtyLength);
        askPrice = frame.Slice(askAt, askLength);
        askQty = frame.Slice(askQtyAt, askQtyLength);
        return true;

        // ,"k":"value" at `at`, the value free of quotes and escapes: where it starts and how long it is; returns the
        // position after its closing quote, or -1.
        static int NextString(ReadOnlySpan<byte> frame, int at, ReadOnlySpan<byte> head, out int start, out int length)
        {
            start = length = 0;
            if (!frame[at..].StartsWith(head))
                return -1;
            start = at + head.Length;
            int end = frame[start..].IndexOfAny((byte)'"', (byte)'\\');
            if (end <= 0 || frame[start + end] != '"') // an empty value is the general parser's Malformed
                return -1;
            length = end;
            return start + end + 1;
        }
    }

    /// <summary>
    /// Parses a REST depth snapshot (<c>{"lastUpdateId":…,"bids":[…],"asks":[…]}</c>, USD-M adds
    /// <c>E</c>/<c>T</c>) for <paramref name="symbol"/>, requested with depth <paramref name="depthLimit"/>.
    /// </summary>
    public MarketDataError ParseSnapshot<THandler>(ReadOnlySpan<byte> json, BinanceSymbol symbol, int depthLimit,
        long receiveTimeNs, ref THandler handler) where THandler : IMarketDataHandler
    {
        ArgumentNullException.ThrowIfNull(symbol);
        Counters.Messages++;
        MarketDataError result = ParseSnapshotOnce(json, symbol, depthLimit, receiveTimeNs, ref handler, out bool refine);
        if (refine)
        {
            RefineGrid(symbol, ref handler);
            result = ParseSnapshotOnce(json, symbol, depthLimit, receiveTimeNs, ref handler, out _);
        }
        return result;
    }

    private MarketDataError ParseSnapshotOnce<THandler>(ReadOnlySpan<byte> json, BinanceSymbol symbol, int depthLimit,
        long receiveTimeNs, ref THandler handler, out bool refine) where THandler : IMarketDataHandler
    {
        refine = false;
        _pendingGrid = 0;
        var scanner = new JsonScanner(json);
        long lastUpdateId = 0, eventTime = 0;
        bool hasId = false, hasBids = false, hasAsks = false;
        int bidCount = 0, askCount = 0;
        var error = MarketDataError.None;
        if (scanner.BeginObject())
        {
            bool first = true;
            while (scanner.NextProperty(ref first, out var name))
            {
                if (name.SequenceEqual("lastUpdateId"u8)) { lastUpdateId = scanner.ReadInt64(); hasId = true; }
                else if (name.SequenceEqual("bids"u8)) { bidCount = ParseLevels(ref scanner, symbol, ref _bids, ref error); hasBids = true; }
                else if (name.SequenceEqual("asks"u8)) { askCount = ParseLevels(ref scanner, symbol, ref _asks, ref error); hasAsks = true; }
                else if (name.SequenceEqual("E"u8)) eventTime = scanner.ReadInt64();
                else if (name.SequenceEqual("T"u8)) scanner.ReadInt64();
                else { Counters.UnknownFields++; scanner.SkipValue(); }
            }
        }
        scanner.ExpectEnd();
        if (!scanner.Ok)
            error = scanner.Error == ScanError.Truncated ? MarketDataError.Truncated : MarketDataError.Malformed;
        else if (error == MarketDataError.None && (!hasId || !hasBids || !hasAsks))
            error = MarketDataError.Malformed;
        if (error == MarketDataError.OffTick && _pendingGrid > 0)
        {
            refine = true;
            return MarketDataError.None;
        }
        if (error != MarketDataError.None)
            return Report(error, symbol, receiveTimeNs, ref handler);
        Counters.Snapshots++;
        handler.OnBookSnapshot(new BookSnapshot(symbol.Id, lastUpdateId, eventTime, receiveTimeNs,
            _bids.AsSpan(0, bidCount), _asks.AsSpan(0, askCount), depthLimit));
        return MarketDataError.None;
    }

    private void ParseObject(ref JsonScanner s, ref Fields f, int depth)
    {
        if (!s.BeginObject())
            return;
        bool first = true;
        while (s.NextProperty(ref first, out var name))
        {
            if (name.Length == 1)
            {
                ParseEventField(ref s, ref f, name[0]);
                continue;
            }
            if (depth == 0 && name.SequenceEqual("stream"u8))
            {
                // The symbol is in the stream name too; it may arrive before "data" and its "s".
                var stream = s.ReadString();
                f.Symbol ??= _symbols.FindByStream(stream);
                if (stream.EndsWith("serverShutdown"u8))
                    f.Kind = Kind.ServerShutdown;
            }
            else if (depth == 0 && name.SequenceEqual("data"u8))
            {
                ParseObject(ref s, ref f, depth + 1);
            }
            else if (name.SequenceEqual("pu"u8))
            {
                f.PrevFinalId = s.ReadInt64();
            }
            else if (depth == 0 && (name.SequenceEqual("result"u8) || name.SequenceEqual("id"u8)))
            {
                f.IsControl = true;
                s.SkipValue();
            }
            else
            {
                Counters.UnknownFields++;
                s.SkipValue();
            }
        }
    }

    private void ParseEventField(ref JsonScanner s, ref Fields f, byte key)
    {
        switch (key)
        {
            case (byte)'e':
            {
                var e = s.ReadString();
                f.HasE = true;
                f.Kind = e.SequenceEqual("depthUpdate"u8) ? Kind.DepthUpdate
                    : e.SequenceEqual("trade"u8) ? Kind.Trade
                    : e.SequenceEqual("aggTrade"u8) ? Kind.AggTrade
                    : e.SequenceEqual("bookTicker"u8) ? Kind.BookTicker
                    : e.SequenceEqual("serverShutdown"u8) ? Kind.ServerShutdown
                    : Kind.Other;
                return;
            }
            case (byte)'E': f.EventTime = s.ReadInt64(); return;
            case (byte)'T': f.TradeTime = s.ReadInt64(); return;
            case (byte)'s':
            {
                var sym = s.ReadString();
                var found = _symbols.FindUpper(sym);
                if (found is null && f.Symbol is null)
                    f.Error = MarketDataError.UnknownSymbol;
                f.Symbol = found ?? f.Symbol;
                return;
            }
            case (byte)'U': f.FirstId = s.ReadInt64(); f.HasFirst = true; return;
            case (byte)'u': f.FinalId = s.ReadInt64(); f.HasFinal = true; return;
            case (byte)'t': f.TradeId = s.ReadInt64(); f.HasTradeId = true; return;
            case (byte)'f': f.FirstTradeId = s.ReadInt64(); return;
            case (byte)'l': f.LastTradeId = s.ReadInt64(); return;
            case (byte)'p': f.Price = s.ReadString(); return;
            case (byte)'q': f.Qty = s.ReadString(); return;
            case (byte)'m': f.BuyerIsMaker = s.ReadBool(); f.HasMaker = true; return;
            case (byte)'B': f.BidQty = s.ReadString(); return;
            case (byte)'A': f.AskQty = s.ReadString(); return;
            case (byte)'M': s.SkipValue(); return; // "ignore" per Binance's docs
            case (byte)'b':
                if (s.Peek() == '[')
                {
                    f.LevelsInWireUnits |= f.Symbol is null;
                    f.BidCount = ParseLevels(ref s, f.Symbol, ref _bids, ref f.Error);
                    f.HasBids = true;
                }
                else
                {
                    f.BidPrice = s.ReadString();
                    if (!f.HasE) f.Kind = Kind.BookTicker; // spot bookTicker carries no "e"
                }
                return;
            case (byte)'a':
            {
                byte c = s.Peek();
                if (c == '[')
                {
                    f.LevelsInWireUnits |= f.Symbol is null;
                    f.AskCount = ParseLevels(ref s, f.Symbol, ref _asks, ref f.Error);
                    f.HasAsks = true;
                }
                else if (c == '"')
                {
                    f.AskPrice = s.ReadString();
                }
                else
                {
                    f.AggId = s.ReadInt64(); // aggTrade's aggregate trade id
                    f.HasAggId = true;
                }
                return;
            }
            default:
                Counters.UnknownFields++;
                s.SkipValue();
                return;
        }
    }

    /// <summary>
    /// Parses <c>[["price","qty"],…]</c> into <paramref name="scratch"/> (grown as needed), mapping
    /// prices to ticks. The first bad number or off-tick price is recorded in <paramref name="error"/>;
    /// the rest of the array is still consumed so the message structure is validated.
    /// </summary>
    private int ParseLevels(ref JsonScanner s, BinanceSymbol? symbol, ref Level[] scratch, ref MarketDataError error)
    {
        int n = 0;
        if (!s.BeginArray())
            return 0;
        bool first = true;
        // The grid's decimals when levels can be read straight into ticks (-1: general path only).
        int tickDecimals = symbol?.TickDecimals ?? -1;
        while (s.NextElement(ref first))
        {
            // Fast path: levels in the exact form Binance sends, both numbers valid, price on the grid
            // and not zero, run through with their separating commas. A level it does not accept is
            // read again from the same position by the general code below, which reports exactly
            // what is wrong with it; after its last level the general NextElement takes over.
            if (tickDecimals >= 0)
            {
                s.Advance(BinanceLevelReader.ReadRun(s.Input, s.Position, tickDecimals, ref scratch, ref n, out bool endsAfterLevel));
                if (endsAfterLevel)
                    continue;
            }
            if (!s.BeginArray())
                return n;
            ReadOnlySpan<byte> price = s.ReadString();
            bool afterFirst = false;
            if (!s.NextElement(ref afterFirst)) // requires and consumes the ',' between price and qty
            {
                if (s.Ok) error = First(error, MarketDataError.Malformed);
                return n;
            }
            ReadOnlySpan<byte> qtyText = s.ReadString();
            bool more = false;
            while (s.NextElement(ref more)) // tolerate extra elements
                s.SkipValue();
            if (!s.Ok)
                return n;

            long tick, qty;
            if (symbol is null)
            {
                // Symbol not seen yet (unusual field order): keep wire units, convert afterwards.
                var e1 = ToRaw(price, out tick);
                var e2 = ToQty(qtyText, out qty);
                if (e1 != MarketDataError.None || e2 != MarketDataError.None)
                    error = First(error, First(e1, e2, MarketDataError.None, MarketDataError.None));
            }
            else
            {
                var e1 = ToTick(symbol, price, out tick, allowZero: false);
                var e2 = ToQty(qtyText, out qty);
                if (e1 != MarketDataError.None || e2 != MarketDataError.None)
                    error = First(error, First(e1, e2, MarketDataError.None, MarketDataError.None));
            }
            if (n == scratch.Length)
                Array.Resize(ref scratch, scratch.Length * 2); // warm-up growth only
            scratch[n++] = new Level(tick, qty);
        }
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MarketDataError ToTick(BinanceSymbol symbol, ReadOnlySpan<byte> text, out long tick, bool allowZero)
    {
        DecimalParseError err;
        if (symbol.TickDecimals >= 0)
        {
            err = DecimalParser.TryParse(text, symbol.TickDecimals, allowNegative: false, out tick);
            if (err == DecimalParseError.TooManyDecimals)
                return OffGrid(symbol, text);
        }
        else
        {
            err = DecimalParser.TryParse(text, BinanceSymbol.WireDecimals, allowNegative: false, out long raw);
            tick = Math.DivRem(raw, symbol.TickRaw, out long rem);
            if (err == DecimalParseError.None && rem != 0)
                return OffGrid(symbol, text);
        }
        if (err != DecimalParseError.None || (tick == 0 && !allowZero))
        {
            Counters.BadNumbers++;
            return MarketDataError.BadNumber;
        }
        return MarketDataError.None;
    }

    /// <summary>
    /// A price between grid points. If it is a valid price at the wire precision, remember the grid
    /// that would hold it (the gcd with the current grid, so every price seen so far still fits).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MarketDataError OffGrid(BinanceSymbol symbol, ReadOnlySpan<byte> text)
    {
        Counters.OffTick++;
        if (DecimalParser.TryParse(text, BinanceSymbol.WireDecimals, allowNegative: false, out long raw) != DecimalParseError.None || raw <= 0)
            return MarketDataError.BadNumber;
        long grid = _pendingGrid == 0 ? symbol.TickRaw : _pendingGrid;
        _pendingGrid = (long)System.Numerics.BigInteger.GreatestCommonDivisor(grid, raw);
        return MarketDataError.OffTick;
    }

    private void RefineGrid<THandler>(BinanceSymbol symbol, ref THandler handler) where THandler : IMarketDataHandler
    {
        long grid = _pendingGrid;
        _pendingGrid = 0;
        Counters.GridRefinements++;
        symbol.SetGrid(grid);
        handler.OnBookGridChanged(symbol.Id, grid);
    }

    /// <summary>Slow path for levels read before their symbol: wire-unit prices to ticks, in place.</summary>
    private MarketDataError WireToTicks(BinanceSymbol symbol, Span<Level> levels)
    {
        for (int i = 0; i < levels.Length; i++)
        {
            long tick = Math.DivRem(levels[i].Tick, symbol.TickRaw, out long rem);
            if (rem != 0)
            {
                Counters.OffTick++; // rare (unusual field order and an off-grid price): resync rather than regrid
                return MarketDataError.OffTick;
            }
            levels[i] = levels[i] with { Tick = tick };
        }
        return MarketDataError.None;
    }

    private MarketDataError ToRaw(ReadOnlySpan<byte> text, out long raw)
    {
        if (DecimalParser.TryParse(text, BinanceSymbol.WireDecimals, allowNegative: false, out raw) != DecimalParseError.None || raw == 0)
        {
            Counters.BadNumbers++;
            return MarketDataError.BadNumber;
        }
        return MarketDataError.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MarketDataError ToQty(ReadOnlySpan<byte> text, out long qty)
    {
        if (DecimalParser.TryParse(text, BinanceSymbol.WireDecimals, allowNegative: false, out qty) != DecimalParseError.None)
        {
            Counters.BadNumbers++;
            return MarketDataError.BadNumber;
        }
        return MarketDataError.None;
    }

    private static MarketDataError First(MarketDataError a, MarketDataError b) => a != MarketDataError.None ? a : b;

    private static MarketDataError First(MarketDataError a, MarketDataError b, MarketDataError c, MarketDataError d) =>
        a != MarketDataError.None ? a : b != MarketDataError.None ? b : c != MarketDataError.None ? c : d;

    private MarketDataError Report<THandler>(MarketDataError error, BinanceSymbol? symbol, long receiveTimeNs, ref THandler handler)
        where THandler : IMarketDataHandler
    {
        switch (error)
        {
            case MarketDataError.Malformed: Counters.Malformed++; break;
            case MarketDataError.Truncated: Counters.Truncated++; break;
            case MarketDataError.UnknownSymbol: Counters.UnknownSymbols++; break;
            // BadNumber and OffTick were counted where they were found.
        }
        handler.OnMessageError(symbol?.Id ?? -1, error, receiveTimeNs);
        return error;
    }
}
