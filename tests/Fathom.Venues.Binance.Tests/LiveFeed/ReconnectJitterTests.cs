using Fathom.Core;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests.LiveFeed;

/// <summary>
/// Instances that lose the venue together must not reconnect in step: each feed's jitter is its own unless a test
/// fixes the seed.
/// </summary>
public sealed class ReconnectJitterTests
{
    private static BinanceMarketDataFeed Feed(BinanceFeedOptions options) =>
        new([TestInstruments.BtcUsdt], BinanceEndpoints.Local(new Uri("http://127.0.0.1:1/")), new HttpClient(), TimeProvider.System, options);

    private static TimeSpan[] Pauses(ReconnectBackoff backoff) => [.. Enumerable.Range(0, 8).Select(_ => backoff.Delay(4))];

    [Fact]
    public void TwoFeedsWithDefaultOptions_DrawDifferentPauses()
    {
        TimeSpan[] a = Pauses(Feed(new BinanceFeedOptions()).ReconnectBackoff);
        TimeSpan[] b = Pauses(Feed(new BinanceFeedOptions()).ReconnectBackoff);
        Assert.NotEqual(a, b);
        // Still the same back-off: 250 ms · 2^4 = 4 s, drawn from [2 s, 4 s].
        Assert.All(a.Concat(b), p => Assert.InRange(p.TotalMilliseconds, 2_000, 4_000));
    }

    [Fact]
    public void AFixedSeed_GivesTheSamePausesEveryTime()
    {
        var options = new BinanceFeedOptions { JitterSeed = 17 };
        Assert.Equal(Pauses(Feed(options).ReconnectBackoff), Pauses(Feed(options).ReconnectBackoff));
    }
}
