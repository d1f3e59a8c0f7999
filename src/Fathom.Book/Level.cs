namespace Fathom.Book;

/// <summary>One price level: price in ticks, quantity as a raw fixed-point value (0 means removed).</summary>
public readonly record struct Level(long Tick, long Qty);
