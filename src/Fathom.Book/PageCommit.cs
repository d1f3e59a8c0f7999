namespace Fathom.Book;

/// <summary>
/// Writes one element per memory page of a freshly allocated array, so its pages are mapped now and
/// not on their first write. A large array from the GC is fresh, untouched memory: each page faults
/// the first time it is written (or read, and written again), about a microsecond each in a VM. On the
/// latency harness a new book took ~1,500 such faults over its first minutes, up to a dozen inside one
/// diff. Construction is the cold path; a diff is not.
/// </summary>
internal static class PageCommit
{
    public static unsafe void Touch<T>(T[] array) where T : unmanaged
    {
        int step = Math.Max(1, Environment.SystemPageSize / sizeof(T));
        for (int i = 0; i < array.Length; i += step)
            array[i] = default;
    }
}
