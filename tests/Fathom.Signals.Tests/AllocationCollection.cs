using Xunit;

namespace Fathom.Signals.Tests;

/// <summary>Zero-allocation tests read the process-wide counter, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation-sensitive (runs alone)";
}
