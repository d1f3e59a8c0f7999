using Xunit;

namespace Fathom.Core.Tests;

public class ReconnectBackoffTests
{
    [Fact]
    public void Delay_EachFailure_DoublesTheRangeUpToTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30), new Random(5));
        for (int round = 0; round < 50; round++)
        {
            for (int failures = 0; failures < 12; failures++)
            {
                double b = Math.Min(30_000, 250 * Math.Pow(2, failures));
                Assert.InRange(backoff.Delay(failures).TotalMilliseconds, b / 2, b);
            }
            Assert.InRange(backoff.Delay(int.MaxValue).TotalMilliseconds, 15_000, 30_000);
        }
    }

    [Fact]
    public void Delay_Jittered_NotTheSamePauseEveryTime()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30), new Random(5));
        var pauses = Enumerable.Range(0, 20).Select(_ => backoff.Delay(3)).Distinct().Count();
        Assert.True(pauses > 10, $"{pauses} distinct pauses of 20");
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(-1, 1000)]
    [InlineData(500, 100)]
    public void Constructor_MinNotPositiveOrAboveMax_Throws(int minMs, int maxMs) =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new ReconnectBackoff(TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs), new Random(1)));
}
