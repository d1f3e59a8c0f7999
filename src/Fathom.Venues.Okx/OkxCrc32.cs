using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Fathom.Venues.Okx;

/// <summary>
/// CRC-32 (IEEE 802.3, zlib's: reflected polynomial 0xEDB88320, initial value and final xor
/// 0xFFFFFFFF), the checksum of OKX's order book channels. Slicing-by-8 (eight 256-entry tables, 8 KiB,
/// eight bytes per step without a serial dependency per byte), scalar bytes at the tail; allocation-free.
/// Check value: CRC-32("123456789") = 0xCBF43926.
/// </summary>
internal static class OkxCrc32
{
    private const uint Polynomial = 0xEDB88320;
    // s_tables[k * 256 + b]: the CRC of byte b followed by k zero bytes.
    private static readonly uint[] s_tables = BuildTables();

    /// <summary>Continues a running CRC: start with 0xFFFFFFFF, complement the final value.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        ref uint t = ref MemoryMarshal.GetArrayDataReference(s_tables);
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]) ^ crc;
            crc = Unsafe.Add(ref t, 7 * 256 + (int)(v & 0xFF))
                ^ Unsafe.Add(ref t, 6 * 256 + (int)((v >> 8) & 0xFF))
                ^ Unsafe.Add(ref t, 5 * 256 + (int)((v >> 16) & 0xFF))
                ^ Unsafe.Add(ref t, 4 * 256 + (int)((v >> 24) & 0xFF))
                ^ Unsafe.Add(ref t, 3 * 256 + (int)((v >> 32) & 0xFF))
                ^ Unsafe.Add(ref t, 2 * 256 + (int)((v >> 40) & 0xFF))
                ^ Unsafe.Add(ref t, 256 + (int)((v >> 48) & 0xFF))
                ^ Unsafe.Add(ref t, (int)(v >> 56));
        }
        for (; i < data.Length; i++)
            crc = Unsafe.Add(ref t, (int)((crc ^ data[i]) & 0xFF)) ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC-32 of <paramref name="data"/> as OKX states it: a signed 32-bit integer.</summary>
    public static int Compute(ReadOnlySpan<byte> data) => (int)~Update(0xFFFFFFFF, data);

    /// <summary>The byte-at-a-time reference the sliced version is tested against.</summary>
    internal static uint UpdateBytewise(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
            crc = s_tables[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int k = 1; k < 8; k++)
            for (int i = 0; i < 256; i++)
                t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[t[(k - 1) * 256 + i] & 0xFF];
        return t;
    }
}
