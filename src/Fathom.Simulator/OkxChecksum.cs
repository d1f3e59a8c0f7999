using System.Text;

namespace Fathom.Simulator;

/// <summary>
/// The OKX <c>books</c> checksum (EXCHANGES.md §8.4): CRC-32 (IEEE) as a signed int32 over
/// <c>bid1px:bid1sz:ask1px:ask1sz:bid2px:…</c> for the first 25 levels per side, interleaved, the longer
/// side continuing alone, with the price and size strings exactly as the channel writes them. The
/// simulator's own implementation: it may reference only Fathom.Core (AllowedReferences), so it shares no
/// code with the venue adapter's checker, and one bug cannot hide on both sides.
/// </summary>
public static class OkxChecksum
{
    public const int Levels = 25;
    private static readonly uint[] s_table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>CRC-32 (IEEE 802.3, zlib's) of the bytes.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>The checksum string of the levels (best first, as (px, sz) wire strings).</summary>
    public static string Payload(IReadOnlyList<(string Px, string Sz)> bids, IReadOnlyList<(string Px, string Sz)> asks)
    {
        var sb = new StringBuilder(1024);
        for (int i = 0; i < Levels; i++)
        {
            if (i < bids.Count)
                Append(sb, bids[i]);
            if (i < asks.Count)
                Append(sb, asks[i]);
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, (string Px, string Sz) level)
    {
        if (sb.Length > 0)
            sb.Append(':');
        sb.Append(level.Px).Append(':').Append(level.Sz);
    }

    /// <summary>The signed checksum OKX sends for these levels.</summary>
    public static int Compute(IReadOnlyList<(string Px, string Sz)> bids, IReadOnlyList<(string Px, string Sz)> asks) =>
        unchecked((int)Crc32(Encoding.ASCII.GetBytes(Payload(bids, asks))));
}
