using System.Runtime.InteropServices;

namespace Fathom.Core;

/// <summary>
/// A long on its own pair of cache lines, so a counter written by one thread does not slow down
/// readers of its neighbour (false sharing; 128 bytes covers the adjacent-line prefetcher).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
public struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
