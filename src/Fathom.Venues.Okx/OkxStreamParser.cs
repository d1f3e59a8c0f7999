using System.Runtime.CompilerServices;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Venues.Okx;

/// <summary>
/// Parses OKX v5 public WebSocket messages and REST <c>GET /api/v5/market/books</c> answers straight
/// from UTF-8 into the same normalized events as Binance (<see cref="IMarketDataHandler"/>), prices
/// mapped to ticks. Allocation-free once its scratch buffers have grown to the largest message seen.
/// </summary>
/// <remarks>
/// Entry points: <see cref="ParseFrame{THandler}"/> and <see cref="ParseRestBooks{THandler}"/>.
/// Channels: <c>books</c> (and <c>books-l2-tbt</c>, <c>books50-l2-tbt</c>, same shape) →
/// <see cref="BookSnapshot"/> for <c>action:"snapshot"</c>, <see cref="BookDelta"/> for
/// <c>"update"</c>, with prevSeqId/seqId (<see cref="BookDelta.NoSequence"/> when absent) and the
/// checksum when non-zero; <c>bbo-tbt</c> → <see cref="TopOfBook"/> (the real-time overlay, ordered by
/// seqId); <c>trades</c> → <see cref="Trade"/>. Other channels (<c>tickers</c>) are counted and
/// ignored. Subscribe acks, <c>event:"error"</c> (counted in <see cref="VenueErrors"/>, code kept in
/// <see cref="LastErrorCode"/>) and the text <c>pong</c> are control messages. A malformed,
/// truncated, off-tick or negative-priced message is counted and reported through
/// <see cref="IMarketDataHandler.OnMessageError"/> with its instrument when known, and nothing of it is
/// delivered: every element of a message is parsed and checked before the first event goes out.
/// Not thread-safe: one parser per receiving thread.
/// </remarks>
public sealed class OkxStreamParser
{
    private readonly OkxInstrumentTable _instruments;
    private Level[] _bids = new Level[512];
    private Level[] _asks = new Level[512];
    private Element[] _elements = new Element[4];
    private Trade[] _trades = new Trade[64];

    public OkxStreamParser(OkxInstrumentTable instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        _instruments = instruments;
    }

    public MarketDataCounters Counters { get; } = new();

    /// <summary>Text <c>pong</c> answers to our keep-alive <c>ping</c>.</summary>
    public long Pongs { get; private set; }

    /// <summary><c>event:"subscribe"</c>/<c>"unsubscribe"</c> acks.</summary>
    public long SubscribeAcks { get; private set; }

    /// <summary><c>event:"error"</c> messages and REST answers with a non-zero <c>code</c>.</summary>
    public long VenueErrors { get; private set; }

    /// <summary>The <c>code</c> of the last venue error (e.g. 60012 bad request, 60018 unknown instId), 0 if none.</summary>
    public long LastErrorCode { get; private set; }

    private enum Channel : byte
    {
        None = 0,
        Books,
        Bbo,
        Trades,
        Other,
    }

    private struct Element
    {
        public int BidStart, BidCount, AskStart, AskCount, Checksum;
        public long Ts, PrevSeqId, SeqId;
        public bool HasBids, HasAsks, HasChecksum, HasSeqId, HasPrevSeqId;
    }

    /// <summary>What one pass over a message collects.</summary>
    private ref struct Fields
    {
        public Channel Channel;
        public int DepthLimit;
        public OkxInstrument? Instrument;
        public bool HasArg, UnknownInstrument, HasAction, IsSnapshot, IsEvent, IsErrorEvent, IsAck, HasData, HasCode;
        public long Code;
        public int DataStart, DataEnd;
        public int Elements, Trades, BidTotal, AskTotal;
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
        ReadOnlySpan<byte> trimmed = frame.Trim(" \r\n\t"u8);
        if (trimmed.SequenceEqual("pong"u8))
        {
            Pongs++;
            Counters.ControlResponses++;
            return MarketDataError.None;
        }

        var s = new JsonScanner(frame);
        var f = new Fields { DataStart = -1 };
        if (s.BeginObject())
        {
            bool first = true;
            while (s.NextProperty(ref first, out var name))
            {
                if (name.SequenceEqual("arg"u8))
                    ParseArg(ref s, ref f);
                else if (name.SequenceEqual("data"u8))
                {
                    f.HasData = true;
                    if (f.HasArg)
                        ParseData(ref s, ref f);
                    else
                    {
                        // "data" before "arg" (never seen from OKX, legal JSON): read it once the instrument is known.
                        s.Peek();
                        f.DataStart = s.Position;
                        s.SkipValue();
                        f.DataEnd = s.Position;
                    }
                }
                else if (name.SequenceEqual("action"u8))
                {
                    var action = s.ReadString();
                    f.HasAction = true;
                    if (action.SequenceEqual("snapshot"u8)) f.IsSnapshot = true;
                    else if (!action.SequenceEqual("update"u8)) f.Error = First(f.Error, MarketDataError.Malformed);
                }
                else if (name.SequenceEqual("event"u8))
                {
                    var e = s.ReadString();
                    f.IsEvent = true;
                    f.IsErrorEvent = e.SequenceEqual("error"u8);
                    f.IsAck = e.SequenceEqual("subscribe"u8) || e.SequenceEqual("unsubscribe"u8);
                }
                else if (name.SequenceEqual("code"u8))
                {
                    f.Code = ReadCode(ref s, ref f);
                    f.HasCode = true;
                }
                else if (name.SequenceEqual("msg"u8) || name.SequenceEqual("connId"u8) || name.SequenceEqual("id"u8) || name.SequenceEqual("op"u8))
                    s.SkipValue();
                else
                {
                    Counters.UnknownFields++;
                    s.SkipValue();
                }
            }
        }
        s.ExpectEnd();
        if (!s.Ok)
            return Report(s.Error == ScanError.Truncated ? MarketDataError.Truncated : MarketDataError.Malformed, f.Instrument, receiveTimeNs, ref handler);

        if (f.DataStart >= 0 && f.HasArg)
        {
            var data = new JsonScanner(frame[f.DataStart..f.DataEnd]);
            ParseData(ref data, ref f);
            data.ExpectEnd();
            if (!data.Ok)
                f.Error = First(f.Error, MarketDataError.Malformed);
        }

        if (f.IsEvent)
        {
            Counters.ControlResponses++;
            if (f.IsAck)
                SubscribeAcks++;
            if (f.IsErrorEvent)
            {
                VenueErrors++;
                LastErrorCode = f.Code;
            }
            return MarketDataError.None;
        }
        if (!f.HasArg || !f.HasData)
            return Report(MarketDataError.Malformed, f.Instrument, receiveTimeNs, ref handler);
        if (f.Instrument is not null)
            f.Instrument.Messages++;
        if (f.Channel == Channel.Other)
        {
            Counters.IgnoredEvents++;
            return MarketDataError.None;
        }
        if (f.Instrument is null)
            return Report(MarketDataError.UnknownSymbol, null, receiveTimeNs, ref handler);
        if (f.Error != MarketDataError.None)
            return Report(f.Error, f.Instrument, receiveTimeNs, ref handler);

        int id = f.Instrument.Id;
        switch (f.Channel)
        {
            case Channel.Books:
            {
                if (!f.HasAction || f.Elements == 0)
                    return Report(MarketDataError.Malformed, f.Instrument, receiveTimeNs, ref handler);
                for (int i = 0; i < f.Elements; i++)
                {
                    ref readonly Element e = ref _elements[i];
                    // Without levels a book message means nothing; an update with a seqId must say what it follows.
                    if (!e.HasBids || !e.HasAsks || (!f.IsSnapshot && e.HasSeqId != e.HasPrevSeqId))
                        return Report(MarketDataError.Malformed, f.Instrument, receiveTimeNs, ref handler);
                }
                for (int i = 0; i < f.Elements; i++)
                {
                    ref readonly Element e = ref _elements[i];
                    var bids = _bids.AsSpan(e.BidStart, e.BidCount);
                    var asks = _asks.AsSpan(e.AskStart, e.AskCount);
                    long seq = e.HasSeqId ? e.SeqId : BookDelta.NoSequence;
                    if (f.IsSnapshot)
                    {
                        Counters.Snapshots++;
                        handler.OnBookSnapshot(new BookSnapshot(id, seq, e.Ts, receiveTimeNs, bids, asks, f.DepthLimit, e.Checksum, e.HasChecksum));
                    }
                    else
                    {
                        long prev = e.HasPrevSeqId ? e.PrevSeqId : BookDelta.NoSequence;
                        Counters.Deltas++;
                        handler.OnBookDelta(new BookDelta(id, prev, seq, prev, e.Ts, receiveTimeNs, bids, asks, e.Checksum, e.HasChecksum));
                    }
                }
                return MarketDataError.None;
            }
            case Channel.Bbo:
            {
                for (int i = 0; i < f.Elements; i++)
                {
                    ref readonly Element e = ref _elements[i];
                    if (!e.HasBids || !e.HasAsks)
                        return Report(MarketDataError.Malformed, f.Instrument, receiveTimeNs, ref handler);
                }
                for (int i = 0; i < f.Elements; i++)
                {
                    ref readonly Element e = ref _elements[i];
                    Level bid = e.BidCount > 0 ? _bids[e.BidStart] : default;
                    Level ask = e.AskCount > 0 ? _asks[e.AskStart] : default;
                    Counters.TopOfBooks++;
                    handler.OnTopOfBook(new TopOfBook(id, e.HasSeqId ? e.SeqId : BookDelta.NoSequence, bid.Tick, bid.Qty, ask.Tick, ask.Qty, e.Ts, receiveTimeNs));
                }
                return MarketDataError.None;
            }
            case Channel.Trades:
            {
                for (int i = 0; i < f.Trades; i++)
                {
                    Counters.Trades++;
                    handler.OnTrade(_trades[i] with { ReceiveTimeNs = receiveTimeNs });
                }
                return MarketDataError.None;
            }
            default:
                return Report(MarketDataError.Malformed, f.Instrument, receiveTimeNs, ref handler);
        }
    }

    /// <summary>
    /// Parses a REST <c>GET /api/v5/market/books?instId=…&amp;sz=<paramref name="depthLimit"/></c> answer,
    /// <c>{"code":"0","msg":"","data":[{"asks":[…],"bids":[…],"ts":"…","seqId":…}]}</c>, into a
    /// <see cref="BookSnapshot"/> whose <see cref="BookSnapshot.LastUpdateId"/> is its seqId (the §8.4 splice
    /// needs it; without one the snapshot cannot be spliced and the sync asks again). A non-zero
    /// <c>code</c> is a venue error: counted, and reported as <see cref="MarketDataError.Malformed"/>.
    /// </summary>
    public MarketDataError ParseRestBooks<THandler>(ReadOnlySpan<byte> json, OkxInstrument instrument, int depthLimit,
        long receiveTimeNs, ref THandler handler) where THandler : IMarketDataHandler
    {
        ArgumentNullException.ThrowIfNull(instrument);
        Counters.Messages++;
        var s = new JsonScanner(json);
        var f = new Fields { Channel = Channel.Books, Instrument = instrument, HasArg = true, DepthLimit = depthLimit };
        if (s.BeginObject())
        {
            bool first = true;
            while (s.NextProperty(ref first, out var name))
            {
                if (name.SequenceEqual("data"u8)) { f.HasData = true; ParseData(ref s, ref f); }
                else if (name.SequenceEqual("code"u8)) { f.Code = ReadCode(ref s, ref f); f.HasCode = true; }
                else if (name.SequenceEqual("msg"u8)) s.SkipValue();
                else { Counters.UnknownFields++; s.SkipValue(); }
            }
        }
        s.ExpectEnd();
        if (!s.Ok)
            return Report(s.Error == ScanError.Truncated ? MarketDataError.Truncated : MarketDataError.Malformed, instrument, receiveTimeNs, ref handler);
        if (f.HasCode && f.Code != 0)
        {
            VenueErrors++;
            LastErrorCode = f.Code;
            return Report(MarketDataError.Malformed, instrument, receiveTimeNs, ref handler);
        }
        if (f.Error != MarketDataError.None)
            return Report(f.Error, instrument, receiveTimeNs, ref handler);
        if (!f.HasCode || f.Elements != 1 || !_elements[0].HasBids || !_elements[0].HasAsks)
            return Report(MarketDataError.Malformed, instrument, receiveTimeNs, ref handler);
        ref readonly Element e = ref _elements[0];
        Counters.Snapshots++;
        handler.OnBookSnapshot(new BookSnapshot(instrument.Id, e.HasSeqId ? e.SeqId : BookDelta.NoSequence, e.Ts, receiveTimeNs,
            _bids.AsSpan(e.BidStart, e.BidCount), _asks.AsSpan(e.AskStart, e.AskCount), depthLimit));
        return MarketDataError.None;
    }

    private void ParseArg(ref JsonScanner s, ref Fields f)
    {
        if (!s.BeginObject())
            return;
        bool first = true;
        while (s.NextProperty(ref first, out var name))
        {
            if (name.SequenceEqual("channel"u8))
            {
                var c = s.ReadString();
                (f.Channel, f.DepthLimit) = c.SequenceEqual("books"u8) || c.SequenceEqual("books-l2-tbt"u8) ? (Channel.Books, 400)
                    : c.SequenceEqual("books50-l2-tbt"u8) ? (Channel.Books, 50)
                    : c.SequenceEqual("bbo-tbt"u8) ? (Channel.Bbo, 1)
                    : c.SequenceEqual("trades"u8) ? (Channel.Trades, 0)
                    : (Channel.Other, 0);
            }
            else if (name.SequenceEqual("instId"u8))
            {
                f.Instrument = _instruments.Find(s.ReadString());
                f.UnknownInstrument = f.Instrument is null;
            }
            else
            {
                s.SkipValue(); // instType, uid, instFamily: routing details we do not need
            }
        }
        f.HasArg = f.Channel != Channel.None;
        if (!f.HasArg)
            f.Error = First(f.Error, MarketDataError.Malformed);
    }

    private void ParseData(ref JsonScanner s, ref Fields f)
    {
        if (!s.BeginArray())
            return;
        bool first = true;
        bool parse = f.Instrument is not null && f.Channel is Channel.Books or Channel.Bbo or Channel.Trades;
        while (s.NextElement(ref first))
        {
            if (!parse)
                s.SkipValue();
            else if (f.Channel == Channel.Trades)
                ParseTrade(ref s, ref f);
            else
            {
                if (f.Elements == _elements.Length)
                    Array.Resize(ref _elements, _elements.Length * 2); // warm-up growth only
                _elements[f.Elements] = default;
                ParseBookElement(ref s, ref f, ref _elements[f.Elements]);
                f.Elements++;
            }
        }
    }

    private void ParseBookElement(ref JsonScanner s, ref Fields f, ref Element e)
    {
        if (!s.BeginObject())
            return;
        OkxInstrument instrument = f.Instrument!;
        bool first = true;
        while (s.NextProperty(ref first, out var name))
        {
            if (name.SequenceEqual("asks"u8))
            {
                e.AskStart = f.AskTotal;
                ParseLevels(ref s, instrument, ref _asks, ref f.AskTotal, ref f.Error);
                e.AskCount = f.AskTotal - e.AskStart;
                e.HasAsks = true;
            }
            else if (name.SequenceEqual("bids"u8))
            {
                e.BidStart = f.BidTotal;
                ParseLevels(ref s, instrument, ref _bids, ref f.BidTotal, ref f.Error);
                e.BidCount = f.BidTotal - e.BidStart;
                e.HasBids = true;
            }
            else if (name.SequenceEqual("ts"u8)) e.Ts = ReadInteger(ref s, ref f);
            else if (name.SequenceEqual("checksum"u8))
            {
                long c = s.ReadInt64();
                if (c is < int.MinValue or > int.MaxValue)
                    f.Error = First(f.Error, MarketDataError.Malformed);
                e.Checksum = (int)c;
                // OKX sends 0 once the checksum is retired (EXCHANGES.md §8.4): nothing to verify.
                e.HasChecksum = c != 0;
            }
            else if (name.SequenceEqual("seqId"u8)) { e.SeqId = s.ReadInt64(); e.HasSeqId = true; }
            else if (name.SequenceEqual("prevSeqId"u8)) { e.PrevSeqId = s.ReadInt64(); e.HasPrevSeqId = true; }
            else if (name.SequenceEqual("instId"u8)) s.SkipValue();
            else
            {
                Counters.UnknownFields++;
                s.SkipValue();
            }
        }
    }

    private void ParseTrade(ref JsonScanner s, ref Fields f)
    {
        if (!s.BeginObject())
            return;
        OkxInstrument instrument = f.Instrument!;
        long tradeId = 0, ts = 0, tick = 0, qty = 0;
        bool hasId = false, hasPx = false, hasSz = false, hasSide = false, buyerIsMaker = false;
        bool first = true;
        while (s.NextProperty(ref first, out var name))
        {
            if (name.SequenceEqual("tradeId"u8)) { tradeId = ReadInteger(ref s, ref f); hasId = true; }
            else if (name.SequenceEqual("px"u8)) { f.Error = First(f.Error, ToTick(instrument, s.ReadString(), out tick)); hasPx = true; }
            else if (name.SequenceEqual("sz"u8)) { f.Error = First(f.Error, ToQty(instrument, s.ReadString(), out qty)); hasSz = true; }
            else if (name.SequenceEqual("side"u8))
            {
                // side is the taker's: "sell" means the seller hit the bid, so the buyer was the maker.
                var side = s.ReadString();
                buyerIsMaker = side.SequenceEqual("sell"u8);
                hasSide = buyerIsMaker || side.SequenceEqual("buy"u8);
            }
            else if (name.SequenceEqual("ts"u8)) ts = ReadInteger(ref s, ref f);
            else if (name.SequenceEqual("instId"u8) || name.SequenceEqual("count"u8) || name.SequenceEqual("source"u8) || name.SequenceEqual("seqId"u8)) s.SkipValue();
            else
            {
                Counters.UnknownFields++;
                s.SkipValue();
            }
        }
        if (!hasId || !hasPx || !hasSz || !hasSide)
            f.Error = First(f.Error, MarketDataError.Malformed);
        if (f.Trades == _trades.Length)
            Array.Resize(ref _trades, _trades.Length * 2); // warm-up growth only
        _trades[f.Trades++] = new Trade(instrument.Id, tradeId, tick, qty, buyerIsMaker, ts, ts, 0, tradeId, tradeId);
    }

    /// <summary>
    /// Parses <c>[["px","sz","0","numOrders"],…]</c> into <paramref name="scratch"/> from index
    /// <paramref name="n"/> (grown as needed). The first bad number or off-tick price is recorded in
    /// <paramref name="error"/>; the rest is still consumed so the message structure is validated.
    /// </summary>
    private void ParseLevels(ref JsonScanner s, OkxInstrument instrument, ref Level[] scratch, ref int n, ref MarketDataError error)
    {
        if (!s.BeginArray())
            return;
        bool first = true;
        while (s.NextElement(ref first))
        {
            if (!s.BeginArray())
                return;
            ReadOnlySpan<byte> price = s.ReadString();
            bool afterFirst = false;
            if (!s.NextElement(ref afterFirst)) // requires and consumes the ',' between price and size
            {
                if (s.Ok) error = First(error, MarketDataError.Malformed);
                return;
            }
            ReadOnlySpan<byte> size = s.ReadString();
            bool more = false;
            while (s.NextElement(ref more)) // the deprecated "0" and the order count
                s.SkipValue();
            if (!s.Ok)
                return;
            var e1 = ToTick(instrument, price, out long tick);
            var e2 = ToQty(instrument, size, out long qty);
            error = First(error, First(e1, e2));
            if (n == scratch.Length)
                Array.Resize(ref scratch, scratch.Length * 2); // warm-up growth only
            scratch[n++] = new Level(tick, qty);
        }
    }

    /// <summary>A price at the instrument's decimals, on its tick grid, above zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MarketDataError ToTick(OkxInstrument instrument, ReadOnlySpan<byte> text, out long tick)
    {
        tick = 0;
        var err = DecimalParser.TryParse(text, instrument.Spec.PriceDecimals, allowNegative: false, out long raw);
        if (err == DecimalParseError.TooManyDecimals)
        {
            Counters.OffTick++;
            return MarketDataError.OffTick;
        }
        if (err != DecimalParseError.None || raw <= 0)
        {
            Counters.BadNumbers++;
            return MarketDataError.BadNumber;
        }
        tick = Math.DivRem(raw, instrument.TickRaw, out long rem);
        if (rem != 0)
        {
            // The venue may have changed the tick size: the router marks the book stale and asks for metadata.
            Counters.OffTick++;
            return MarketDataError.OffTick;
        }
        return MarketDataError.None;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MarketDataError ToQty(OkxInstrument instrument, ReadOnlySpan<byte> text, out long qty)
    {
        if (DecimalParser.TryParse(text, instrument.Spec.QtyDecimals, allowNegative: false, out qty) != DecimalParseError.None)
        {
            Counters.BadNumbers++;
            return MarketDataError.BadNumber;
        }
        return MarketDataError.None;
    }

    /// <summary>OKX writes ids and times as strings of digits ("1652459225464"); a bare number is accepted too.</summary>
    private static long ReadInteger(ref JsonScanner s, ref Fields f)
    {
        if (s.Peek() != (byte)'"')
            return s.ReadInt64();
        var text = s.ReadString();
        if (DecimalParser.TryParse(text, 0, allowNegative: false, out long value) != DecimalParseError.None)
            f.Error = First(f.Error, MarketDataError.Malformed);
        return value;
    }

    /// <summary>The <c>code</c> of a control or REST answer ("0" or "60012"; may be a bare number).</summary>
    private static long ReadCode(ref JsonScanner s, ref Fields f) => ReadInteger(ref s, ref f);

    private static MarketDataError First(MarketDataError a, MarketDataError b) => a != MarketDataError.None ? a : b;

    private MarketDataError Report<THandler>(MarketDataError error, OkxInstrument? instrument, long receiveTimeNs, ref THandler handler)
        where THandler : IMarketDataHandler
    {
        switch (error)
        {
            case MarketDataError.Malformed: Counters.Malformed++; break;
            case MarketDataError.Truncated: Counters.Truncated++; break;
            case MarketDataError.UnknownSymbol: Counters.UnknownSymbols++; break;
            // BadNumber and OffTick were counted where they were found.
        }
        handler.OnMessageError(instrument?.Id ?? -1, error, receiveTimeNs);
        return error;
    }
}
