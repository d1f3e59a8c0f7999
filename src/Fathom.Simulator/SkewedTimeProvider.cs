namespace Fathom.Simulator;

/// <summary>
/// The exchange's clock: another <see cref="TimeProvider"/> with an adjustable offset on wall-clock
/// time (fault injection: clock skew). Timestamps and timers are the inner provider's, so elapsed
/// times and virtual-time tests are unaffected; only the times the exchange reports and checks move.
/// </summary>
public sealed class SkewedTimeProvider(TimeProvider inner) : TimeProvider
{
    private long _skewTicks;

    public TimeProvider Inner => inner;

    /// <summary>Added to the inner clock's wall time; may be negative. Thread-safe.</summary>
    public TimeSpan Skew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Skew;
    public override long GetTimestamp() => inner.GetTimestamp();
    public override long TimestampFrequency => inner.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
