using System.Buffers.Binary;

namespace Fathom.MarketData;

/// <summary>
/// Byte layout of the <c>.fathomstore</c> normalized store (docs/formats.md is the reference): a file
/// header, then blocks of fixed-layout little-endian records, every record 8-byte aligned and
/// starting with the same 8-byte prefix (type, flags, instrument, length) so unknown types can be skipped.
/// </summary>
internal static class StoreFormat
{
    /// <summary>"FATHOMST": the first 8 bytes of every store.</summary>
    public static ReadOnlySpan<byte> FileMagic => "FATHOMST"u8;
    public const ushort Version = 1;
    public const int FileHeaderSize = 16;

    /// <summary>"SBLK" read as a little-endian uint32.</summary>
    public const uint BlockMagic = 'S' | ('B' << 8) | ('L' << 16) | ((uint)'K' << 24);
    public const int BlockHeaderSize = 24;
    public const int MaxBlockBytes = 1 << 30;

    public const int PrefixSize = 8;
    public const int LevelSize = 16;
    public const int DeltaHeaderSize = 56;
    public const int SnapshotHeaderSize = 48;
    public const int TopOfBookSize = 64;
    public const int TradeSize = 72;
    public const int GridChangedSize = 16;
    public const int ServerShutdownSize = 24;
    public const int MessageErrorSize = 16;
    public const int InstrumentHeaderSize = 80;

    /// <summary>Instrument id stored for "no instrument" (-1).</summary>
    public const ushort NoInstrument = ushort.MaxValue;

    public const byte FlagBuyerIsMaker = 1;

    public static void WriteFileHeader(Span<byte> header)
    {
        FileMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], FileHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], Crc32C.Compute(header[..12]));
    }

    /// <summary>
    /// Block header bytes 16–19 (int32): the block's smallest (receive ns − exchange ms × 10⁶) over its records that
    /// carry an exchange time, so a backtest finds the source's clock offset from the headers alone. 0 means "not
    /// recorded here: decode the block" (every store written before the field had a meaning holds 0 there, and a
    /// lag of exactly 0 or outside ±2.1 s is written as 0 too); <see cref="LagNoSample"/> means no record of the block
    /// carries an exchange time.
    /// </summary>
    public const int LagNotRecorded = 0;
    public const int LagNoSample = int.MinValue;

    /// <summary>
    /// <paramref name="min"/> with the lag of a record (receive ns − exchange ms × 10⁶) taken in when it has an exchange
    /// time: how the writer builds the field and a reader decoding a block without one finds the same value.
    /// </summary>
    public static long MinLag(long min, long exchangeMs, long receiveNs) =>
        exchangeMs > 0 ? Math.Min(min, receiveNs - exchangeMs * 1_000_000) : min;

    /// <summary>The header field for a block whose smallest lag is <paramref name="minLagNs"/> (long.MaxValue: no sample).</summary>
    public static int EncodeMinLag(long minLagNs) =>
        minLagNs == long.MaxValue ? LagNoSample
        : minLagNs != 0 && minLagNs > int.MinValue && minLagNs <= int.MaxValue ? (int)minLagNs
        : LagNotRecorded;

    public static int ReadMinLag(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt32LittleEndian(header[16..]);

    public static void WriteBlockHeader(Span<byte> header, int length, int records, uint payloadCrc, int minLag = LagNotRecorded)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, BlockMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], length);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], records);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], payloadCrc);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], minLag);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], Crc32C.Compute(header[..20]));
    }

    public static bool TryReadBlockHeader(ReadOnlySpan<byte> header, out int length, out int records, out uint payloadCrc)
    {
        length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        records = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        return BinaryPrimitives.ReadUInt32LittleEndian(header) == BlockMagic
            && BinaryPrimitives.ReadUInt32LittleEndian(header[20..]) == Crc32C.Compute(header[..20])
            && (uint)length <= MaxBlockBytes && (length & 7) == 0 && records >= 0;
    }

    public static void WritePrefix(Span<byte> record, StoreRecordType type, byte flags, int instrumentId, int length)
    {
        record[0] = (byte)type;
        record[1] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(record[2..], instrumentId < 0 ? NoInstrument : checked((ushort)instrumentId));
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], length);
    }

    public static int Align8(int n) => (n + 7) & ~7;
}
