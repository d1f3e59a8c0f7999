using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// One block of a binary store, copied out of the reader's callbacks (whose spans live only during the call) so the
/// runner can hand its records over one at a time, each at its own virtual time. Instruments are mapped from the
/// store's table to the config's by symbol; records of instruments the config does not name are left out.
/// </summary>
internal sealed class StoreEvents : IMarketDataHandler
{
    internal struct Entry
    {
        public StoreRecordType Type;
        public int Instrument;
        public long FirstId, FinalId, PrevFinalId;
        public long ExchangeMs, ReceiveNs;
        public int LevelStart, Bids, Asks, Depth;
        public TopOfBook Top;
        public Trade Trade;
        public long Arg;
        public MarketDataError Error;
    }

    private Entry[] _items = new Entry[4096];
    private Level[] _levels = new Level[1 << 16];
    private int _levelCount;
    private int[] _map = [];

    public int Count { get; private set; }
    public ref Entry this[int i] => ref _items[i];
    public ReadOnlySpan<Level> Levels(int start, int count) => _levels.AsSpan(start, count);

    /// <summary>Maps the store's instrument ids (its table) to the config's; -1 for symbols not configured.</summary>
    public static int[] MapOf(IReadOnlyList<InstrumentSpec> store, IReadOnlyList<InstrumentSpec> config)
    {
        var map = new int[store.Count];
        for (int i = 0; i < store.Count; i++)
        {
            map[i] = -1;
            for (int k = 0; k < config.Count; k++)
                if (config[k].Symbol == store[i].Symbol)
                    map[i] = k;
        }
        return map;
    }

    /// <summary>The instrument map (from <see cref="MapOf"/>) for the records added next.</summary>
    public void UseMap(int[] map) => _map = map;

    public void Clear()
    {
        Count = 0;
        _levelCount = 0;
    }

    private ref Entry Add(StoreRecordType type, int storeInstrument, out bool kept)
    {
        int instrument = (uint)storeInstrument < (uint)_map.Length ? _map[storeInstrument] : -1;
        kept = instrument >= 0 || storeInstrument < 0;
        if (!kept)
            return ref _items[0];
        if (Count == _items.Length)
            Array.Resize(ref _items, _items.Length * 2);
        ref Entry item = ref _items[Count++];
        item = default;
        item.Type = type;
        item.Instrument = instrument;
        return ref item;
    }

    private int AddLevels(ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
    {
        int start = _levelCount;
        int need = start + bids.Length + asks.Length;
        if (need > _levels.Length)
            Array.Resize(ref _levels, Math.Max(need, _levels.Length * 2));
        bids.CopyTo(_levels.AsSpan(start));
        asks.CopyTo(_levels.AsSpan(start + bids.Length));
        _levelCount = need;
        return start;
    }

    public void OnBookDelta(in BookDelta delta)
    {
        ref Entry item = ref Add(StoreRecordType.BookDelta, delta.InstrumentId, out bool kept);
        if (!kept)
            return;
        item.FirstId = delta.FirstUpdateId;
        item.FinalId = delta.FinalUpdateId;
        item.PrevFinalId = delta.PrevFinalUpdateId;
        item.ExchangeMs = delta.ExchangeTimeMs;
        item.ReceiveNs = delta.ReceiveTimeNs;
        item.LevelStart = AddLevels(delta.Bids, delta.Asks);
        item.Bids = delta.Bids.Length;
        item.Asks = delta.Asks.Length;
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        ref Entry item = ref Add(StoreRecordType.BookSnapshot, snapshot.InstrumentId, out bool kept);
        if (!kept)
            return;
        item.FinalId = snapshot.LastUpdateId;
        item.ExchangeMs = snapshot.ExchangeTimeMs;
        item.ReceiveNs = snapshot.ReceiveTimeNs;
        item.Depth = snapshot.DepthLimit;
        item.LevelStart = AddLevels(snapshot.Bids, snapshot.Asks);
        item.Bids = snapshot.Bids.Length;
        item.Asks = snapshot.Asks.Length;
    }

    public void OnTopOfBook(in TopOfBook top)
    {
        ref Entry item = ref Add(StoreRecordType.TopOfBook, top.InstrumentId, out bool kept);
        if (!kept)
            return;
        item.Top = top with { InstrumentId = item.Instrument };
        item.ExchangeMs = top.ExchangeTimeMs;
        item.ReceiveNs = top.ReceiveTimeNs;
    }

    public void OnTrade(in Trade trade)
    {
        ref Entry item = ref Add(StoreRecordType.Trade, trade.InstrumentId, out bool kept);
        if (!kept)
            return;
        item.Trade = trade with { InstrumentId = item.Instrument };
        item.ExchangeMs = trade.ExchangeTimeMs;
        item.ReceiveNs = trade.ReceiveTimeNs;
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs)
    {
        ref Entry item = ref Add(StoreRecordType.ServerShutdown, -1, out _);
        item.ExchangeMs = exchangeTimeMs;
        item.ReceiveNs = receiveTimeNs;
    }

    public void OnBookGridChanged(int instrumentId, long newTickRaw)
    {
        ref Entry item = ref Add(StoreRecordType.BookGridChanged, instrumentId, out bool kept);
        if (!kept)
            return;
        item.Arg = newTickRaw;
        item.ReceiveNs = -1; // no time of its own: it goes with the record after it
    }

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs)
    {
        ref Entry item = ref Add(StoreRecordType.MessageError, instrumentId, out bool kept);
        if (!kept)
            return;
        item.Error = error;
        item.ReceiveNs = receiveTimeNs;
    }
}
