using Fathom.MarketData;
using Xunit;

namespace Fathom.MarketData.Tests;

public class Crc32CTests
{
    [Fact]
    public void Compute_StandardCheckValue_Matches()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        // RFC 3720 (iSCSI) B.4: 32 bytes of zeros and of 0xFF.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
    }

    [Fact]
    public void Compute_HardwarePath_EqualsTablePath_ForEveryLengthAndAlignment()
    {
        var random = new Random(7);
        var data = new byte[300];
        random.NextBytes(data);
        for (int start = 0; start < 9; start++)
            for (int length = 0; length + start <= data.Length; length += 7)
            {
                ReadOnlySpan<byte> slice = data.AsSpan(start, length);
                Assert.Equal(~Crc32C.UpdateSoftware(0xFFFFFFFF, slice), Crc32C.Compute(slice));
            }
    }

    [Fact]
    public void Compute_LongInputs_InterleavedPath_EqualsTablePath()
    {
        // Lengths around the three-stretch boundaries (3 × 256 and 3 × 8192 bytes) and well past them.
        var random = new Random(11);
        var data = new byte[80_000];
        random.NextBytes(data);
        int[] lengths = [767, 768, 769, 775, 776, 1_000, 24_575, 24_576, 24_577, 24_583, 25_344, 49_152 + 768 + 5, 80_000];
        foreach (int length in lengths)
            foreach (int start in new[] { 0, 3 })
            {
                ReadOnlySpan<byte> slice = data.AsSpan(start, Math.Min(length, data.Length - start));
                Assert.Equal(~Crc32C.UpdateSoftware(0xFFFFFFFF, slice), Crc32C.Compute(slice));
            }
    }

    [Fact]
    public void Update_InPieces_EqualsOneShot()
    {
        byte[] data = [.. Enumerable.Range(0, 100).Select(i => (byte)(i * 31))];
        uint crc = Crc32C.Update(0xFFFFFFFF, data.AsSpan(0, 13));
        crc = Crc32C.Update(crc, data.AsSpan(13));
        Assert.Equal(Crc32C.Compute(data), ~crc);
    }
}
