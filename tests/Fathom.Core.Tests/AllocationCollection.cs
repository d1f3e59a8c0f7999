using Xunit;

namespace Fathom.Core.Tests;

/// <summary>
/// Zero-allocation tests also read the process-wide counter, so they run alone: other test classes
/// allocating in parallel would otherwise show up in <c>GC.GetTotalAllocatedBytes</c>.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation-sensitive (runs alone)";
}
