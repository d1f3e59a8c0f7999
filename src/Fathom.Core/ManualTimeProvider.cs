namespace Fathom.Core;

/// <summary>
/// A <see cref="TimeProvider"/> that moves only when told to: for tests, replay and backtests.
/// Timestamps are nanoseconds. Timers created from it fire synchronously inside <see cref="Advance"/>,
/// in due-time order, so timeout logic is deterministic.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _utcNow;
    private long _timestampNanos;

    public ManualTimeProvider(DateTimeOffset start)
    {
        _utcNow = start;
        _timestampNanos = 1_000_000_000; // a non-zero origin catches code that treats 0 as "unset"
    }

    public ManualTimeProvider() : this(new DateTimeOffset(2024, 8, 8, 23, 54, 0, TimeSpan.Zero)) { }

    public override long TimestampFrequency => 1_000_000_000;
    public override long GetTimestamp() { lock (_gate) return _timestampNanos; }
    public override DateTimeOffset GetUtcNow() { lock (_gate) return _utcNow; }
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves both clocks forward and fires every timer that falls due, in order.</summary>
    public void Advance(TimeSpan delta)
    {
        if (delta < TimeSpan.Zero)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(delta), "Time cannot go backwards.");
        long target;
        lock (_gate)
            target = _timestampNanos + delta.Ticks * 100;
        AdvanceToNanos(target);
    }

    /// <summary>
    /// Moves the monotonic stamp to exactly <paramref name="timestampNanos"/> (nanosecond precision, for
    /// replaying recorded stamps), wall time with it, firing due timers in order; an earlier target is ignored.
    /// </summary>
    public void AdvanceToNanos(long timestampNanos)
    {
        long target = timestampNanos;
        lock (_gate)
        {
            if (target <= _timestampNanos)
                return;
        }
        while (true)
        {
            ManualTimer? due = null;
            lock (_gate)
            {
                foreach (var t in _timers)
                    if (t.DueNanos <= target && (due is null || t.DueNanos < due.DueNanos))
                        due = t;
                if (due is null)
                {
                    MoveTo(target);
                    return;
                }
                MoveTo(Math.Max(_timestampNanos, due.DueNanos));
                due.Reschedule(); // before the callback, which may change the timer again
            }
            due.Fire();
        }
    }

    /// <summary>Sets wall-clock time alone (e.g. to model a skewed local clock); the monotonic stamp is untouched.</summary>
    public void SetUtcNow(DateTimeOffset utcNow) { lock (_gate) _utcNow = utcNow; }

    private void MoveTo(long nanos)
    {
        long delta = nanos - _timestampNanos;
        _timestampNanos = nanos;
        _utcNow = _utcNow.AddTicks(delta / 100);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _periodNanos;
        public long DueNanos { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                    return true;
                DueNanos = owner._timestampNanos + Math.Max(0, dueTime.Ticks) * 100;
                _periodNanos = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? 0 : period.Ticks * 100;
                owner._timers.Add(this);
            }
            return true;
        }

        // Called under the owner's lock.
        public void Reschedule()
        {
            if (_periodNanos > 0)
                DueNanos += _periodNanos;
            else
                owner._timers.Remove(this);
        }

        public void Fire() => callback(state);

        public void Dispose() { lock (owner._gate) owner._timers.Remove(this); }
        public ValueTask DisposeAsync() { Dispose(); return ValueTask.CompletedTask; }
    }
}
