using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Fathom.Book;
using Fathom.Core;

namespace Fathom.MarketData;

/// <summary>
/// Reads a <c>.fathomstore</c> file written by <see cref="StoreWriter"/> and delivers its events, in
/// order, to an <see cref="IMarketDataHandler"/>: the same calls the venue parser made when the store
/// was written, without any JSON.
/// </summary>
/// <remarks>
/// Entry points: <see cref="Instruments"/> (loaded by the constructor), <see cref="ReadBlock{THandler}"/>,
/// <see cref="ReadAll{THandler}"/>, <see cref="Rewind"/>. Zero allocation per block and per event
/// once the block buffer has grown to the largest block: a block is read into one reusable buffer
/// (rented from <see cref="ArrayPool{T}.Shared"/> and returned by <see cref="Dispose"/>, so readers opened one
/// after another, as a backtest's passes and a sweep's runs do, reuse the same memory instead of faulting in and
/// zeroing a fresh megabyte each),
/// its CRC-32C checked, its record layout validated, and then its records dispatched. On a
/// little-endian machine the levels of a delta or snapshot are handed out as a span over the block
/// buffer itself (a level is stored exactly as <see cref="Level"/> lays out in memory, two int64s), so
/// nothing is copied; elsewhere they are decoded into reusable scratch arrays. Either way a span is
/// valid only during the callback, as with the parser. A torn tail (the file ends inside a block) and
/// a block whose CRC fails are counted and skipped; a block header that fails its own CRC ends the read
/// (a store is derived data: regenerate it from the recording). Not thread-safe.
/// </remarks>
public sealed class StoreReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly bool _verifyChecksums;
    private readonly byte[] _header = new byte[StoreFormat.BlockHeaderSize];
    private readonly List<InstrumentSpec> _instruments = [];
    private byte[] _block = ArrayPool<byte>.Shared.Rent(1 << 20);
    private Level[] _bidScratch = [];
    private Level[] _askScratch = [];
    private long _eventsStart;
    private bool _end;

    public StoreReader(Stream stream, bool ownsStream = true, bool verifyChecksums = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = ownsStream;
        _verifyChecksums = verifyChecksums;

        Span<byte> header = stackalloc byte[StoreFormat.FileHeaderSize];
        int n = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> magic = StoreFormat.FileMagic;
        if (!header[..Math.Min(n, magic.Length)].SequenceEqual(magic[..Math.Min(n, magic.Length)]))
            throw new InvalidDataException("Not a Fathom store (.fathomstore): the file does not start with 'FATHOMST'.");
        if (n < header.Length)
        {
            TornTail = n > 0;
            TornTailBytes = n;
            _end = true;
            return;
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != StoreFormat.Version)
            throw new InvalidDataException($"Store format version {version} is not supported (this build reads version {StoreFormat.Version}).");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32C.Compute(header[..12]))
            throw new InvalidDataException("The store's file header fails its CRC.");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        for (int skip = headerLength - StoreFormat.FileHeaderSize; skip > 0; skip--)
            if (_stream.ReadByte() < 0)
                break;

        // The first block is the instrument table.
        if (NextBlock(out int length))
        {
            ReadInstruments(_block.AsSpan(0, length));
            Blocks--; // counted as metadata, not as an event block
        }
        _eventsStart = _stream.CanSeek ? _stream.Position : -1;
    }

    public static StoreReader Open(string path, bool verifyChecksums = true) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1), ownsStream: true, verifyChecksums);

    /// <summary>True when <paramref name="firstBytes"/> start with the store magic ("FATHOMST").</summary>
    public static bool HasMagic(ReadOnlySpan<byte> firstBytes) => firstBytes.StartsWith(StoreFormat.FileMagic);

    /// <summary>The instruments, indexed by the instrument id the events carry.</summary>
    public IReadOnlyList<InstrumentSpec> Instruments => _instruments;

    /// <summary>Event blocks read.</summary>
    public long Blocks { get; private set; }
    /// <summary>Records delivered: one per handler call.</summary>
    public long Messages { get; private set; }
    /// <summary>Levels of deltas and snapshots, plus every other record (see docs/benchmarks.md).</summary>
    public long Events { get; private set; }
    public long Levels { get; private set; }
    public long CorruptBlocks { get; private set; }
    public bool TornTail { get; private set; }
    public long TornTailBytes { get; private set; }
    /// <summary>Records of a type this version does not know, skipped by their length.</summary>
    public long UnknownRecords { get; private set; }

    /// <summary>Goes back to the first event (seekable streams only); counters keep counting.</summary>
    public void Rewind()
    {
        if (_eventsStart < 0)
            ThrowHelper.ThrowInvalidOperation("the store stream cannot seek.");
        _stream.Position = _eventsStart;
        _end = false;
        TornTail = false;
    }

    /// <summary>
    /// The smallest (receive ns − exchange ms × 10⁶) over the events that carry an exchange time (deltas, snapshots,
    /// tickers, trades), or null when none does: what a backtest shifts exchange times by. Read from the block headers
    /// where the writer recorded each block's minimum, so only the headers are read; a block without one (a store
    /// written before the field, a lag of 0 or beyond ±2.1 s) is read and decoded. Blocks are met as a read meets
    /// them: a header failing its CRC ends the scan, a block cut short by the end of the file is left out, a corrupt
    /// one is skipped. Leaves the reader at the first event (seekable streams only); the counters count what it
    /// decoded and any damage it met.
    /// </summary>
    public long? MinReceiveLagNs()
    {
        if (_eventsStart < 0)
            ThrowHelper.ThrowInvalidOperation("the store stream cannot seek.");
        var lag = new MinLagHandler();
        long fileLength = _stream.Length;
        _stream.Position = _eventsStart;
        _end = false;
        while (NextBlockHeader(out int length, out int records, out uint crc))
        {
            int stored = StoreFormat.ReadMinLag(_header);
            if (stored == StoreFormat.LagNotRecorded)
            {
                if (ReadBlockPayload(length, records, crc))
                    Dispatch(_block.AsSpan(0, length), ref lag);
                continue;
            }
            long next = _stream.Position + length;
            if (next > fileLength)
                break; // cut short by the end of the file: left out, as a read leaves it out
            if (stored != StoreFormat.LagNoSample)
                lag.Min = Math.Min(lag.Min, stored);
            _stream.Position = next;
        }
        Rewind();
        return lag.Min == long.MaxValue ? null : lag.Min;
    }

    private struct MinLagHandler : IMarketDataHandler
    {
        public MinLagHandler() { }

        public long Min = long.MaxValue;

        private void Sample(long exchangeMs, long receiveNs) => Min = StoreFormat.MinLag(Min, exchangeMs, receiveNs);

        public void OnBookDelta(in BookDelta delta) => Sample(delta.ExchangeTimeMs, delta.ReceiveTimeNs);
        public void OnBookSnapshot(in BookSnapshot snapshot) => Sample(snapshot.ExchangeTimeMs, snapshot.ReceiveTimeNs);
        public void OnTopOfBook(in TopOfBook top) => Sample(top.ExchangeTimeMs, top.ReceiveTimeNs);
        public void OnTrade(in Trade trade) => Sample(trade.ExchangeTimeMs, trade.ReceiveTimeNs);
        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) { }
        public void OnBookGridChanged(int instrumentId, long newTickRaw) { }
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) { }
    }

    /// <summary>Reads all remaining events into <paramref name="handler"/>; returns the number of messages delivered.</summary>
    public long ReadAll<THandler>(ref THandler handler) where THandler : IMarketDataHandler
    {
        long before = Messages;
        while (ReadBlock(ref handler))
        {
        }
        return Messages - before;
    }

    /// <summary>Reads one block and delivers its events; false at the end of the readable data.</summary>
    public bool ReadBlock<THandler>(ref THandler handler) where THandler : IMarketDataHandler
    {
        if (!NextBlock(out int length))
            return false;
        Dispatch(_block.AsSpan(0, length), ref handler);
        return true;
    }

    private bool NextBlock(out int length)
    {
        while (NextBlockHeader(out length, out int records, out uint crc))
        {
            if (ReadBlockPayload(length, records, crc))
            {
                Blocks++;
                return true;
            }
        }
        return false;
    }

    // The next block's header, into _header; false at the end of the readable data (the file ends, or inside the
    // header: torn; or the header fails its CRC: its length cannot be trusted, so neither can anything after it).
    private bool NextBlockHeader(out int length, out int records, out uint crc)
    {
        length = records = 0;
        crc = 0;
        if (_end)
            return false;
        int got = _stream.ReadAtLeast(_header, _header.Length, throwOnEndOfStream: false);
        if (got == 0)
        {
            _end = true;
            return false;
        }
        if (got < _header.Length)
            return Torn(got);
        if (!StoreFormat.TryReadBlockHeader(_header, out length, out records, out crc))
        {
            CorruptBlocks++;
            _end = true;
            return false;
        }
        return true;
    }

    // The payload of the header just read, into _block and checked; false when the file ends inside it (torn: the
    // end) or it fails its CRC or layout (counted; the next block follows).
    private bool ReadBlockPayload(int length, int records, uint crc)
    {
        if (_block.Length < length)
            GrowBlock(length);
        int got = _stream.ReadAtLeast(_block.AsSpan(0, length), length, throwOnEndOfStream: false);
        if (got < length)
            return Torn(_header.Length + got);
        ReadOnlySpan<byte> payload = _block.AsSpan(0, length);
        if ((_verifyChecksums && Crc32C.Compute(payload) != crc) || !Validate(payload, records))
        {
            CorruptBlocks++;
            return false;
        }
        return true;
    }

    private void GrowBlock(int length)
    {
        byte[] old = _block;
        _block = ArrayPool<byte>.Shared.Rent(length);
        if (old.Length > 0)
            ArrayPool<byte>.Shared.Return(old);
    }

    private bool Torn(int bytes)
    {
        TornTail = true;
        TornTailBytes = bytes;
        _end = true;
        return false;
    }

    // Checks that the records tile the block and each has the length its type and level counts say,
    // so dispatch can read without bounds surprises; and counts messages, events and levels.
    private bool Validate(ReadOnlySpan<byte> block, int records)
    {
        int offset = 0, count = 0;
        long events = 0, levels = 0;
        while (offset < block.Length)
        {
            if (block.Length - offset < StoreFormat.PrefixSize)
                return false;
            ReadOnlySpan<byte> r = block[offset..];
            int length = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            if (length < StoreFormat.PrefixSize || (length & 7) != 0 || length > r.Length)
                return false;
            switch ((StoreRecordType)r[0])
            {
                case StoreRecordType.BookDelta:
                case StoreRecordType.BookSnapshot:
                {
                    int fixedSize = r[0] == (byte)StoreRecordType.BookDelta ? StoreFormat.DeltaHeaderSize : StoreFormat.SnapshotHeaderSize;
                    if (length < fixedSize)
                        return false;
                    long n = (long)BinaryPrimitives.ReadInt32LittleEndian(r[8..]) + BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
                    if (BinaryPrimitives.ReadInt32LittleEndian(r[8..]) < 0 || BinaryPrimitives.ReadInt32LittleEndian(r[12..]) < 0
                        || fixedSize + n * StoreFormat.LevelSize != length)
                        return false;
                    events += n;
                    levels += n;
                    break;
                }
                case StoreRecordType.TopOfBook:
                    if (length < StoreFormat.TopOfBookSize) return false;
                    events++;
                    break;
                case StoreRecordType.Trade:
                    if (length < StoreFormat.TradeSize) return false;
                    events++;
                    break;
                case StoreRecordType.BookGridChanged:
                    if (length < StoreFormat.GridChangedSize) return false;
                    events++;
                    break;
                case StoreRecordType.ServerShutdown:
                    if (length < StoreFormat.ServerShutdownSize) return false;
                    events++;
                    break;
                case StoreRecordType.MessageError:
                    if (length < StoreFormat.MessageErrorSize) return false;
                    events++;
                    break;
                case StoreRecordType.Instrument:
                    if (length < StoreFormat.InstrumentHeaderSize
                        || (uint)BinaryPrimitives.ReadInt32LittleEndian(r[76..]) > (uint)(length - StoreFormat.InstrumentHeaderSize))
                        return false;
                    break;
            }
            offset += length;
            count++;
        }
        if (count != records)
            return false;
        Events += events;
        Levels += levels;
        return true;
    }

    private void Dispatch<THandler>(ReadOnlySpan<byte> block, ref THandler handler) where THandler : IMarketDataHandler
    {
        int offset = 0;
        while (offset < block.Length)
        {
            ReadOnlySpan<byte> r = block[offset..];
            int length = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            int instrument = BinaryPrimitives.ReadUInt16LittleEndian(r[2..]);
            if (instrument == StoreFormat.NoInstrument)
                instrument = -1;
            offset += length;
            Messages++;
            switch ((StoreRecordType)r[0])
            {
                case StoreRecordType.BookDelta:
                {
                    int bids = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
                    int asks = BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
                    GetLevels(r.Slice(StoreFormat.DeltaHeaderSize, length - StoreFormat.DeltaHeaderSize), bids, asks,
                        out ReadOnlySpan<Level> bidLevels, out ReadOnlySpan<Level> askLevels);
                    handler.OnBookDelta(new BookDelta(instrument,
                        BinaryPrimitives.ReadInt64LittleEndian(r[16..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[24..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[32..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[40..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[48..]),
                        bidLevels, askLevels));
                    break;
                }
                case StoreRecordType.BookSnapshot:
                {
                    int bids = BinaryPrimitives.ReadInt32LittleEndian(r[8..]);
                    int asks = BinaryPrimitives.ReadInt32LittleEndian(r[12..]);
                    GetLevels(r.Slice(StoreFormat.SnapshotHeaderSize, length - StoreFormat.SnapshotHeaderSize), bids, asks,
                        out ReadOnlySpan<Level> bidLevels, out ReadOnlySpan<Level> askLevels);
                    handler.OnBookSnapshot(new BookSnapshot(instrument,
                        BinaryPrimitives.ReadInt64LittleEndian(r[16..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[32..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[40..]),
                        bidLevels, askLevels,
                        BinaryPrimitives.ReadInt32LittleEndian(r[24..])));
                    break;
                }
                case StoreRecordType.TopOfBook:
                    handler.OnTopOfBook(new TopOfBook(instrument,
                        BinaryPrimitives.ReadInt64LittleEndian(r[8..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[16..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[24..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[32..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[40..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[48..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[56..])));
                    break;
                case StoreRecordType.Trade:
                    handler.OnTrade(new Trade(instrument,
                        BinaryPrimitives.ReadInt64LittleEndian(r[8..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[16..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[24..]),
                        (r[1] & StoreFormat.FlagBuyerIsMaker) != 0,
                        BinaryPrimitives.ReadInt64LittleEndian(r[32..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[40..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[48..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[56..]),
                        BinaryPrimitives.ReadInt64LittleEndian(r[64..])));
                    break;
                case StoreRecordType.BookGridChanged:
                    handler.OnBookGridChanged(instrument, BinaryPrimitives.ReadInt64LittleEndian(r[8..]));
                    break;
                case StoreRecordType.ServerShutdown:
                    handler.OnServerShutdown(BinaryPrimitives.ReadInt64LittleEndian(r[8..]), BinaryPrimitives.ReadInt64LittleEndian(r[16..]));
                    break;
                case StoreRecordType.MessageError:
                    handler.OnMessageError(instrument, (MarketDataError)r[1], BinaryPrimitives.ReadInt64LittleEndian(r[8..]));
                    break;
                case StoreRecordType.Instrument:
                    Messages--; // metadata, not an event
                    break;
                default:
                    Messages--;
                    UnknownRecords++;
                    break;
            }
        }
    }

    private void GetLevels(ReadOnlySpan<byte> bytes, int bids, int asks, out ReadOnlySpan<Level> bidLevels, out ReadOnlySpan<Level> askLevels)
    {
        if (BitConverter.IsLittleEndian)
        {
            // The stored level is the in-memory Level (int64 tick, int64 qty): reinterpret, copy nothing.
            ReadOnlySpan<Level> all = MemoryMarshal.Cast<byte, Level>(bytes);
            bidLevels = all[..bids];
            askLevels = all.Slice(bids, asks);
            return;
        }
        if (_bidScratch.Length < bids)
            _bidScratch = new Level[Math.Max(bids, 2 * _bidScratch.Length)];
        if (_askScratch.Length < asks)
            _askScratch = new Level[Math.Max(asks, 2 * _askScratch.Length)];
        for (int i = 0; i < bids; i++, bytes = bytes[StoreFormat.LevelSize..])
            _bidScratch[i] = new Level(BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]));
        for (int i = 0; i < asks; i++, bytes = bytes[StoreFormat.LevelSize..])
            _askScratch[i] = new Level(BinaryPrimitives.ReadInt64LittleEndian(bytes), BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]));
        bidLevels = _bidScratch.AsSpan(0, bids);
        askLevels = _askScratch.AsSpan(0, asks);
    }

    private void ReadInstruments(ReadOnlySpan<byte> block)
    {
        int offset = 0;
        while (offset < block.Length)
        {
            ReadOnlySpan<byte> r = block[offset..];
            int length = BinaryPrimitives.ReadInt32LittleEndian(r[4..]);
            offset += length;
            if (r[0] != (byte)StoreRecordType.Instrument)
                throw new InvalidDataException("The store's first block must hold only the instrument table.");
            int id = BinaryPrimitives.ReadUInt16LittleEndian(r[2..]);
            if (id != _instruments.Count)
                throw new InvalidDataException($"The store's instrument table is out of order: id {id} at position {_instruments.Count}.");
            int symbolLength = BinaryPrimitives.ReadInt32LittleEndian(r[76..]);
            _instruments.Add(new InstrumentSpec
            {
                Symbol = Encoding.UTF8.GetString(r.Slice(StoreFormat.InstrumentHeaderSize, symbolLength)),
                Venue = (Venue)r[1],
                PriceDecimals = BinaryPrimitives.ReadInt32LittleEndian(r[8..]),
                QtyDecimals = BinaryPrimitives.ReadInt32LittleEndian(r[12..]),
                TickSize = new Price(BinaryPrimitives.ReadInt64LittleEndian(r[16..])),
                StepSize = new Qty(BinaryPrimitives.ReadInt64LittleEndian(r[24..])),
                MinQty = new Qty(BinaryPrimitives.ReadInt64LittleEndian(r[32..])),
                MaxQty = new Qty(BinaryPrimitives.ReadInt64LittleEndian(r[40..])),
                MinPrice = new Price(BinaryPrimitives.ReadInt64LittleEndian(r[48..])),
                MaxPrice = new Price(BinaryPrimitives.ReadInt64LittleEndian(r[56..])),
                MinNotional = new Price(BinaryPrimitives.ReadInt64LittleEndian(r[64..])),
                Status = (InstrumentStatus)BinaryPrimitives.ReadInt32LittleEndian(r[72..]),
            }.Validate());
        }
        // Validate counted the table as events; it is not.
        Events = 0;
        Levels = 0;
    }

    public void Dispose()
    {
        if (_ownsStream)
            _stream.Dispose();
        // Returned once: a second Dispose finds the empty array.
        byte[] block = _block;
        _block = [];
        if (block.Length > 0)
            ArrayPool<byte>.Shared.Return(block);
    }
}
