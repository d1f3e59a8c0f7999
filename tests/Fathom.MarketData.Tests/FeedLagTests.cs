using Xunit;

namespace Fathom.MarketData.Tests;

public class FeedLagTests
{
    [Fact]
    public void Excess_IsLagAboveTheRecentMinimum_WhateverTheClockOffset()
    {
        var lag = new FeedLag(bucketCount: 10, bucketNanos: 1_000_000_000);
        // The local clock runs 1.27 s behind the venue (as in the shared recording): apparent lag is negative.
        long offsetNs = -1_270_000_000;
        for (int i = 0; i < 50; i++)
        {
            long exchangeMs = 1_000_000 + i * 100;
            lag.Record(exchangeMs * 1_000_000 + offsetNs + 2_000_000, exchangeMs); // 2 ms of real delay
        }
        Assert.Equal(offsetNs + 2_000_000, lag.BaselineNanos);
        Assert.Equal(0, lag.ExcessNanos);
        lag.Record(1_005_000L * 1_000_000 + offsetNs + 250_000_000, 1_005_000); // the feed falls 250 ms behind
        Assert.Equal(248_000_000, lag.ExcessNanos);
    }

    [Fact]
    public void Baseline_AgesOutAfterTheWindow()
    {
        var lag = new FeedLag(bucketCount: 3, bucketNanos: 1_000_000_000);
        lag.Record(10_000_000_000, 10_000 - 5);          // apparent 5 ms (a lucky fast sample)
        lag.Record(10_500_000_000, 10_500 - 50);         // 50 ms
        Assert.Equal(5_000_000, lag.BaselineNanos);
        lag.Record(20_000_000_000, 20_000 - 50);         // 10 s later: the old minimum is gone
        Assert.Equal(50_000_000, lag.BaselineNanos);
        Assert.Equal(0, lag.ExcessNanos);
    }

    [Fact]
    public void SamplesWithoutEventTime_AreIgnored()
    {
        var lag = new FeedLag();
        lag.Record(1_000, 0);
        Assert.Equal(0, lag.Samples);
        Assert.Equal(0, lag.ExcessNanos);
    }
}
