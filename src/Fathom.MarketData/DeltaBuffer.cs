using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// Diffs held while a symbol waits for its snapshot: copied out of the parser's scratch buffers
/// into pre-sized arrays, so buffering allocates nothing. Bounded: when full the caller restarts
/// the sync (a snapshot that takes this long to arrive is useless anyway).
/// </summary>
internal sealed class DeltaBuffer(int maxDeltas, int maxLevels)
{
    internal struct Entry
    {
        public long First, Final, PrevFinal, ExchangeTimeMs, ReceiveTimeNs;
        public int BidStart, BidCount, AskStart, AskCount, Checksum;
        public bool HasChecksum;
    }

    private readonly Entry[] _entries = new Entry[maxDeltas];
    private readonly Level[] _levels = new Level[maxLevels];
    private int _count;
    private int _levelCount;

    public int Count => _count;

    public ref readonly Entry this[int index] => ref _entries[index];

    public bool TryAdd(in BookDelta delta)
    {
        if (_count == _entries.Length || _levelCount + delta.LevelCount > _levels.Length)
            return false;
        ref Entry e = ref _entries[_count++];
        e.First = delta.FirstUpdateId;
        e.Final = delta.FinalUpdateId;
        e.PrevFinal = delta.PrevFinalUpdateId;
        e.ExchangeTimeMs = delta.ExchangeTimeMs;
        e.ReceiveTimeNs = delta.ReceiveTimeNs;
        e.Checksum = delta.Checksum;
        e.HasChecksum = delta.HasChecksum;
        e.BidStart = _levelCount;
        e.BidCount = delta.Bids.Length;
        delta.Bids.CopyTo(_levels.AsSpan(_levelCount));
        _levelCount += delta.Bids.Length;
        e.AskStart = _levelCount;
        e.AskCount = delta.Asks.Length;
        delta.Asks.CopyTo(_levels.AsSpan(_levelCount));
        _levelCount += delta.Asks.Length;
        return true;
    }

    public BookDelta ToDelta(int index, int instrumentId)
    {
        ref readonly Entry e = ref _entries[index];
        return new BookDelta(instrumentId, e.First, e.Final, e.PrevFinal, e.ExchangeTimeMs, e.ReceiveTimeNs,
            _levels.AsSpan(e.BidStart, e.BidCount), _levels.AsSpan(e.AskStart, e.AskCount), e.Checksum, e.HasChecksum);
    }

    /// <summary>Moves buffered prices to a grid <paramref name="factor"/> times finer.</summary>
    public void Rescale(long factor)
    {
        for (int i = 0; i < _levelCount; i++)
            _levels[i] = new Level(checked(_levels[i].Tick * factor), _levels[i].Qty);
    }

    public void Clear()
    {
        _count = 0;
        _levelCount = 0;
    }
}
