using System.Buffers;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// One block of a binary store, copied out of the reader's callbacks (whose spans live only during the call) so the
/// runner can hand its records over one at a time, each at its own virtual time. Instruments are mapped from the
/// store's table to the config's by symbol; records of instruments the config does not name are left out.
/// </summary>
/// <remarks>
/// Its arrays are rented from <see cref="ArrayPool{T}.Shared"/> at the largest size any block has needed so far in
/// this process, and given back by <see cref="Release"/>: the next run (a sweep's, a benchmark's) takes them back
/// already faulted in, instead of zeroing fresh megabytes and growing them again block by block.
/// </remarks>
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

    // The largest arrays a block has needed in this process (so a new instance rents them at once).
    private static int s_itemsNeeded = 4096;
    private static int s_levelsNeeded = 1 << 16;

    private Entry[] _items = ArrayPool<Entry>.Shared.Rent(Volatile.Read(ref s_itemsNeeded));
    private Level[] _levels = ArrayPool<Level>.Shared.Rent(Volatile.Read(ref s_levelsNeeded));
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
            GrowItems();
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
            GrowLevels(need);
        bids.CopyTo(_levels.AsSpan(start));
        asks.CopyTo(_levels.AsSpan(start + bids.Length));
        _levelCount = need;
        return start;
    }

    private void GrowItems()
    {
        Entry[] old = _items;
        _items = ArrayPool<Entry>.Shared.Rent(old.Length * 2);
        old.AsSpan(0, Count).CopyTo(_items);
        ArrayPool<Entry>.Shared.Return(old);
        RaiseNeeded(ref s_itemsNeeded, _items.Length);
    }

    private void GrowLevels(int need)
    {
        Level[] old = _levels;
        _levels = ArrayPool<Level>.Shared.Rent(Math.Max(need, old.Length * 2));
        old.AsSpan(0, _levelCount).CopyTo(_levels);
        ArrayPool<Level>.Shared.Return(old);
        RaiseNeeded(ref s_levelsNeeded, _levels.Length);
    }

    private static void RaiseNeeded(ref int needed, int length)
    {
        int seen = Volatile.Read(ref needed);
        while (length > seen)
        {
            int was = Interlocked.CompareExchange(ref needed, length, seen);
            if (was == seen)
                return;
            seen = was;
        }
    }

    /// <summary>Gives the arrays back to the pool; the instance must not be used after.</summary>
    public void Release()
    {
        Entry[] items = _items;
        Level[] levels = _levels;
        _items = [];
        _levels = [];
        Count = 0;
        _levelCount = 0;
        if (items.Length > 0)
            ArrayPool<Entry>.Shared.Return(items);
        if (levels.Length > 0)
            ArrayPool<Level>.Shared.Return(levels);
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
