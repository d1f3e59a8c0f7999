using System.Buffers.Binary;

namespace Fathom.MarketData;

/// <summary>
/// Byte layout of <c>.fathomrec</c> recordings (docs/formats.md is the reference). All integers are
/// little-endian.
/// </summary>
internal static class RecordingFormat
{
    /// <summary>"FATHOMRC": the first 8 bytes of every recording.</summary>
    public static ReadOnlySpan<byte> FileMagic => "FATHOMRC"u8;
    public const ushort Version = 1;
    public const int FileHeaderSize = 16;

    /// <summary>"RBLK" read as a little-endian uint32.</summary>
    public const uint BlockMagic = 'R' | ('B' << 8) | ('L' << 16) | ((uint)'K' << 24);
    public const int BlockHeaderSize = 32;
    public const int RecordHeaderSize = 20;

    /// <summary>No legitimate block comes near this; a larger length is corruption even if a CRC collides.</summary>
    public const int MaxBlockBytes = 1 << 30;

    public static void WriteFileHeader(Span<byte> header)
    {
        FileMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], FileHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32C.Compute(header[..12]));
    }

    public static void WriteBlockHeader(Span<byte> header, int compressed, int uncompressed, int records, long firstNs, uint payloadCrc)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, BlockMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], compressed);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], uncompressed);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], records);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], firstNs);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], payloadCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], Crc32C.Compute(header[..28]));
    }

    /// <summary>True when the 32 bytes are a block header whose own CRC matches and whose lengths are sane.</summary>
    public static bool TryReadBlockHeader(ReadOnlySpan<byte> header, out int compressed, out int uncompressed, out int records, out uint payloadCrc)
    {
        compressed = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        uncompressed = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        records = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header) == BlockMagic
            && BinaryPrimitives.ReadUInt32LittleEndian(header[28..]) == Crc32C.Compute(header[..28])
            && (uint)compressed <= MaxBlockBytes && (uint)uncompressed <= MaxBlockBytes && records >= 0;
    }

    public static int RecordSize(int tagLength, int payloadLength) => RecordHeaderSize + tagLength + payloadLength;

    public static void WriteRecord(Span<byte> destination, RecordKind kind, long receiveNs, int arg, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> payload)
    {
        destination[0] = (byte)kind;
        destination[1] = (byte)tag.Length;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], arg);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], receiveNs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], payload.Length);
        tag.CopyTo(destination[RecordHeaderSize..]);
        payload.CopyTo(destination[(RecordHeaderSize + tag.Length)..]);
    }
}
