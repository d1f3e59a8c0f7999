using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// The blocks of a binary-store source, read and decoded once for both of its cursors (the venue's, at exchange time,
/// and the core's, a feed latency later): each cursor asks for blocks by number, in order; a block is kept until
/// both have moved past it, then its buffers are reused. The two sides see the same records in the same order as
/// when each read the files itself, with half the reading. <see cref="Dispose"/> gives every block's arrays back to
/// the shared pool (see <see cref="StoreEvents"/>).
/// </summary>
internal sealed class StoreBlockSource : IDisposable
{
    private readonly IReadOnlyList<string> _files;
    private readonly IReadOnlyList<InstrumentSpec> _specs;
    private readonly List<StoreEvents> _blocks = []; // decoded and not yet passed by both sides; _blocks[0] is block _first
    private readonly Stack<StoreEvents> _spare = new();
    private readonly long[] _at = new long[2]; // the block each side is on
    private long _first;
    private int _file = -1;
    private StoreReader? _reader;
    private int[] _map = [];
    private bool _ended;

    public StoreBlockSource(IReadOnlyList<string> files, IReadOnlyList<InstrumentSpec> specs)
    {
        _files = files;
        _specs = specs;
    }

    /// <summary>Corrupt blocks skipped and torn tails, over the files read so far.</summary>
    public long CorruptBlocks { get; private set; }

    /// <summary>
    /// Block <paramref name="number"/> for <paramref name="side"/> (0 or 1), which is done with every earlier one;
    /// null past the end. Never an empty block.
    /// </summary>
    public StoreEvents? Block(int side, long number)
    {
        _at[side] = number;
        long passed = Math.Min(_at[0], _at[1]);
        while (_first < passed && _blocks.Count > 0)
        {
            _spare.Push(_blocks[0]);
            _blocks.RemoveAt(0);
            _first++;
        }
        while (number - _first >= _blocks.Count)
        {
            StoreEvents? next = ReadBlock();
            if (next is null)
                return null;
            _blocks.Add(next);
        }
        return _blocks[(int)(number - _first)];
    }

    private StoreEvents? ReadBlock()
    {
        if (_ended)
            return null;
        StoreEvents events = _spare.Count > 0 ? _spare.Pop() : new StoreEvents();
        while (true)
        {
            if (_reader is null)
            {
                if (++_file >= _files.Count)
                {
                    _ended = true;
                    _spare.Push(events);
                    return null;
                }
                try
                {
                    _reader = StoreReader.Open(_files[_file]);
                }
                catch (InvalidDataException ex)
                {
                    throw new InvalidDataException($"{_files[_file]}: {ex.Message}", ex);
                }
                _map = StoreEvents.MapOf(_reader.Instruments, _specs);
            }
            events.Clear();
            events.UseMap(_map);
            if (_reader.ReadBlock(ref events))
            {
                if (events.Count > 0)
                    return events;
                continue;
            }
            CorruptBlocks += _reader.CorruptBlocks + (_reader.TornTail ? 1 : 0);
            _reader.Dispose();
            _reader = null;
        }
    }

    // Both cursors dispose their source: the second call finds nothing left to give back.
    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
        _ended = true;
        foreach (StoreEvents events in _blocks)
            events.Release();
        _blocks.Clear();
        while (_spare.Count > 0)
            _spare.Pop().Release();
    }
}
