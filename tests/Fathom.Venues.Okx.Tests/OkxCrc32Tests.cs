using Xunit;

namespace Fathom.Venues.Okx.Tests;

public class OkxCrc32Tests
{
    [Fact]
    public void Update_SlicedByEight_EqualsBytewiseForEveryLengthAndSplit()
    {
        var random = new Random(19);
        byte[] data = new byte[300];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            var span = data.AsSpan(0, length);
            uint expected = OkxCrc32.UpdateBytewise(0xFFFFFFFF, span);
            Assert.Equal(expected, OkxCrc32.Update(0xFFFFFFFF, span));
            int split = length / 3;
            Assert.Equal(expected, OkxCrc32.Update(OkxCrc32.Update(0xFFFFFFFF, span[..split]), span[split..]));
        }
    }
}
