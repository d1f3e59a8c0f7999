namespace Fathom.Benchmarks;

/// <summary>
/// Finds the recorded venue data (<c>shared/data</c>, identified by its PROVENANCE.md) by walking up
/// from the running binary; BenchmarkDotNet runs each benchmark from a generated folder under bin/,
/// so the search must not depend on the working directory. FATHOM_SHARED_DATA overrides the search.
/// </summary>
internal static class SharedDataLocator
{
    public const string EnvironmentVariable = "FATHOM_SHARED_DATA";

    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts)
    {
        string path = Path.Combine([Root, .. parts]);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Recorded data file '{path}' is missing from {Root}.", path);
        return path;
    }

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            if (File.Exists(Path.Combine(env, "PROVENANCE.md")))
                return Path.GetFullPath(env);
            throw new DirectoryNotFoundException(
                $"{EnvironmentVariable}='{env}' does not point at the recorded data folder (no PROVENANCE.md there).");
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "PROVENANCE.md")))
                return candidate;
        }
        throw new DirectoryNotFoundException(
            "The recorded market data was not found. The benchmarks read it from a folder 'shared/data' " +
            $"(containing PROVENANCE.md) above the project; set {EnvironmentVariable} to its path to override. " +
            "Searched upward from " + AppContext.BaseDirectory);
    }
}
