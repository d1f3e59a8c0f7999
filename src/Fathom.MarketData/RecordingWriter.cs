using System.IO.Compression;
using System.Text;
using Fathom.Core;

namespace Fathom.MarketData;

/// <summary>
/// Writes a <c>.fathomrec</c> recording: raw frames and REST bodies with their receive timestamps,
/// append-only, in independently deflate-compressed blocks, each with a CRC-32C (layout in
/// docs/formats.md). Venue-neutral: payloads are opaque bytes.
/// </summary>
/// <remarks>
/// Entry points: <see cref="TryAppend"/> (and the <c>TryAppend*</c> helpers), <see cref="Flush"/>,
/// <see cref="Dispose"/>. The calling (receive) thread only copies the record into the open block
/// under a short lock; a background thread compresses sealed blocks, writes and flushes them. A block
/// is sealed when the next record does not fit in <see cref="RecordingWriterOptions.BlockBytes"/> or
/// when it is <see cref="RecordingWriterOptions.FlushInterval"/> old, so a crash loses at most the
/// open block and what is queued. Invariant: the receive thread never waits on I/O. When
/// <see cref="RecordingWriterOptions.MaxQueuedBlocks"/> sealed blocks are waiting (the disk cannot
/// keep up), records are dropped and counted in <see cref="RecordsDropped"/>, and the next record
/// that fits is preceded by a <see cref="RecordKind.DroppedRecords"/> marker so a replay knows where
/// the hole is. A write error stops the writer (counted in <see cref="RecordsLost"/>, kept in
/// <see cref="LastError"/>); the feed carries on. Thread-safe.
/// </remarks>
public sealed class RecordingWriter : IDisposable
{
    private sealed class Block(int capacity)
    {
        public readonly byte[] Buffer = new byte[capacity];
        public int Length;
        public int Records;
        public long FirstNs;
        public long OpenedAt;
    }

    private const int MarkerSize = RecordingFormat.RecordHeaderSize + sizeof(long);

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly RecordingWriterOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Stack<Block> _free = new();
    private readonly Queue<Block> _sealed = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Thread _thread;
    private readonly MemoryStream _compressed = new();
    private Block? _current;
    private long _pendingDropped;
    private bool _stopping;
    private bool _faulted;
    private bool _disposed;
    private long _sealedCount;
    private long _writtenCount;

    private long _recordsAppended;
    private long _recordsDropped;
    private long _recordsLost;
    private long _blocksWritten;
    private long _bytesWritten;
    private long _uncompressedBytes;

    public RecordingWriter(Stream stream, RecordingWriterOptions? options = null, bool ownsStream = true, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _options = options ?? RecordingWriterOptions.Default;
        if (_options.BlockBytes < 1024 || _options.BlockBytes > RecordingFormat.MaxBlockBytes / 2)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "BlockBytes must be between 1 KiB and 512 MiB.");
        if (_options.MaxQueuedBlocks < 1)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "MaxQueuedBlocks must be at least 1.");
        if (_options.FlushInterval <= TimeSpan.Zero)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), "FlushInterval must be positive.");
        _stream = stream;
        _ownsStream = ownsStream;
        _time = time ?? TimeProvider.System;

        Span<byte> header = stackalloc byte[RecordingFormat.FileHeaderSize];
        RecordingFormat.WriteFileHeader(header);
        _stream.Write(header);
        _stream.Flush();
        _bytesWritten = header.Length;

        // A few blocks up front so steady state recycles instead of allocating.
        for (int i = 0; i < Math.Min(4, _options.MaxQueuedBlocks); i++)
            _free.Push(new Block(_options.BlockBytes));
        _thread = new Thread(WriteLoop) { IsBackground = true, Name = "fathom-recorder" };
        _thread.Start();
    }

    /// <summary>Creates <paramref name="path"/> (it must not exist: a recording is never overwritten).</summary>
    public static RecordingWriter Create(string path, RecordingWriterOptions? options = null, TimeProvider? time = null)
    {
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read, // a replay may read the completed blocks while recording goes on
            BufferSize = 0, // blocks are written whole; the FileStream buffer would only copy them again
        });
        return new RecordingWriter(file, options, ownsStream: true, time);
    }

    public long RecordsAppended => Volatile.Read(ref _recordsAppended);
    /// <summary>Records refused because the queue was full (or the writer had failed or closed).</summary>
    public long RecordsDropped => Volatile.Read(ref _recordsDropped);
    /// <summary>Records accepted but not written because a write failed.</summary>
    public long RecordsLost => Volatile.Read(ref _recordsLost);
    public long BlocksWritten => Volatile.Read(ref _blocksWritten);
    /// <summary>Bytes in the file so far (header and blocks).</summary>
    public long BytesWritten => Volatile.Read(ref _bytesWritten);
    /// <summary>Record bytes before compression.</summary>
    public long UncompressedBytes => Volatile.Read(ref _uncompressedBytes);
    public bool Faulted => Volatile.Read(ref _faulted);
    public string? LastError { get; private set; }

    /// <summary>
    /// Copies one record into the open block. Never waits for I/O; returns false (and counts it) when
    /// the record was dropped because the queue is full or the writer has stopped.
    /// </summary>
    public bool TryAppend(RecordKind kind, long receiveNs, int arg, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> payload)
    {
        if (tag.Length > byte.MaxValue)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(tag), "a tag is at most 255 bytes.");
        if (payload.Length > RecordingFormat.MaxBlockBytes / 2)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(payload), "a record payload is at most 512 MiB.");
        int size = RecordingFormat.RecordSize(tag.Length, payload.Length);
        lock (_lock)
        {
            int needed = size + (_pendingDropped > 0 ? MarkerSize : 0);
            Block? block = _disposed || _faulted ? null : Reserve(needed);
            if (block is null)
            {
                _recordsDropped++;
                _pendingDropped++;
                return false;
            }
            if (block.Records == 0)
            {
                block.FirstNs = receiveNs;
                block.OpenedAt = _time.GetTimestamp();
            }
            if (_pendingDropped > 0)
            {
                Span<byte> count = stackalloc byte[sizeof(long)];
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(count, _pendingDropped);
                RecordingFormat.WriteRecord(block.Buffer.AsSpan(block.Length), RecordKind.DroppedRecords, receiveNs, 0, default, count);
                block.Length += MarkerSize;
                block.Records++;
                _pendingDropped = 0;
            }
            RecordingFormat.WriteRecord(block.Buffer.AsSpan(block.Length), kind, receiveNs, arg, tag, payload);
            block.Length += size;
            block.Records++;
            _recordsAppended++;
            return true;
        }
    }

    /// <summary>One raw stream frame received on connection <paramref name="connectionId"/>.</summary>
    public bool TryAppendFrame(long receiveNs, ReadOnlySpan<byte> frame, int connectionId = 0) =>
        TryAppend(RecordKind.StreamFrame, receiveNs, connectionId, default, frame);

    /// <summary>A REST depth snapshot body for <paramref name="symbol"/>, requested with <paramref name="depthLimit"/> levels.</summary>
    public bool TryAppendSnapshot(long receiveNs, string symbol, int depthLimit, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        Span<byte> tag = stackalloc byte[byte.MaxValue];
        if (!Encoding.ASCII.TryGetBytes(symbol, tag, out int n))
            ThrowHelper.ThrowArgument(nameof(symbol), "a symbol is at most 255 ASCII characters.");
        return TryAppend(RecordKind.RestSnapshot, receiveNs, depthLimit, tag[..n], body);
    }

    public bool TryAppendExchangeInfo(long receiveNs, ReadOnlySpan<byte> body) =>
        TryAppend(RecordKind.ExchangeInfo, receiveNs, 0, default, body);

    /// <summary>Session metadata as <c>key=value</c> lines (venue, url, symbols, …).</summary>
    public bool TryAppendSessionInfo(long receiveNs, string text) =>
        TryAppend(RecordKind.SessionInfo, receiveNs, 0, default, Encoding.UTF8.GetBytes(text ?? ""));

    /// <summary>Seals the open block and waits until everything appended so far is in the file (cold path).</summary>
    public void Flush()
    {
        long target;
        lock (_lock)
        {
            if (_current is { Records: > 0 })
                Seal();
            target = _sealedCount;
        }
        _signal.Release();
        while (Volatile.Read(ref _writtenCount) < target && _thread.IsAlive)
            Thread.Sleep(1);
    }

    // Caller holds _lock. A block with room for `needed` bytes, or null when the queue is full.
    private Block? Reserve(int needed)
    {
        Block? current = _current;
        if (current is not null && current.Length + needed <= current.Buffer.Length)
            return current;
        if (current is not null)
        {
            if (_sealed.Count >= _options.MaxQueuedBlocks)
                return null;
            Seal();
        }
        // Pool blocks are BlockBytes long; a larger record (a deep snapshot, exchangeInfo) gets its own.
        Block block = needed <= _options.BlockBytes && _free.TryPop(out Block? pooled)
            ? pooled
            : new Block(Math.Max(_options.BlockBytes, needed));
        block.Length = 0;
        block.Records = 0;
        _current = block;
        return block;
    }

    // Caller holds _lock.
    private void Seal()
    {
        _sealed.Enqueue(_current!);
        _current = null;
        _sealedCount++;
        if (_sealed.Count == 1)
            _signal.Release(); // wake the writer; later blocks ride on the same wake-up
    }

    private void WriteLoop()
    {
        var batch = new List<Block>();
        long flushTicks = (long)(_options.FlushInterval.TotalSeconds * _time.TimestampFrequency);
        // Poll at a quarter of the interval so an unfilled block is written within ~1.25 intervals.
        var poll = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, _options.FlushInterval.Ticks / 4));
        while (true)
        {
            _signal.Wait(poll);
            bool stopping;
            lock (_lock)
            {
                stopping = _stopping;
                if (_current is { Records: > 0 } open && (stopping || _time.GetTimestamp() - open.OpenedAt >= flushTicks))
                    Seal();
                while (_sealed.TryDequeue(out Block? b))
                    batch.Add(b);
            }
            if (batch.Count > 0)
                WriteBatch(batch);
            lock (_lock)
            {
                foreach (Block b in batch)
                    if (b.Buffer.Length == _options.BlockBytes)
                        _free.Push(b);
            }
            Volatile.Write(ref _writtenCount, _writtenCount + batch.Count);
            batch.Clear();
            if (stopping)
            {
                lock (_lock)
                {
                    if (_sealed.Count == 0 && _current is not { Records: > 0 })
                        return;
                }
            }
        }
    }

    private void WriteBatch(List<Block> batch)
    {
        Span<byte> header = stackalloc byte[RecordingFormat.BlockHeaderSize];
        foreach (Block block in batch)
        {
            if (Volatile.Read(ref _faulted))
            {
                Interlocked.Add(ref _recordsLost, block.Records);
                continue;
            }
            try
            {
                _compressed.SetLength(0);
                using (var deflate = new DeflateStream(_compressed, _options.Compression, leaveOpen: true))
                    deflate.Write(block.Buffer, 0, block.Length);
                ReadOnlySpan<byte> payload = _compressed.GetBuffer().AsSpan(0, (int)_compressed.Length);
                RecordingFormat.WriteBlockHeader(header, payload.Length, block.Length, block.Records, block.FirstNs, Crc32C.Compute(payload));
                _stream.Write(header);
                _stream.Write(payload);
                Interlocked.Add(ref _bytesWritten, header.Length + payload.Length);
                Interlocked.Add(ref _uncompressedBytes, block.Length);
                Interlocked.Increment(ref _blocksWritten);
            }
            catch (Exception ex)
            {
                // Any failure (disk full, closed stream) stops recording, never the thread that feeds it.
                Fault(ex, block.Records);
            }
        }
        try
        {
            if (_options.FlushToDisk && _stream is FileStream file)
                file.Flush(flushToDisk: true);
            else
                _stream.Flush();
        }
        catch (Exception ex)
        {
            Fault(ex, 0);
        }
    }

    private void Fault(Exception ex, int recordsLost)
    {
        LastError = ex.Message;
        Interlocked.Add(ref _recordsLost, recordsLost);
        Volatile.Write(ref _faulted, true);
    }

    /// <summary>Writes everything appended so far, stops the background thread and closes the stream if owned.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _stopping = true;
        }
        _signal.Release();
        _thread.Join();
        if (_ownsStream)
            _stream.Dispose();
        _signal.Dispose();
        _compressed.Dispose();
    }
}
