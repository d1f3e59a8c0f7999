namespace Fathom.Backtest;

/// <summary>
/// The backtest's virtual clock: <see cref="Fathom.Core.ManualTimeProvider"/>'s arithmetic (nanosecond stamps, wall time moved
/// by each step's whole 100 ns ticks) in plain fields, without its lock. A backtest runs on one thread and the core
/// reads the clock several times per input, so the lock was a cost with nothing to guard.
/// </summary>
/// <remarks>
/// Timers are not supported: nothing in a backtest's core creates one (the runner steps the engine's timer, the
/// venue's latencies and the marks itself), and a timer firing outside the runner's order would break determinism.
/// </remarks>
internal sealed class BacktestTimeProvider : TimeProvider
{
    private DateTimeOffset _utcNow;
    private long _timestampNanos;

    public BacktestTimeProvider(DateTimeOffset start)
    {
        _utcNow = start;
        _timestampNanos = 1_000_000_000; // as ManualTimeProvider: a non-zero origin
    }

    public override long TimestampFrequency => 1_000_000_000;
    public override long GetTimestamp() => _timestampNanos;
    public override DateTimeOffset GetUtcNow() => _utcNow;
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the stamp to <paramref name="timestampNanos"/> and wall time by the same whole ticks; an earlier target is ignored.</summary>
    public void AdvanceToNanos(long timestampNanos)
    {
        if (timestampNanos <= _timestampNanos)
            return;
        long delta = timestampNanos - _timestampNanos;
        _timestampNanos = timestampNanos;
        _utcNow = _utcNow.AddTicks(delta / 100);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new NotSupportedException("a backtest's clock has no timers: the runner steps everything periodic itself");
}
