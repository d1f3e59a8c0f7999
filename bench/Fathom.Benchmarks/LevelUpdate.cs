using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>One level update of a depth diff: set <see cref="Qty"/> at <see cref="Tick"/> on <see cref="Side"/> (0 removes).</summary>
internal readonly record struct LevelUpdate(Side Side, long Tick, long Qty);
