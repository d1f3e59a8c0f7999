using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Venues.Okx.Tests.OrderEntry;

public class OkxErrorMapTests
{
    [Theory]
    [InlineData(200, 51008, RejectReason.InsufficientBalance)]
    [InlineData(200, 51131, RejectReason.InsufficientBalance)]
    [InlineData(200, 51000, RejectReason.InvalidRequest)]
    [InlineData(200, 60013, RejectReason.InvalidRequest)]
    [InlineData(200, 51006, RejectReason.FilterFailure)]
    [InlineData(200, 51020, RejectReason.FilterFailure)]
    [InlineData(200, 51121, RejectReason.FilterFailure)]
    [InlineData(200, 51124, RejectReason.FilterFailure)]
    [InlineData(200, 51400, RejectReason.UnknownOrder)]
    [InlineData(200, 51401, RejectReason.UnknownOrder)]
    [InlineData(200, 51402, RejectReason.UnknownOrder)]
    [InlineData(200, 51503, RejectReason.UnknownOrder)]
    [InlineData(200, 51603, RejectReason.UnknownOrder)]
    [InlineData(200, 51016, RejectReason.DuplicateOrder)]
    [InlineData(200, 51410, RejectReason.CancelRestricted)]
    [InlineData(200, 51511, RejectReason.AmendNotAllowed)]
    [InlineData(200, 51022, RejectReason.MarketClosed)]
    [InlineData(200, 50011, RejectReason.RateLimited)]
    [InlineData(200, 50061, RejectReason.RateLimited)]
    [InlineData(429, 0, RejectReason.RateLimited)]
    [InlineData(200, 50102, RejectReason.Other)]
    [InlineData(200, 59999, RejectReason.Other)]
    public void Map_OkxCodes_ToTheEngineReasons(int http, int code, RejectReason expected) =>
        Assert.Equal(expected, OkxErrorMap.Map(http, code));

    [Theory]
    [InlineData(200, 50013, true)]
    [InlineData(200, 50026, true)]
    [InlineData(200, 50001, true)]
    [InlineData(200, 50004, true)]
    [InlineData(503, 0, true)]
    [InlineData(200, 50011, false)]
    [InlineData(200, 51008, false)]
    [InlineData(200, 0, false)]
    public void IsStatusUnknown_BusyAndSystemErrors_AreNotRejects(int http, int code, bool unknown) =>
        Assert.Equal(unknown, OkxErrorMap.IsStatusUnknown(http, code));

    [Theory]
    [InlineData(60009, true)] // login failed
    [InlineData(60005, true)] // invalid key
    [InlineData(60007, true)] // invalid sign
    [InlineData(60024, true)] // wrong passphrase
    [InlineData(60032, true)] // key does not exist
    [InlineData(50101, true)] // key of the other environment (demo against production)
    [InlineData(50110, true)] // IP not on the key's list
    [InlineData(50111, true)]
    [InlineData(50113, true)]
    [InlineData(50007, true)] // account blocked
    [InlineData(50008, true)] // user not found
    [InlineData(50012, true)] // account status invalid
    [InlineData(50027, true)] // account restricted from trading
    [InlineData(4088, true)] // identity to verify again before trading
    [InlineData(60008, true)] // login sent to the public WebSocket
    [InlineData(60028, true)] // login sent to a URL that does not take it
    [InlineData(50009, false)] // suspended while a liquidation runs: ends by itself, retried
    [InlineData(60004, false)] // timestamps: the clock is re-measured instead
    [InlineData(60006, false)]
    [InlineData(50001, false)] // the venue busy or failing inside: heals, retried
    [InlineData(50011, false)]
    [InlineData(50013, false)]
    [InlineData(60014, false)]
    [InlineData(63999, false)]
    public void IsLoginFailure_CodesThatNeedAPerson_NotTransientOnes(int code, bool forGood) =>
        Assert.Equal(forGood, OkxErrorMap.IsLoginFailure(code));

    [Fact]
    public void LoginAndTimestampCodes_AreClassified()
    {
        Assert.True(OkxErrorMap.IsLoginFailure(60009));
        Assert.True(OkxErrorMap.IsLoginFailure(60024));
        Assert.False(OkxErrorMap.IsLoginFailure(60006));
        Assert.True(OkxErrorMap.IsTimestampRejected(60006));
        Assert.True(OkxErrorMap.IsTimestampRejected(50102));
        Assert.False(OkxErrorMap.IsTimestampRejected(51000));
    }
}

public class OkxOrderRateLimiterTests
{
    [Fact]
    public void TryAcquire_SixtyPerTwoSecondsPerInstrument_SlidingWindow()
    {
        var time = new ManualTimeProvider();
        var limiter = new OkxOrderRateLimiter(time, 2, 60, TimeSpan.FromSeconds(2));
        for (int i = 0; i < 60; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(0));
            time.Advance(TimeSpan.FromMilliseconds(10));
        }
        // 600 ms after the first op: the window still holds 60; the first leaves it in 1.4 s.
        var wait = limiter.TryAcquire(0);
        Assert.Equal(TimeSpan.FromMilliseconds(1400), wait);
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(1)); // another instrument has its own budget
        time.Advance(wait);
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(0));
        Assert.NotEqual(TimeSpan.Zero, limiter.TryAcquire(0)); // the second op of the old window has not left yet
    }

    [Fact]
    public void BackOff_HoldsEveryInstrumentUntilItPasses()
    {
        var time = new ManualTimeProvider();
        var limiter = new OkxOrderRateLimiter(time, 2, 60, TimeSpan.FromSeconds(2));
        limiter.BackOff(TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), limiter.TryAcquire(1));
        limiter.BackOff(TimeSpan.FromSeconds(1)); // shorter: the longer one stays
        time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.Equal(TimeSpan.FromMilliseconds(500), limiter.TryAcquire(0));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(TimeSpan.Zero, limiter.TryAcquire(0));
    }
}
