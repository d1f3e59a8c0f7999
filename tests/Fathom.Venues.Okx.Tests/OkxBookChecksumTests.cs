using System.Text;
using Fathom.Book;
using Fathom.Core;
using Xunit;

namespace Fathom.Venues.Okx.Tests;

public class OkxBookChecksumTests
{
    // EXCHANGES.md §8.4, checked there against zlib.
    [Theory]
    [InlineData("3366.1:7:3366.8:9:3366:6:3368:8", -1881014294)]
    [InlineData("3366.1:7:3366.8:9:3368:8:3372:8", 831078360)]
    [InlineData("123456789", unchecked((int)0xCBF43926))]
    public void Crc32_DocumentedVectors_MatchSignedInt32(string text, int expected) =>
        Assert.Equal(expected, OkxCrc32.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Compute_BookOfDocumentedVector_InterleavesTrimmedStrings()
    {
        var book = new OrderBook(OkxTestData.BtcUsdt);
        // 3366.1x7, 3366x6 / 3366.8x9, 3368x8: prices at 1 decimal, sizes at 8, written trimmed.
        book.ApplySnapshot([new Level(33661, 7_0000_0000), new Level(33660, 6_0000_0000)],
            [new Level(33668, 9_0000_0000), new Level(33680, 8_0000_0000)], 1, false, false);
        Assert.Equal(-1881014294, OkxBookChecksum.Instance.Compute(book));
    }

    [Fact]
    public void Compute_SizesWithLeadingFractionZerosAndIntegers_WrittenAsOkxDoes()
    {
        var book = new OrderBook(OkxTestData.BtcUsdt);
        // 30261 x 0.00081 / 30310.3 x 100 (8-decimal sizes, 1-decimal prices)
        book.ApplySnapshot([new Level(302610, 81_000)], [new Level(303103, 100_0000_0000)], 1, false, false);
        Assert.Equal(OkxCrc32.Compute("30261:0.00081:30310.3:100"u8), OkxBookChecksum.Instance.Compute(book));
    }

    [Fact]
    public void Compute_LongerSideContinuesAloneAndStopsAt25Levels()
    {
        var book = new OrderBook(OkxTestData.BtcUsdt);
        var bids = Enumerable.Range(0, 30).Select(i => new Level(10_000 - i, 12_5000_0000)).ToArray(); // 12.5 each
        book.ApplySnapshot(bids, [new Level(10_001, 1)], 1, false, false);
        var expected = new StringBuilder("1000:12.5:1000.1:0.00000001");
        for (int i = 1; i < 25; i++)
            expected.Append(':').Append(FixedPoint.ToTrimmedString(10_000 - i, 1)).Append(":12.5");
        Assert.Equal(OkxCrc32.Compute(Encoding.ASCII.GetBytes(expected.ToString())), OkxBookChecksum.Instance.Compute(book));
    }
}
