using System.Runtime.CompilerServices;

namespace Fathom.Core;

/// <summary>
/// Run-to-completion sequencer: the thread that has an input takes an (usually uncontended) lock,
/// stamps the input with the next sequence number and a monotonic timestamp, runs the core handler
/// on it, and returns. Exactly one input is inside the handler at any time, and inputs reach it in
/// sequence order, so the core needs no locks of its own.
/// </summary>
/// <remarks>
/// Invariant: sequence numbers start at 1 and have no gaps; timestamps never decrease.
/// A handler that publishes from inside <see cref="ISequencedHandler{TInput}.OnInput"/> would break
/// "one input at a time", so re-entry from the same thread throws; queue the follow-up input instead.
/// </remarks>
public sealed class Sequencer<TInput, THandler>
    where TInput : struct
    where THandler : ISequencedHandler<TInput>
{
    private readonly Lock _gate = new();
    private readonly MonotonicClock _clock;
    private THandler _handler;
    private long _sequence;
    private long _lastTimestamp;
    private bool _inHandler;

    public Sequencer(MonotonicClock clock, THandler handler, long startSequence = 0)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        _handler = handler;
        _sequence = startSequence;
    }

    /// <summary>The last sequence number handed out (0 before the first input, or the configured start).</summary>
    public long LastSequence => Volatile.Read(ref _sequence);

    /// <summary>The handler, by reference so struct handlers can be inspected in place.</summary>
    public ref THandler Handler => ref _handler;

    /// <summary>Sequences <paramref name="input"/>, runs the handler on it and returns its stamp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public InputStamp Publish(in TInput input)
    {
        lock (_gate)
        {
            if (_inHandler)
                ThrowHelper.ThrowInvalidOperation("Sequencer re-entered from its own handler; queue the input instead.");
            long now = _clock.NowNanos();
            // A monotonic clock never goes back, but a replayed or manual one might be set so; keep order total.
            if (now < _lastTimestamp)
                now = _lastTimestamp;
            _lastTimestamp = now;
            var stamp = new InputStamp(++_sequence, now);
            _inHandler = true;
            try
            {
                _handler.OnInput(in stamp, in input);
            }
            finally
            {
                _inHandler = false;
            }
            return stamp;
        }
    }
}
