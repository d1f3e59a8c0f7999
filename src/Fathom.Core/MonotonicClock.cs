using System.Runtime.CompilerServices;

namespace Fathom.Core;

/// <summary>
/// The only clock core code may read: wall time and a monotonic nanosecond stamp, both from an
/// injected <see cref="TimeProvider"/>. Live code passes <see cref="TimeProvider.System"/>; tests,
/// replay and backtest pass a <see cref="ManualTimeProvider"/> so timeouts run on virtual time.
/// </summary>
public sealed class MonotonicClock
{
    private readonly TimeProvider _provider;
    private readonly long _frequency;
    // Invariant: when the provider ticks in nanoseconds (Linux Stopwatch, ManualTimeProvider) we skip the division.
    private readonly bool _nanosecondTicks;

    public MonotonicClock(TimeProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _provider = provider;
        _frequency = provider.TimestampFrequency;
        if (_frequency <= 0)
            ThrowHelper.ThrowArgument(nameof(provider), "TimestampFrequency must be positive.");
        _nanosecondTicks = _frequency == 1_000_000_000;
    }

    public static MonotonicClock System { get; } = new(TimeProvider.System);

    public TimeProvider Provider => _provider;

    /// <summary>Monotonic nanoseconds from an arbitrary origin; only differences are meaningful.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long NowNanos()
    {
        long ts = _provider.GetTimestamp();
        return _nanosecondTicks ? ts : ToNanos(ts, _frequency);
    }

    /// <summary>Wall-clock time (venue timestamps, logs). Never use it to measure durations.</summary>
    public DateTimeOffset UtcNow => _provider.GetUtcNow();

    /// <summary>Wall-clock Unix time in milliseconds, as venues stamp their messages.</summary>
    public long UtcNowUnixMs => _provider.GetUtcNow().ToUnixTimeMilliseconds();

    private static long ToNanos(long ticks, long frequency)
    {
        long seconds = Math.DivRem(ticks, frequency, out long rem);
        return seconds * 1_000_000_000 + rem * 1_000_000_000 / frequency;
    }
}
