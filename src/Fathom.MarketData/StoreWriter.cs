using System.Buffers.Binary;
using System.Text;
using Fathom.Book;
using Fathom.Core;

namespace Fathom.MarketData;

/// <summary>
/// Writes normalized market data to a <c>.fathomstore</c> file (layout in docs/formats.md) so replays
/// and backtests skip JSON. It is an <see cref="IMarketDataHandler"/>: put it behind a venue parser
/// (the converters do) and every event the parser delivers is written in order, including grid
/// changes and message errors, so a replay of the store drives <see cref="BookSync"/> through exactly
/// the same calls as the original feed and ends with the same books and counters.
/// </summary>
/// <remarks>
/// Records go into an in-memory block (default 1 MiB); a full block is checksummed and written
/// synchronously. That suits conversion, which is offline; a live store writer would put this behind
/// a background queue as <see cref="RecordingWriter"/> does. The first block holds only the
/// instrument table. Not thread-safe.
/// </remarks>
public sealed class StoreWriter : IMarketDataHandler, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly int _blockBytes;
    private byte[] _block;
    private int _length;
    private int _records;
    private long _blockMinLagNs = long.MaxValue; // the block's smallest receive − exchange time (see StoreFormat.EncodeMinLag)
    private bool _disposed;

    public StoreWriter(Stream stream, IReadOnlyList<InstrumentSpec> instruments, bool ownsStream = true, int blockBytes = 1 << 20)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(instruments);
        if (instruments.Count >= StoreFormat.NoInstrument)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(instruments), "a store holds at most 65,534 instruments.");
        if (blockBytes < 4096 || blockBytes > StoreFormat.MaxBlockBytes / 2)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(blockBytes), "blockBytes must be between 4 KiB and 512 MiB.");
        _stream = stream;
        _ownsStream = ownsStream;
        _blockBytes = blockBytes;
        _block = new byte[blockBytes];

        Span<byte> header = stackalloc byte[StoreFormat.FileHeaderSize];
        StoreFormat.WriteFileHeader(header);
        _stream.Write(header);
        BytesWritten = header.Length;
        for (int i = 0; i < instruments.Count; i++)
            WriteInstrument(i, instruments[i]);
        FlushBlock(force: true); // the instrument table is a block of its own (even if empty): the reader loads it up front
    }

    public static StoreWriter Create(string path, IReadOnlyList<InstrumentSpec> instruments) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0), instruments);

    /// <summary>Events as docs/benchmarks.md counts them: each level of a delta or snapshot, each ticker, trade, grid change, shutdown or error.</summary>
    public long Events { get; private set; }
    /// <summary>Records other than the instrument table: one per parser callback.</summary>
    public long Messages { get; private set; }
    public long Levels { get; private set; }
    public long Blocks { get; private set; }
    public long BytesWritten { get; private set; }

    public void OnBookDelta(in BookDelta delta)
    {
        int levels = delta.Bids.Length + delta.Asks.Length;
        int size = StoreFormat.DeltaHeaderSize + levels * StoreFormat.LevelSize;
        Span<byte> r = Reserve(size);
        StoreFormat.WritePrefix(r, StoreRecordType.BookDelta, 0, delta.InstrumentId, size);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], delta.Bids.Length);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], delta.Asks.Length);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], delta.FirstUpdateId);
        BinaryPrimitives.WriteInt64LittleEndian(r[24..], delta.FinalUpdateId);
        BinaryPrimitives.WriteInt64LittleEndian(r[32..], delta.PrevFinalUpdateId);
        BinaryPrimitives.WriteInt64LittleEndian(r[40..], delta.ExchangeTimeMs);
        BinaryPrimitives.WriteInt64LittleEndian(r[48..], delta.ReceiveTimeNs);
        WriteLevels(r[StoreFormat.DeltaHeaderSize..], delta.Bids, delta.Asks);
        Committed(levels, levels);
        Lag(delta.ExchangeTimeMs, delta.ReceiveTimeNs);
    }

    public void OnBookSnapshot(in BookSnapshot snapshot)
    {
        int levels = snapshot.Bids.Length + snapshot.Asks.Length;
        int size = StoreFormat.SnapshotHeaderSize + levels * StoreFormat.LevelSize;
        Span<byte> r = Reserve(size);
        StoreFormat.WritePrefix(r, StoreRecordType.BookSnapshot, 0, snapshot.InstrumentId, size);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], snapshot.Bids.Length);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], snapshot.Asks.Length);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], snapshot.LastUpdateId);
        BinaryPrimitives.WriteInt32LittleEndian(r[24..], snapshot.DepthLimit);
        BinaryPrimitives.WriteInt32LittleEndian(r[28..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(r[32..], snapshot.ExchangeTimeMs);
        BinaryPrimitives.WriteInt64LittleEndian(r[40..], snapshot.ReceiveTimeNs);
        WriteLevels(r[StoreFormat.SnapshotHeaderSize..], snapshot.Bids, snapshot.Asks);
        Committed(levels, levels);
        Lag(snapshot.ExchangeTimeMs, snapshot.ReceiveTimeNs);
    }

    public void OnTopOfBook(in TopOfBook top)
    {
        Span<byte> r = Reserve(StoreFormat.TopOfBookSize);
        StoreFormat.WritePrefix(r, StoreRecordType.TopOfBook, 0, top.InstrumentId, StoreFormat.TopOfBookSize);
        BinaryPrimitives.WriteInt64LittleEndian(r[8..], top.UpdateId);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], top.BidTick);
        BinaryPrimitives.WriteInt64LittleEndian(r[24..], top.BidQty);
        BinaryPrimitives.WriteInt64LittleEndian(r[32..], top.AskTick);
        BinaryPrimitives.WriteInt64LittleEndian(r[40..], top.AskQty);
        BinaryPrimitives.WriteInt64LittleEndian(r[48..], top.ExchangeTimeMs);
        BinaryPrimitives.WriteInt64LittleEndian(r[56..], top.ReceiveTimeNs);
        Committed(1);
        Lag(top.ExchangeTimeMs, top.ReceiveTimeNs);
    }

    public void OnTrade(in Trade trade)
    {
        Span<byte> r = Reserve(StoreFormat.TradeSize);
        StoreFormat.WritePrefix(r, StoreRecordType.Trade, trade.BuyerIsMaker ? StoreFormat.FlagBuyerIsMaker : (byte)0, trade.InstrumentId, StoreFormat.TradeSize);
        BinaryPrimitives.WriteInt64LittleEndian(r[8..], trade.TradeId);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], trade.PriceTick);
        BinaryPrimitives.WriteInt64LittleEndian(r[24..], trade.Qty);
        BinaryPrimitives.WriteInt64LittleEndian(r[32..], trade.TradeTimeMs);
        BinaryPrimitives.WriteInt64LittleEndian(r[40..], trade.ExchangeTimeMs);
        BinaryPrimitives.WriteInt64LittleEndian(r[48..], trade.ReceiveTimeNs);
        BinaryPrimitives.WriteInt64LittleEndian(r[56..], trade.FirstTradeId);
        BinaryPrimitives.WriteInt64LittleEndian(r[64..], trade.LastTradeId);
        Committed(1);
        Lag(trade.ExchangeTimeMs, trade.ReceiveTimeNs);
    }

    public void OnBookGridChanged(int instrumentId, long newTickRaw)
    {
        Span<byte> r = Reserve(StoreFormat.GridChangedSize);
        StoreFormat.WritePrefix(r, StoreRecordType.BookGridChanged, 0, instrumentId, StoreFormat.GridChangedSize);
        BinaryPrimitives.WriteInt64LittleEndian(r[8..], newTickRaw);
        Committed(1);
    }

    public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs)
    {
        Span<byte> r = Reserve(StoreFormat.ServerShutdownSize);
        StoreFormat.WritePrefix(r, StoreRecordType.ServerShutdown, 0, -1, StoreFormat.ServerShutdownSize);
        BinaryPrimitives.WriteInt64LittleEndian(r[8..], exchangeTimeMs);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], receiveTimeNs);
        Committed(1);
    }

    public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs)
    {
        Span<byte> r = Reserve(StoreFormat.MessageErrorSize);
        StoreFormat.WritePrefix(r, StoreRecordType.MessageError, (byte)error, instrumentId, StoreFormat.MessageErrorSize);
        BinaryPrimitives.WriteInt64LittleEndian(r[8..], receiveTimeNs);
        Committed(1);
    }

    /// <summary>Writes the open block (if any) and flushes the stream.</summary>
    public void Flush()
    {
        FlushBlock();
        _stream.Flush();
    }

    private void WriteInstrument(int id, InstrumentSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        byte[] symbol = Encoding.UTF8.GetBytes(spec.Symbol);
        int size = StoreFormat.Align8(StoreFormat.InstrumentHeaderSize + symbol.Length);
        Span<byte> r = Reserve(size);
        r[..size].Clear();
        StoreFormat.WritePrefix(r, StoreRecordType.Instrument, (byte)spec.Venue, id, size);
        BinaryPrimitives.WriteInt32LittleEndian(r[8..], spec.PriceDecimals);
        BinaryPrimitives.WriteInt32LittleEndian(r[12..], spec.QtyDecimals);
        BinaryPrimitives.WriteInt64LittleEndian(r[16..], spec.TickSize.Raw);
        BinaryPrimitives.WriteInt64LittleEndian(r[24..], spec.StepSize.Raw);
        BinaryPrimitives.WriteInt64LittleEndian(r[32..], spec.MinQty.Raw);
        BinaryPrimitives.WriteInt64LittleEndian(r[40..], spec.MaxQty.Raw);
        BinaryPrimitives.WriteInt64LittleEndian(r[48..], spec.MinPrice.Raw);
        BinaryPrimitives.WriteInt64LittleEndian(r[56..], spec.MaxPrice.Raw);
        BinaryPrimitives.WriteInt64LittleEndian(r[64..], spec.MinNotional.Raw);
        BinaryPrimitives.WriteInt32LittleEndian(r[72..], (int)spec.Status);
        BinaryPrimitives.WriteInt32LittleEndian(r[76..], symbol.Length);
        symbol.CopyTo(r[StoreFormat.InstrumentHeaderSize..]);
        _length += size;
        _records++;
    }

    private static void WriteLevels(Span<byte> destination, ReadOnlySpan<Level> bids, ReadOnlySpan<Level> asks)
    {
        foreach (Level l in bids)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination, l.Tick);
            BinaryPrimitives.WriteInt64LittleEndian(destination[8..], l.Qty);
            destination = destination[StoreFormat.LevelSize..];
        }
        foreach (Level l in asks)
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination, l.Tick);
            BinaryPrimitives.WriteInt64LittleEndian(destination[8..], l.Qty);
            destination = destination[StoreFormat.LevelSize..];
        }
    }

    // Room for one record at the end of the block; a record larger than a block gets a block of its own.
    private Span<byte> Reserve(int size)
    {
        if (_disposed)
            ThrowHelper.ThrowInvalidOperation("the store writer is closed.");
        if (_length + size > _block.Length)
        {
            FlushBlock();
            if (size > _block.Length)
                _block = new byte[size];
        }
        return _block.AsSpan(_length, size);
    }

    // The record just built at the end of the block is complete: take it in.
    private void Committed(int events, int levels = 0)
    {
        _length += BinaryPrimitives.ReadInt32LittleEndian(_block.AsSpan(_length + 4));
        _records++;
        Messages++;
        Events += events;
        Levels += levels;
    }

    // A record with an exchange time, now in the current block: its lag joins the block's minimum.
    private void Lag(long exchangeMs, long receiveNs) => _blockMinLagNs = StoreFormat.MinLag(_blockMinLagNs, exchangeMs, receiveNs);

    private void FlushBlock(bool force = false)
    {
        if (_records == 0 && !force)
            return;
        Span<byte> header = stackalloc byte[StoreFormat.BlockHeaderSize];
        ReadOnlySpan<byte> payload = _block.AsSpan(0, _length);
        StoreFormat.WriteBlockHeader(header, _length, _records, Crc32C.Compute(payload), StoreFormat.EncodeMinLag(_blockMinLagNs));
        _stream.Write(header);
        _stream.Write(payload);
        BytesWritten += header.Length + payload.Length;
        Blocks++;
        _length = 0;
        _records = 0;
        _blockMinLagNs = long.MaxValue;
        if (_block.Length != _blockBytes)
            _block = new byte[_blockBytes]; // back to the normal size after an oversized record
    }

    /// <summary>Writes the last block and closes the stream if owned.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        Flush();
        _disposed = true;
        if (_ownsStream)
            _stream.Dispose();
    }
}
