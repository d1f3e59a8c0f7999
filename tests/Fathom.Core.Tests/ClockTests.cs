using Xunit;

namespace Fathom.Core.Tests;

public class ClockTests
{
    [Fact]
    public void MonotonicClock_OnManualTime_MovesOnlyWhenAdvanced()
    {
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        long t0 = clock.NowNanos();
        Assert.Equal(t0, clock.NowNanos());
        time.Advance(TimeSpan.FromMilliseconds(1.5));
        Assert.Equal(1_500_000, clock.NowNanos() - t0);
        Assert.Equal(time.GetUtcNow(), clock.UtcNow);
    }

    [Fact]
    public void MonotonicClock_System_NeverGoesBackwards()
    {
        long prev = MonotonicClock.System.NowNanos();
        for (int i = 0; i < 10_000; i++)
        {
            long now = MonotonicClock.System.NowNanos();
            Assert.True(now >= prev);
            prev = now;
        }
    }

    [Fact]
    public void ManualTimeProvider_FiresTimersInDueOrderOnAdvance()
    {
        var time = new ManualTimeProvider();
        var fired = new List<string>();
        using var late = time.CreateTimer(_ => fired.Add("late"), null, TimeSpan.FromSeconds(2), Timeout.InfiniteTimeSpan);
        using var early = time.CreateTimer(_ => fired.Add("early"), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Empty(fired);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["early", "late"], fired);
    }

    [Fact]
    public void ManualTimeProvider_PeriodicTimer_FiresEachPeriod()
    {
        var time = new ManualTimeProvider();
        int count = 0;
        using var timer = time.CreateTimer(_ => count++, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal(3, count);
        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(3, count);
    }

    [Fact]
    public void ManualTimeProvider_TimerSeesTheTimeItWasDueAt()
    {
        var time = new ManualTimeProvider();
        var clock = new MonotonicClock(time);
        long start = clock.NowNanos();
        long seen = 0;
        using var timer = time.CreateTimer(_ => seen = clock.NowNanos() - start, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1_000_000_000, seen);
        Assert.Equal(10_000_000_000, clock.NowNanos() - start);
    }

    [Fact]
    public void ManualTimeProvider_Backwards_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ManualTimeProvider().Advance(TimeSpan.FromTicks(-1)));
}
