using System.Buffers.Binary;
using Fathom.Core;

namespace Fathom.Execution;

/// <summary>
/// Keeps the client-order sequence high-water mark in a small file: 8 bytes of mark and 8 bytes of
/// check. Each reservation writes a temporary file, fsyncs it, renames it over the old one and fsyncs the
/// directory (<see cref="DurableFile.Replace"/>), so the file always holds either the old or the new mark,
/// never a torn one, even after a power loss; the mark is durable before any number of the block is used. A missing file starts at 1; an empty, truncated, corrupt or negative one
/// throws <see cref="InvalidDataException"/> naming the file (guessing, or starting again at 1, could
/// reuse ids that may still rest at the venue).
/// </summary>
public sealed class FileSequenceReservation : ISequenceReservation
{
    private const ulong CheckMask = 0x5EC0_F47A_0000_0001UL;
    private readonly string _path;
    private long _highWater;

    public FileSequenceReservation(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = path;
        _highWater = ReadHighWater(path);
    }

    /// <summary>The last number reserved so far (0 when none).</summary>
    public long HighWater => _highWater;

    public long Reserve(int count)
    {
        if (count <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(count), "Reserve at least one number.");
        long first = _highWater + 1;
        long mark = checked(_highWater + count);
        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(record, mark);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], (ulong)mark ^ CheckMask);
        DurableFile.Replace(_path, record);
        _highWater = mark;
        return first;
    }

    private static long ReadHighWater(string path)
    {
        if (!File.Exists(path))
            return 0;
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != 16)
            throw Corrupt(path, $"has {bytes.Length} bytes, expected 16 (empty, truncated or not written by fathom)");
        long mark = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        ulong check = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        if (((ulong)mark ^ CheckMask) != check)
            throw Corrupt(path, "fails its check (corrupt, or not written by fathom)");
        if (mark < 0)
            throw Corrupt(path, $"holds a negative mark ({mark})");
        return mark;
    }

    private static InvalidDataException Corrupt(string path, string what) =>
        new($"the client-order-id high-water file {path} {what}: refusing to guess the mark, which could reuse client order ids " +
            "still known to the venue; restore the file, or remove it only if no order with this prefix and instance id can be open");
}
