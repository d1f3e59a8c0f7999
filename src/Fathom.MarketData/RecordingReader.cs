using System.Buffers.Binary;
using System.IO.Compression;

namespace Fathom.MarketData;

/// <summary>
/// Reads a <c>.fathomrec</c> recording written by <see cref="RecordingWriter"/>, record by record, in
/// the order they were appended.
/// </summary>
/// <remarks>
/// Damage is never fatal. A file that ends inside a block (the recorder was killed mid-write) is a
/// torn tail: everything before that block reads back and <see cref="TornTail"/> is set. A block whose
/// payload CRC (or decompressed structure) is wrong is skipped and counted in
/// <see cref="CorruptBlocks"/>; a block whose header CRC is wrong cannot be trusted for its length, so
/// the reader scans forward for the next header that checks (seekable streams only) and counts the
/// bytes it passed in <see cref="SkippedBytes"/>. A block is validated whole before any of its
/// records is returned, so a damaged block contributes nothing. Buffers are reused; decompressing a
/// block allocates the (small) inflater objects, once per block, not per record.
/// </remarks>
public sealed class RecordingReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly byte[] _header = new byte[RecordingFormat.BlockHeaderSize];
    private byte[] _compressed = new byte[64 * 1024];
    private byte[] _plain = new byte[128 * 1024];
    private int _plainOffset;
    private int _recordsLeft;
    private long _position;
    private bool _end;

    public RecordingReader(Stream stream, bool ownsStream = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _ownsStream = ownsStream;
        Span<byte> header = stackalloc byte[RecordingFormat.FileHeaderSize];
        int n = ReadFull(header);
        ReadOnlySpan<byte> magic = RecordingFormat.FileMagic;
        if (!header[..Math.Min(n, magic.Length)].SequenceEqual(magic[..Math.Min(n, magic.Length)]))
            throw new InvalidDataException("Not a Fathom recording (.fathomrec): the file does not start with 'FATHOMRC'.");
        if (n < header.Length)
        {
            // Killed right after creating the file: nothing was recorded, and that is not an error.
            TornTail = n > 0;
            TornTailBytes = n;
            _end = true;
            return;
        }
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        if (version != RecordingFormat.Version)
            throw new InvalidDataException($"Recording format version {version} is not supported (this build reads version {RecordingFormat.Version}).");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[12..]) != Crc32C.Compute(header[..12]))
            CorruptBlocks++; // the blocks carry their own checks; carry on with the documented header size
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        if (headerLength > RecordingFormat.FileHeaderSize && headerLength < 4096)
            Skip(headerLength - RecordingFormat.FileHeaderSize); // a later minor version's extra header fields
    }

    public static RecordingReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16));

    /// <summary>True when <paramref name="firstBytes"/> start with the recording magic ("FATHOMRC").</summary>
    public static bool HasMagic(ReadOnlySpan<byte> firstBytes) => firstBytes.StartsWith(RecordingFormat.FileMagic);

    /// <summary>True when the file at <paramref name="path"/> starts with the recording magic.</summary>
    public static bool IsRecording(string path)
    {
        Span<byte> first = stackalloc byte[8];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(first, first.Length, throwOnEndOfStream: false) == first.Length && HasMagic(first);
    }

    public long Blocks { get; private set; }
    public long Records { get; private set; }
    /// <summary>Blocks (or unreadable stretches) skipped because a CRC or the block structure was wrong.</summary>
    public long CorruptBlocks { get; private set; }
    /// <summary>Bytes passed over while looking for the next good block after a damaged header.</summary>
    public long SkippedBytes { get; private set; }
    /// <summary>The file ended inside a block; its bytes were not returned.</summary>
    public bool TornTail { get; private set; }
    public long TornTailBytes { get; private set; }
    /// <summary>Sum of the counts in <see cref="RecordKind.DroppedRecords"/> markers read so far.</summary>
    public long DroppedRecords { get; private set; }

    /// <summary>The next record; false at the end of the readable data.</summary>
    public bool TryRead(out RecordingRecord record)
    {
        while (_recordsLeft == 0)
        {
            if (!NextBlock())
            {
                record = default;
                return false;
            }
        }
        ReadOnlySpan<byte> p = _plain.AsSpan(_plainOffset);
        var kind = (RecordKind)p[0];
        int tagLength = p[1];
        int arg = BinaryPrimitives.ReadInt32LittleEndian(p[4..]);
        long receiveNs = BinaryPrimitives.ReadInt64LittleEndian(p[8..]);
        int length = BinaryPrimitives.ReadInt32LittleEndian(p[16..]);
        ReadOnlySpan<byte> tag = p.Slice(RecordingFormat.RecordHeaderSize, tagLength);
        ReadOnlySpan<byte> payload = p.Slice(RecordingFormat.RecordHeaderSize + tagLength, length);
        _plainOffset += RecordingFormat.RecordHeaderSize + tagLength + length;
        _recordsLeft--;
        Records++;
        if (kind == RecordKind.DroppedRecords && payload.Length == sizeof(long))
            DroppedRecords += BinaryPrimitives.ReadInt64LittleEndian(payload);
        record = new RecordingRecord(kind, receiveNs, arg, tag, payload);
        return true;
    }

    private bool NextBlock()
    {
        while (!_end)
        {
            long start = _position;
            int got = ReadFull(_header);
            if (got == 0)
            {
                _end = true;
                return false;
            }
            if (got < _header.Length)
                return Torn(got);
            if (!RecordingFormat.TryReadBlockHeader(_header, out int compressed, out int uncompressed, out int records, out uint crc))
            {
                CorruptBlocks++;
                Resync(start + 1);
                continue;
            }
            if (_compressed.Length < compressed)
                _compressed = new byte[compressed];
            got = ReadFull(_compressed.AsSpan(0, compressed));
            if (got < compressed)
                return Torn(_header.Length + got);
            if (Crc32C.Compute(_compressed.AsSpan(0, compressed)) != crc || !Inflate(compressed, uncompressed) || !Validate(uncompressed, records))
            {
                // The header checked, so its length is trusted: skip exactly this block.
                CorruptBlocks++;
                SkippedBytes += _header.Length + compressed;
                continue;
            }
            Blocks++;
            _plainOffset = 0;
            _recordsLeft = records;
            if (records > 0)
                return true;
        }
        return false;
    }

    private bool Torn(long bytes)
    {
        TornTail = true;
        TornTailBytes = bytes;
        _end = true;
        return false;
    }

    private bool Inflate(int compressed, int uncompressed)
    {
        if (_plain.Length < uncompressed)
            _plain = new byte[uncompressed];
        try
        {
            using var source = new MemoryStream(_compressed, 0, compressed, writable: false);
            using var inflate = new DeflateStream(source, CompressionMode.Decompress);
            if (inflate.ReadAtLeast(_plain.AsSpan(0, uncompressed), uncompressed, throwOnEndOfStream: false) != uncompressed)
                return false;
            Span<byte> extra = stackalloc byte[1];
            return inflate.Read(extra) == 0; // exactly the declared length, no more
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    // The records must tile the block exactly: guards against a writer bug the CRC cannot see.
    private bool Validate(int length, int records)
    {
        int offset = 0;
        for (int i = 0; i < records; i++)
        {
            if (length - offset < RecordingFormat.RecordHeaderSize)
                return false;
            ReadOnlySpan<byte> p = _plain.AsSpan(offset);
            long size = (long)RecordingFormat.RecordHeaderSize + p[1] + BinaryPrimitives.ReadInt32LittleEndian(p[16..]);
            if (BinaryPrimitives.ReadInt32LittleEndian(p[16..]) < 0 || size > length - offset)
                return false;
            offset += (int)size;
        }
        return offset == length;
    }

    // Looks for the next block header whose CRC checks, from file offset `from`; the rest of the file
    // is skipped when there is none (or the stream cannot seek).
    private void Resync(long from)
    {
        if (!_stream.CanSeek)
        {
            _end = true;
            return;
        }
        _stream.Position = from;
        _position = from;
        byte[] window = _compressed.Length >= 64 * 1024 ? _compressed : _compressed = new byte[64 * 1024];
        int filled = 0;
        long windowStart = from;
        while (true)
        {
            int n = _stream.Read(window, filled, window.Length - filled);
            filled += n;
            int limit = n == 0 ? filled : filled - (RecordingFormat.BlockHeaderSize - 1);
            for (int i = 0; i < limit; i++)
            {
                if (window[i] != (byte)'R' || filled - i < 4 || BinaryPrimitives.ReadUInt32LittleEndian(window.AsSpan(i)) != RecordingFormat.BlockMagic)
                    continue;
                if (filled - i >= RecordingFormat.BlockHeaderSize
                    && !RecordingFormat.TryReadBlockHeader(window.AsSpan(i, RecordingFormat.BlockHeaderSize), out _, out _, out _, out _))
                    continue;
                // A header that checks, or a header cut by the end of the file (then the torn-tail rule applies).
                long found = windowStart + i;
                SkippedBytes += found - (from - 1);
                _stream.Position = found;
                _position = found;
                return;
            }
            if (n == 0)
            {
                SkippedBytes += windowStart + filled - (from - 1);
                _position = windowStart + filled;
                _end = true;
                return;
            }
            // Keep the last bytes: a header may straddle two reads.
            int keep = filled - limit;
            Buffer.BlockCopy(window, limit, window, 0, keep);
            windowStart += limit;
            filled = keep;
        }
    }

    private int ReadFull(Span<byte> destination)
    {
        int n = _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        _position += n;
        return n;
    }

    private void Skip(int bytes)
    {
        Span<byte> scratch = stackalloc byte[256];
        while (bytes > 0)
        {
            int n = ReadFull(scratch[..Math.Min(bytes, scratch.Length)]);
            if (n == 0)
                return;
            bytes -= n;
        }
    }

    public void Dispose()
    {
        if (_ownsStream)
            _stream.Dispose();
    }
}
