namespace Fathom.Book;

/// <summary>
/// Walks one side's levels from the best price outward, without allocating: the window through
/// its occupancy index (from the best's slot to the end of the circular array, then from its start
/// up to the window's first slot), then the spill store. Do not modify the book while enumerating.
/// </summary>
public struct LevelEnumerator
{
    private readonly BookSide _side;
    private OccupancyIndex.Walk _walk;
    private int _spillIndex;
    private byte _phase; // 0: not started, 1: window before the wrap, 2: window after the wrap, 3: spill, 4: done
    private Level _current;

    internal LevelEnumerator(BookSide side)
    {
        _side = side;
        _walk = default;
        _spillIndex = 0;
        _phase = 0;
        _current = default;
    }

    public readonly Level Current => _current;

    public readonly LevelEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_phase == 0)
        {
            if (_side.IsEmpty)
            {
                _phase = 4; // an empty side has nothing spilled either (its best is always in the window)
                return false;
            }
            // Keys [base, base + size) sit in slots baseSlot..size-1, then 0..baseSlot-1.
            int bestSlot = _side.SlotOf(_side.BestKey), baseSlot = _side.BaseSlot;
            bool wrapped = bestSlot < baseSlot;
            _walk = _side.Index.StartWalk(bestSlot, wrapped ? baseSlot : _side.WindowSize);
            _phase = wrapped ? (byte)2 : (byte)1;
        }
        while (_phase <= 2)
        {
            if (_side.Index.Next(ref _walk, out int slot))
            {
                _current = new Level(_side.TickOf(_side.KeyOfSlot(slot)), _side.QtyAtSlot(slot));
                return true;
            }
            if (_phase == 1 && _side.BaseSlot > 0)
            {
                _walk = _side.Index.StartWalk(0, _side.BaseSlot);
                _phase = 2;
                continue;
            }
            _phase = 3;
            _spillIndex = _side.SpillCountInternal;
        }
        if (_phase == 3 && _spillIndex > 0)
        {
            _spillIndex--;
            _current = new Level(_side.TickOf(_side.SpillKeyAt(_spillIndex)), _side.SpillQtyAt(_spillIndex));
            return true;
        }
        _phase = 4;
        return false;
    }
}
