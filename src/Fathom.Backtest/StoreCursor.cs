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
    private readonly IReadOnlyList<string> _files;
    private readonly IReadOnlyList<InstrumentSpec> _specs;
    private readonly MessageClock _clock;
    private readonly BinanceFeedCore? _core;
    private readonly StoreEvents _events = new();
    private VenueFeed _feed;
    private int _file = -1;
    private StoreReader? _reader;
    private int _next;

    /// <summary>The core's side when <paramref name="core"/> is given, else the venue's.</summary>
    public StoreCursor(IReadOnlyList<string> files, IReadOnlyList<InstrumentSpec> specs, MessageClock clock,
        BinanceFeedCore? core, IBacktestVenue? venue, long[] tickRaw)
    {
        _files = files;
        _specs = specs;
        _clock = clock;
        _core = core;
        _feed = new VenueFeed(venue!, tickRaw);
        Advance();
    }

    public override long Events => _feed.Events;

    /// <summary>Corrupt blocks skipped and torn tails, over the files read so far.</summary>
    public long CorruptBlocks { get; private set; }

    public override void Dispatch()
    {
        long t = NextNs;
        ref StoreEvents.Entry item = ref _events[_next];
        if (_core is null)
        {
            _feed.NowNs = t;
            Deliver(ref item, ref _feed, t);
        }
        else
        {
            // The runner holds the core lock for its whole loop.
            MarketDataRouter router = _core.Router;
            Deliver(ref item, ref router, t);
            _core.AfterApply?.Invoke(t);
        }
        _next++;
        Advance();
    }

    private void Deliver<THandler>(ref StoreEvents.Entry item, ref THandler handler, long t) where THandler : IMarketDataHandler
    {
        switch (item.Type)
        {
            case StoreRecordType.BookDelta:
                handler.OnBookDelta(new BookDelta(item.Instrument, item.FirstId, item.FinalId, item.PrevFinalId, item.ExchangeMs, t,
                    _events.Levels(item.LevelStart, item.Bids), _events.Levels(item.LevelStart + item.Bids, item.Asks)));
                break;
            case StoreRecordType.BookSnapshot:
                handler.OnBookSnapshot(new BookSnapshot(item.Instrument, item.FinalId, item.ExchangeMs, t,
                    _events.Levels(item.LevelStart, item.Bids), _events.Levels(item.LevelStart + item.Bids, item.Asks), item.Depth));
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
        while (_next >= _events.Count)
        {
            if (!ReadBlock())
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

    private bool ReadBlock()
    {
        _events.Clear();
        _next = 0;
        while (true)
        {
            if (_reader is null)
            {
                if (++_file >= _files.Count)
                    return false;
                try
                {
                    _reader = StoreReader.Open(_files[_file]);
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidDataException($"{_files[_file]}: {ex.Message}", ex);
                }
                _events.SetInstruments(_reader.Instruments, _specs);
            }
            StoreEvents events = _events;
            if (_reader.ReadBlock(ref events))
            {
                if (_events.Count > 0)
                    return true;
                continue;
            }
            CorruptBlocks += _reader.CorruptBlocks + (_reader.TornTail ? 1 : 0);
            _reader.Dispose();
            _reader = null;
        }
    }

    public override void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
        _file = _files.Count;
    }
}
