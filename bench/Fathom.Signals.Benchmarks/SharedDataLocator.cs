namespace Fathom.Signals.Benchmarks;

/// <summary>
/// Finds the recorded venue data (<c>shared/data</c>, identified by its PROVENANCE.md) by walking up
/// from the running binary; BenchmarkDotNet runs each benchmark from a generated folder under bin/,
/// so the search must not depend on the working directory. FATHOM_SHARED_DATA overrides it.
/// </summary>
internal static class SharedDataLocator
{
    public static string PathOf(params string[] parts)
    {
        string path = Path.Combine([FindRoot(), .. parts]);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Recorded data file '{path}' is missing.", path);
    }

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("FATHOM_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
            return File.Exists(Path.Combine(env, "PROVENANCE.md")) ? env
                : throw new DirectoryNotFoundException($"FATHOM_SHARED_DATA='{env}' has no PROVENANCE.md.");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "PROVENANCE.md")))
                return candidate;
        }
        throw new DirectoryNotFoundException("shared/data (with PROVENANCE.md) not found above " + AppContext.BaseDirectory +
            "; set FATHOM_SHARED_DATA to its path.");
    }
}
