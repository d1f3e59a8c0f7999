using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Backtest;

/// <summary>
/// One side of a binary-store source: each record to the feed core's router (then the engine, as after a parsed frame)
/// at its core time, or to the venue at exchange time. No JSON: the store holds what the parser delivered.
/// </summary>
internal sealed class StoreCursor : MarketCursor
{
    private readonly StoreBlockSource _source;
    private readonly int _side;
    private readonly MessageClock _clock;
    private readonly BinanceFeedCore? _core;
    private VenueFeed _feed;
    private StoreEvents? _events;
    private long _block;
    private int _next;

    /// <summary>The core's side (side 1) when <paramref name="core"/> is given, else the venue's (side 0); both read <paramref name="source"/>.</summary>
    public StoreCursor(StoreBlockSource source, MessageClock clock, BinanceFeedCore? core, IBacktestVenue? venue, long[] tickRaw)
    {
        _source = source;
        _side = core is null ? 0 : 1;
        _clock = clock;
        _core = core;
        _feed = new VenueFeed(venue!, tickRaw);
        Advance();
    }

    public override long Events => _feed.Events;

    public override void Dispatch()
    {
        long t = NextNs;
        StoreEvents events = _events!;
        ref StoreEvents.Entry item = ref events[_next];
        if (_core is null)
        {
            _feed.NowNs = t;
            Deliver(events, ref item, ref _feed, t);
        }
        else
        {
            // The runner holds the core lock for its whole loop.
            MarketDataRouter router = _core.Router;
            Deliver(events, ref item, ref router, t);
            _core.AfterApply?.Invoke(t);
        }
        _next++;
        Advance();
    }

    private static void Deliver<THandler>(StoreEvents events, ref StoreEvents.Entry item, ref THandler handler, long t) where THandler : IMarketDataHandler
    {
        switch (item.Type)
        {
            case StoreRecordType.BookDelta:
                handler.OnBookDelta(new BookDelta(item.Instrument, item.FirstId, item.FinalId, item.PrevFinalId, item.ExchangeMs, t,
                    events.Levels(item.LevelStart, item.Bids), events.Levels(item.LevelStart + item.Bids, item.Asks)));
                break;
            case StoreRecordType.BookSnapshot:
                handler.OnBookSnapshot(new BookSnapshot(item.Instrument, item.FinalId, item.ExchangeMs, t,
                    events.Levels(item.LevelStart, item.Bids), events.Levels(item.LevelStart + item.Bids, item.Asks), item.Depth));
                break;
            case StoreRecordType.TopOfBook:
                handler.OnTopOfBook(item.Top with { ReceiveTimeNs = t });
                break;
            case StoreRecordType.Trade:
                handler.OnTrade(item.Trade with { ReceiveTimeNs = t });
                break;
            case StoreRecordType.BookGridChanged:
                handler.OnBookGridChanged(item.Instrument, item.Arg);
                break;
            case StoreRecordType.ServerShutdown:
                handler.OnServerShutdown(item.ExchangeMs, t);
                break;
            case StoreRecordType.MessageError:
                handler.OnMessageError(item.Instrument, item.Error, t);
                break;
        }
    }

    private void Advance()
    {
        while (_events is null || _next >= _events.Count)
        {
            if (_events is not null)
            {
                _block++;
                _next = 0;
            }
            _events = _source.Block(_side, _block);
            if (_events is null)
            {
                NextNs = long.MaxValue;
                return;
            }
        }
        ref StoreEvents.Entry item = ref _events[_next];
        if (item.ReceiveNs >= 0)
            _clock.Stamp(item.ExchangeMs, item.ReceiveNs);
        NextNs = _core is null ? _clock.VenueNs : _clock.CoreNs;
    }

    public override void Dispose() => _source.Dispose();
}
