namespace Fathom.Book;

/// <summary>
/// Walks one side's levels from the best price outward, without allocating: the window through
/// its occupancy index, then the spill store. Do not modify the book while enumerating.
/// </summary>
public struct LevelEnumerator
{
    private readonly BookSide _side;
    private long _key;
    private int _spillIndex;
    private byte _phase; // 0: not started, 1: window, 2: spill, 3: done
    private Level _current;

    internal LevelEnumerator(BookSide side)
    {
        _side = side;
        _key = 0;
        _spillIndex = 0;
        _phase = 0;
        _current = default;
    }

    public readonly Level Current => _current;

    public readonly LevelEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_phase <= 1)
        {
            long next = _phase == 0 ? _side.BestKey : _side.NextKeyInWindow(_key + 1);
            _phase = 1;
            if (next != BookSide.EmptyKey)
            {
                _key = next;
                _current = new Level(_side.TickOf(next), _side.QtyAtKeyInWindow(next));
                return true;
            }
            _phase = 2;
            _spillIndex = _side.SpillCountInternal;
        }
        if (_phase == 2 && _spillIndex > 0)
        {
            _spillIndex--;
            _current = new Level(_side.TickOf(_side.SpillKeyAt(_spillIndex)), _side.SpillQtyAt(_spillIndex));
            return true;
        }
        _phase = 3;
        return false;
    }
}
