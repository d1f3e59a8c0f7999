using System.Runtime.CompilerServices;
using Fathom.Book;

namespace Fathom.MarketData;

/// <summary>
/// Diffs held while a symbol waits for its snapshot: copied out of the parser's scratch buffers
/// into arrays that grow by doubling up to the bound and are then kept, so buffering allocates
/// nothing once a sync has buffered as much before. Bounded: when full the caller restarts the
/// sync (a snapshot that takes this long to arrive is useless anyway).
/// </summary>
/// <remarks>
/// Sized to the bound up front (about 4.2 MiB at the default bounds) the arrays were 40 % of what a
/// backtest run allocated, for the handful of diffs a sync buffers before its snapshot: a backtest
/// sweep builds a core per run. They start at 64 diffs and 4,096 levels instead.
/// </remarks>
internal sealed class DeltaBuffer(int maxDeltas, int maxLevels)
{
    internal struct Entry
    {
        public long First, Final, PrevFinal, ExchangeTimeMs, ReceiveTimeNs;
        public int BidStart, BidCount, AskStart, AskCount, Checksum;
        public bool HasChecksum;
    }

    private const int InitialDeltas = 64;
    private const int InitialLevels = 4_096;

    private Entry[] _entries = new Entry[Math.Min(maxDeltas, InitialDeltas)];
    private Level[] _levels = new Level[Math.Min(maxLevels, InitialLevels)];
    private int _count;
    private int _levelCount;

    public int Count => _count;

    public ref readonly Entry this[int index] => ref _entries[index];

    public bool TryAdd(in BookDelta delta)
    {
        if (_count == maxDeltas || _levelCount + delta.LevelCount > maxLevels)
            return false;
        if (_count == _entries.Length || _levelCount + delta.LevelCount > _levels.Length)
            Grow(_levelCount + delta.LevelCount);
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int levelsNeeded)
    {
        if (_count == _entries.Length)
            Array.Resize(ref _entries, (int)Math.Min(2L * _entries.Length, maxDeltas));
        if (levelsNeeded > _levels.Length)
            Array.Resize(ref _levels, (int)Math.Min(Math.Max(2L * _levels.Length, levelsNeeded), maxLevels));
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
