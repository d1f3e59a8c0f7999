using Fathom.Venues.Binance;

namespace Fathom.Backtest;

/// <summary>The core's side of a JSON source: each raw frame or snapshot to the feed core at its core time, as the live feed hands them over.</summary>
internal sealed class JsonCoreCursor : MarketCursor
{
    private readonly RawMessageReader _reader;
    private readonly MessageClock _clock;
    private readonly BinanceFeedCore _core;

    public JsonCoreCursor(RawMessageReader reader, MessageClock clock, BinanceFeedCore core)
    {
        _reader = reader;
        _clock = clock;
        _core = core;
        Advance();
    }

    public override void Dispatch()
    {
        long t = NextNs;
        lock (_core.CoreLock)
        {
            // The virtual time is both the read stamp and the receive time: feed lag is the modelled latency.
            if (_reader.IsSnapshot)
                _core.ApplySnapshot(_reader.Instrument, _reader.Depth, _reader.Message, t, t);
            else
                _core.ApplyFrame(_reader.Message, t, t, 1);
        }
        Advance();
    }

    private void Advance()
    {
        if (_reader.Read())
        {
            _clock.Stamp(_reader.ExchangeMs, _reader.ReceiveNs);
            NextNs = _clock.CoreNs;
        }
        else
        {
            NextNs = long.MaxValue;
        }
    }

    public override void Dispose() => _reader.Dispose();
}

/// <summary>The venue's side of a JSON source: each message parsed (by a parser of its own) and handed to the venue at exchange time.</summary>
internal sealed class JsonVenueCursor : MarketCursor
{
    private readonly RawMessageReader _reader;
    private readonly MessageClock _clock;
    private readonly BinanceStreamParser _parser;
    private readonly BinanceSymbolTable _symbols;
    private VenueFeed _feed;

    public JsonVenueCursor(RawMessageReader reader, MessageClock clock, BinanceSymbolTable symbols, IBacktestVenue venue, long[] tickRaw)
    {
        _reader = reader;
        _clock = clock;
        _symbols = symbols;
        _parser = new BinanceStreamParser(symbols);
        _feed = new VenueFeed(venue, tickRaw);
        Advance();
    }

    public override long Events => _feed.Events;

    public override void Dispatch()
    {
        _feed.NowNs = NextNs;
        if (_reader.IsSnapshot)
            _parser.ParseSnapshot(_reader.Message, _symbols[_reader.Instrument], _reader.Depth, _reader.ReceiveNs, ref _feed);
        else
            _parser.ParseFrame(_reader.Message, _reader.ReceiveNs, ref _feed);
        Advance();
    }

    private void Advance()
    {
        if (_reader.Read())
        {
            _clock.Stamp(_reader.ExchangeMs, _reader.ReceiveNs);
            NextNs = _clock.VenueNs;
        }
        else
        {
            NextNs = long.MaxValue;
        }
    }

    public override void Dispose() => _reader.Dispose();
}
