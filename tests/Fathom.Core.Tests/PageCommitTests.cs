using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace Fathom.Core.Tests;

public class PageCommitTests
{
    private sealed record Payload(string Name);

    private struct WithReference
    {
        public long Value;
        public Payload? Ref;
    }

    /// <summary>Pages of [address, address + bytes) the kernel has mapped (the present bit of /proc/self/pagemap).</summary>
    private static int PresentPages(nint address, long bytes)
    {
        int page = Environment.SystemPageSize;
        long first = address / page, last = (address + bytes - 1) / page;
        using var map = new FileStream("/proc/self/pagemap", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        map.Seek(first * 8, SeekOrigin.Begin);
        var entries = new byte[(last - first + 1) * 8];
        map.ReadExactly(entries);
        int present = 0;
        for (int i = 0; i < entries.Length; i += 8)
            if ((BitConverter.ToUInt64(entries, i) & (1UL << 63)) != 0)
                present++;
        return present;
    }

    [Fact]
    public unsafe void Touch_FreshArray_MapsEveryPage()
    {
        // 32 MiB, pinned (never moves) and not zeroed by the runtime: fresh memory from the OS, not yet mapped.
        long[] array = GC.AllocateUninitializedArray<long>(4 << 20, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        long bytes = (long)array.Length * sizeof(long);
        int pages = (int)(bytes / Environment.SystemPageSize);
        int before = PresentPages(address, bytes);
        // The premise: most of a fresh array is not mapped yet (else this test would prove nothing).
        Assert.True(before < pages / 2, $"{before} of {pages} pages already mapped before Touch");

        PageCommit.Touch(array);

        Assert.True(PresentPages(address, bytes) >= pages, "every page is mapped after Touch");
    }

    [Fact]
    public void Touch_LeavesContentsUnchanged_ValuesAndReferences()
    {
        var longs = new long[10_000];
        for (int i = 0; i < longs.Length; i++)
            longs[i] = i * 7919L - 3;
        PageCommit.Touch(longs);
        for (int i = 0; i < longs.Length; i++)
            Assert.Equal(i * 7919L - 3, longs[i]);

        var items = new WithReference[5_000];
        for (int i = 0; i < items.Length; i++)
            items[i] = new WithReference { Value = -i, Ref = i % 3 == 0 ? new Payload($"p{i}") : null };
        PageCommit.Touch(items);
        GC.Collect();
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(-i, items[i].Value);
            Assert.Equal(i % 3 == 0 ? $"p{i}" : null, items[i].Ref?.Name);
        }

        PageCommit.Touch(Array.Empty<int>());
        Assert.Throws<ArgumentNullException>(() => PageCommit.Touch<int>(null!));
    }
}
