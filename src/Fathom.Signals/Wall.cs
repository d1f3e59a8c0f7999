namespace Fathom.Signals;

/// <summary>
/// The strongest wall on one side (docs/signals.md §2): a level among the side's best K whose size
/// is at least κ times the median of those K. <see cref="SinceMs"/> is the venue time at which its
/// current unbroken run as a wall began; persistence is now − since
/// (<see cref="WallDetector.PersistenceMs"/>). Default (Exists = false) when the side has none.
/// </summary>
public readonly record struct Wall(
    bool Exists, long Tick, long Qty, double Ratio, double DistanceTicks, double MedianQty, int Count, long SinceMs);
