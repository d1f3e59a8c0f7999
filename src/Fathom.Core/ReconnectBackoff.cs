namespace Fathom.Core;

/// <summary>
/// The pause before a reconnect attempt, capped, jittered and exponential: after <c>n</c> consecutive failures it is
/// drawn from [b/2, b] with b = min(<see cref="Max"/>, <see cref="Min"/> · 2^n) (equal jitter). The doubling keeps a
/// venue that keeps refusing from being hammered (OKX allows 3 connection attempts per second per IP; Binance 300
/// connections per 5 minutes per IP, and bans the IP past it); the jitter spreads clients that lost the venue
/// together; the cap keeps a long outage probed every <see cref="Max"/> at most. The caller counts its failures and
/// starts over at 0 once connected. Every venue's market-data feed and order gateway reconnect through one.
/// </summary>
/// <remarks>Not thread-safe (the jitter source is not): one reconnect loop at a time draws from an instance.</remarks>
public sealed class ReconnectBackoff
{
    private readonly Random _jitter;

    /// <summary>
    /// A back-off whose jitter is drawn from a source seeded with <paramref name="seed"/> (a test that needs the same pauses
    /// every run), or, without one, from the system's entropy: instances that lost the venue together then spread out
    /// instead of retrying in step.
    /// </summary>
    public ReconnectBackoff(TimeSpan min, TimeSpan max, int? seed = null)
        : this(min, max, seed is int s ? new Random(s) : new Random())
    {
    }

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random jitter)
    {
        ArgumentNullException.ThrowIfNull(jitter);
        if (min <= TimeSpan.Zero || max < min)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(min), $"the back-off needs 0 < min ≤ max (min {min}, max {max})");
        Min = min;
        Max = max;
        _jitter = jitter;
    }

    /// <summary>The base pause before the first attempt (no failure yet).</summary>
    public TimeSpan Min { get; }

    /// <summary>The longest pause, however many attempts failed.</summary>
    public TimeSpan Max { get; }

    /// <summary>The pause before the next attempt after <paramref name="failures"/> consecutive failed ones.</summary>
    public TimeSpan Delay(int failures)
    {
        double max = Max.TotalMilliseconds;
        double baseMs = Math.Min(max, Min.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures, 0, 30)));
        return TimeSpan.FromMilliseconds(baseMs / 2 + _jitter.NextDouble() * baseMs / 2);
    }
}
