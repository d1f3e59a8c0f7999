namespace Fathom.Signals;

/// <summary>
/// The engine's notion of "now": the largest venue time seen (a diff's E or a trade's T), and when the
/// book signals last started over. Shared by the components so that values read between events
/// (persistence, warm-up) agree with each other.
/// </summary>
internal sealed class SignalClock
{
    public const long Unknown = long.MinValue;

    public long NowMs = Unknown;

    /// <summary>
    /// The venue time of the last reset; a reset before any venue time was seen takes the first time
    /// seen after it, so warm-up never counts from "minus infinity".
    /// </summary>
    public long ResetMs = Unknown;
}
