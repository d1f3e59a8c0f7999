using Fathom.Core;
using Xunit;
using static Fathom.Venues.Okx.Tests.OkxTestData;

namespace Fathom.Venues.Okx.Tests.LiveFeed;

/// <summary>
/// Instances that lose OKX together must not reconnect in step (OKX counts 3 connection attempts per second per IP):
/// each feed's jitter is its own unless a test fixes the seed.
/// </summary>
public sealed class OkxReconnectJitterTests
{
    private static OkxMarketDataFeed Feed(OkxFeedOptions options) =>
        new([BtcUsdt], OkxEndpoints.Local(new Uri("http://127.0.0.1:1/"), simulated: true), new HttpClient(), TimeProvider.System, options);

    private static TimeSpan[] Pauses(ReconnectBackoff backoff) => [.. Enumerable.Range(0, 8).Select(_ => backoff.Delay(4))];

    [Fact]
    public void TwoFeedsWithDefaultOptions_DrawDifferentPauses()
    {
        TimeSpan[] a = Pauses(Feed(new OkxFeedOptions()).ReconnectBackoff);
        TimeSpan[] b = Pauses(Feed(new OkxFeedOptions()).ReconnectBackoff);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void AFixedSeed_GivesTheSamePausesEveryTime()
    {
        var options = new OkxFeedOptions { JitterSeed = 17 };
        Assert.Equal(Pauses(Feed(options).ReconnectBackoff), Pauses(Feed(options).ReconnectBackoff));
    }
}
