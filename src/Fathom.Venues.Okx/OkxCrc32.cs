namespace Fathom.Venues.Okx;

/// <summary>
/// CRC-32 (IEEE 802.3, zlib's: reflected polynomial 0xEDB88320, initial value and final xor
/// 0xFFFFFFFF), the checksum of OKX's order book channels. Table-driven; allocation-free.
/// Check value: CRC-32("123456789") = 0xCBF43926.
/// </summary>
internal static class OkxCrc32
{
    private static readonly uint[] s_table = BuildTable();

    /// <summary>Continues a running CRC: start with 0xFFFFFFFF, complement the final value.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        uint[] table = s_table;
        foreach (byte b in data)
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC-32 of <paramref name="data"/> as OKX states it: a signed 32-bit integer.</summary>
    public static int Compute(ReadOnlySpan<byte> data) => (int)~Update(0xFFFFFFFF, data);

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
