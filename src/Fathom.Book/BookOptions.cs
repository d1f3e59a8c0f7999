using System.Numerics;
using Fathom.Core;

namespace Fathom.Book;

/// <summary>
/// Sizing of an <see cref="OrderBook"/>: the dense window per side, in ticks (a power of two).
/// Levels beyond the window are kept exactly in a sorted spill store; the window only decides
/// which levels take the fast path. Memory is about 8 bytes per window tick per side.
/// </summary>
public sealed record BookOptions
{
    public const int MinWindowTicks = 1 << 12;
    public const int MaxWindowTicks = 1 << 24;

    public int WindowTicks { get; init; } = 1 << 16;

    public static BookOptions Default { get; } = new();

    /// <summary>
    /// A window that covers about ±<paramref name="bandFraction"/> of the price around the touch:
    /// depth feeds update levels far from the touch (in the shared BTCUSDT data 98% of updates lie
    /// within about 10% of the price), and those should stay on the fast path.
    /// </summary>
    public static BookOptions ForPrice(long referenceTicks, double bandFraction = 0.125)
    {
        if (referenceTicks <= 0)
            ThrowHelper.ThrowArgumentOutOfRange(nameof(referenceTicks), "reference price must be positive.");
        double span = referenceTicks * bandFraction;
        long ticks = (long)Math.Clamp(span, MinWindowTicks, MaxWindowTicks);
        return new BookOptions { WindowTicks = (int)Math.Min(BitOperations.RoundUpToPowerOf2((ulong)ticks), MaxWindowTicks) };
    }

    public BookOptions Validate()
    {
        if (WindowTicks < MinWindowTicks || WindowTicks > MaxWindowTicks || !BitOperations.IsPow2(WindowTicks))
            ThrowHelper.ThrowArgumentOutOfRange(nameof(WindowTicks), $"WindowTicks must be a power of two in [{MinWindowTicks}, {MaxWindowTicks}].");
        return this;
    }
}
