using System.Runtime.CompilerServices;

namespace Fathom.Core;

/// <summary>
/// Writes one element per memory page of a freshly allocated array, so its pages are mapped now and not on
/// their first write. A large array from the GC is fresh, untouched memory: each page faults the first time it
/// is written (or read, and written again), 1–40 µs each in a VM. On the latency harness a new book took ~1,500
/// such faults over its first minutes, up to a dozen inside one diff; the order table, the latency histograms and
/// the analyzer's windows took ~300 more inside frames, most of them on the frames that send an order (the
/// order table's next slot, the histogram bucket of a new latency). Construction is the cold path; a frame is not.
/// </summary>
public static class PageCommit
{
    /// <summary>
    /// Maps every page of <paramref name="array"/> now; its contents are unchanged (one byte per page is read and
    /// written back). Call it right after allocating, before the array is shared with another thread.
    /// </summary>
    public static void Touch<T>(T[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        ref byte first = ref Unsafe.As<T, byte>(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array));
        long bytes = (long)array.Length * Unsafe.SizeOf<T>();
        // One byte per page, written back as read: the page is dirtied (so mapped privately) and nothing changes.
        for (long offset = 0; offset < bytes; offset += Environment.SystemPageSize)
        {
            ref byte b = ref Unsafe.Add(ref first, (nint)offset);
            Volatile.Write(ref b, Volatile.Read(ref b));
        }
    }
}
