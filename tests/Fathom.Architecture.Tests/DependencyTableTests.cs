using Xunit;

namespace Fathom.Architecture.Tests;

/// <summary>
/// Dependencies point inward, enforced: every edge declared by a <c>src/*/*.csproj</c> must be in
/// <see cref="AllowedReferences.Table"/>, and the rules the table encodes are also checked against the
/// reference closure (what a project reaches transitively), so widening the table cannot quietly let
/// the engine reach a venue or a database.
/// </summary>
public class DependencyTableTests
{
    private static readonly ProjectGraph Graph = ProjectGraph.Load(ProjectGraph.FindRepoRoot(AppContext.BaseDirectory));

    private static readonly string[] Venues = ["Fathom.Venues."];

    [Fact]
    public void Projects_DeclareOnlyAllowedReferences()
    {
        List<string> problems = Violations(Graph, AllowedReferences.Table);
        Assert.True(problems.Count == 0, "dependency table violated:\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Graph_FindsTheProjects()
    {
        // The check above must not pass vacuously on an empty or misread graph.
        Assert.Contains("Fathom.Engine", Graph.Projects);
        Assert.Contains("Fathom.Execution", Graph.Edges["Fathom.Engine"]);
        Assert.Contains("Microsoft.Data.Sqlite", Graph.Edges["Fathom.Persistence"]);
        Assert.Contains("Fathom.Cli", Graph.Executables);
        Assert.True(Graph.Projects.Count() >= 15);
    }

    [Fact]
    public void Core_ReferencesNothing() => Assert.Empty(Graph.Edges["Fathom.Core"]);

    [Fact]
    public void Engine_ReachesNeitherAVenueNorADatabase() =>
        AssertReachesNone("Fathom.Engine", [.. Venues, "Fathom.Persistence", "Fathom.Persistence.Postgres", "Microsoft.Data.Sqlite", "Npgsql",
            "Fathom.Simulator", "Fathom.Hosting", "Fathom.Cli", "Microsoft.AspNetCore"]);

    // The send path: what decides, checks and sends an order. Fencing by lease epoch only holds if sending never
    // waits on the coordination database (a stalled PostgreSQL must not stall a cancel), so none of it may reach one.
    private static readonly string[] SendPath =
        ["Fathom.Execution", "Fathom.Engine", "Fathom.Risk", "Fathom.Gateway.Abstractions", "Fathom.Venues.Binance"];

    private static readonly string[] CoordinationDatabase = ["Npgsql", "Fathom.Persistence", "Fathom.Persistence.Postgres"];

    [Fact]
    public void SendPath_CannotReachTheCoordinationDatabase()
    {
        foreach (string project in SendPath)
        {
            Assert.Contains(project, Graph.Projects); // a renamed project must not make this pass vacuously
            List<string> hits = Reaches(Graph, project, CoordinationDatabase);
            Assert.True(hits.Count == 0, $"{project} (send path) reaches {string.Join(", ", hits)}");
        }
    }

    [Fact]
    public void SendPathRule_RiskReachingPersistenceTransitively_IsReported()
    {
        var edges = TableAsEdges();
        edges["Fathom.Gateway.Abstractions"] = new SortedSet<string>(edges["Fathom.Gateway.Abstractions"], StringComparer.Ordinal) { "Fathom.Persistence.Postgres" };
        var broken = new ProjectGraph(edges, new HashSet<string>());

        // Risk does not name the database; it reaches it through the gateway abstractions, and so do the others.
        Assert.Equal(new[] { "Fathom.Persistence", "Fathom.Persistence.Postgres", "Npgsql" }, Reaches(broken, "Fathom.Risk", CoordinationDatabase));
        Assert.All(SendPath, p => Assert.NotEmpty(Reaches(broken, p, CoordinationDatabase)));
    }

    [Fact]
    public void StrategyApi_ReachesOnlyWhatAStrategyMaySee() =>
        AssertReachesOnly("Fathom.Strategy.Abstractions", ["Fathom.Core", "Fathom.Book", "Fathom.MarketData"]);

    [Fact]
    public void Strategies_ReferenceOnlyTheStrategyApi()
    {
        Assert.Equal(new[] { "Fathom.Strategy.Abstractions" }, Graph.Edges["Fathom.Strategies"]);
        AssertReachesOnly("Fathom.Strategies", ["Fathom.Strategy.Abstractions", "Fathom.Core", "Fathom.Book", "Fathom.MarketData"]);
    }

    [Fact]
    public void Venues_ReachNeitherTheEngineNorExecutionNorTheStrategyApi()
    {
        foreach (string venue in Graph.Projects.Where(p => p.StartsWith("Fathom.Venues.", StringComparison.Ordinal)))
            AssertReachesNone(venue, ["Fathom.Engine", "Fathom.Execution", "Fathom.Strategy.Abstractions", "Fathom.Strategies",
                "Fathom.Persistence", "Fathom.Hosting", "Fathom.Cli"]);
    }

    [Fact]
    public void Journal_ReachesNeitherTheEngineNorAVenue() =>
        AssertReachesNone("Fathom.Journal", [.. Venues, "Fathom.Engine", "Fathom.Execution", "Fathom.Persistence", "Fathom.Hosting"]);

    [Fact]
    public void Persistence_ReachesNeitherTheEngineNorAVenue() =>
        AssertReachesNone("Fathom.Persistence", [.. Venues, "Fathom.Engine", "Fathom.Hosting", "Fathom.Cli"]);

    [Fact]
    public void PersistencePostgres_ReachesNeitherTheEngineNorAVenue()
    {
        Assert.Contains("Npgsql", Graph.Edges["Fathom.Persistence.Postgres"]);
        AssertReachesNone("Fathom.Persistence.Postgres", [.. Venues, "Fathom.Engine", "Fathom.Hosting", "Fathom.Cli"]);
    }

    [Fact]
    public void Hosting_IsTheOnlyLibraryThatReachesBothTheEngineAndAVenue()
    {
        // A library above Hosting (the backtester) reaches both only through it: it declares Hosting and
        // neither the engine nor a venue, so the composition stays in one place.
        var both = Graph.Projects
            .Where(p => !Graph.Executables.Contains(p))
            .Where(p => Graph.Closure(p).Contains("Fathom.Engine") && Graph.Closure(p).Any(r => r.StartsWith("Fathom.Venues.", StringComparison.Ordinal)))
            .Where(p => !(Graph.Edges[p].Contains("Fathom.Hosting") && !Graph.Edges[p].Contains("Fathom.Engine")
                && !Graph.Edges[p].Any(r => r.StartsWith("Fathom.Venues.", StringComparison.Ordinal))))
            .ToList();
        Assert.Equal(new[] { "Fathom.Hosting" }, both);
    }

    [Fact]
    public void Executables_ComposeThroughHosting()
    {
        foreach (string exe in Graph.Executables.Where(e => Graph.Closure(e).Contains("Fathom.Engine")))
            Assert.True(Graph.Edges[exe].Contains("Fathom.Hosting"), $"{exe} reaches the engine but does not reference Fathom.Hosting");
    }

    [Fact]
    public void ProjectReferences_HaveNoCycle()
    {
        string? cycle = Graph.FindCycle();
        Assert.True(cycle is null, "project reference cycle: " + cycle);
    }

    // ---- The checks can fail: each one meets a graph that breaks it.

    [Fact]
    public void Violations_ForbiddenEdge_IsReported()
    {
        var edges = TableAsEdges();
        edges["Fathom.Engine"] = new SortedSet<string>(edges["Fathom.Engine"], StringComparer.Ordinal) { "Fathom.Persistence" };
        var broken = new ProjectGraph(edges, new HashSet<string>());

        List<string> problems = Violations(broken, AllowedReferences.Table);

        Assert.Equal(new[] { "Fathom.Engine -> Fathom.Persistence is not in the table" }, problems);
        Assert.Contains("Microsoft.Data.Sqlite", broken.Closure("Fathom.Engine"));
    }

    [Fact]
    public void Violations_ProjectMissingFromTheTable_IsReported()
    {
        var edges = TableAsEdges();
        edges["Fathom.Venues.Other"] = new SortedSet<string>(StringComparer.Ordinal) { "Fathom.Core" };

        List<string> problems = Violations(new ProjectGraph(edges, new HashSet<string>()), AllowedReferences.Table);

        Assert.Equal(new[] { "Fathom.Venues.Other is not in the table" }, problems);
    }

    [Fact]
    public void FindCycle_CycleThroughThreeProjects_NamesIt()
    {
        var edges = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
        {
            ["A"] = new HashSet<string> { "B", "SomePackage" },
            ["B"] = new HashSet<string> { "C" },
            ["C"] = new HashSet<string> { "A" },
            ["D"] = new HashSet<string> { "A" },
        };
        Assert.Equal("A -> B -> C -> A", new ProjectGraph(edges, new HashSet<string>()).FindCycle());
    }

    // The table itself as a graph (prefix entries left out): a graph that satisfies it, whatever src/ holds today.
    private static Dictionary<string, IReadOnlySet<string>> TableAsEdges() =>
        AllowedReferences.Table.ToDictionary(kv => kv.Key,
            kv => (IReadOnlySet<string>)new SortedSet<string>(kv.Value.Where(r => !r.EndsWith('*')), StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Every declared edge not in <paramref name="table"/>, every project missing from it, every table entry with no project.</summary>
    internal static List<string> Violations(ProjectGraph graph, IReadOnlyDictionary<string, string[]> table)
    {
        var problems = new List<string>();
        foreach (var (project, refs) in graph.Edges)
        {
            if (!table.ContainsKey(project))
            {
                problems.Add($"{project} is not in the table");
                continue;
            }
            foreach (string r in refs)
                if (!AllowedReferences.Allows(project, r))
                    problems.Add($"{project} -> {r} is not in the table");
        }
        foreach (string stale in table.Keys.Where(k => !graph.Edges.ContainsKey(k)))
            problems.Add($"{stale} is in the table but not under src/");
        return problems;
    }

    private static List<string> Reaches(ProjectGraph graph, string project, string[] forbiddenPrefixes) =>
        graph.Closure(project).Where(r => forbiddenPrefixes.Any(f => r.StartsWith(f, StringComparison.Ordinal))).ToList();

    private static void AssertReachesNone(string project, string[] forbiddenPrefixes)
    {
        var hits = Reaches(Graph, project, forbiddenPrefixes);
        Assert.True(hits.Count == 0, $"{project} reaches {string.Join(", ", hits)}");
    }

    private static void AssertReachesOnly(string project, string[] allowed)
    {
        var extra = Graph.Closure(project).Where(r => !allowed.Contains(r)).ToList();
        Assert.True(extra.Count == 0, $"{project} reaches {string.Join(", ", extra)}, beyond {string.Join(", ", allowed)}");
    }
}
