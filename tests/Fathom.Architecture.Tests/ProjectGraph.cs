using System.Xml.Linq;

namespace Fathom.Architecture.Tests;

/// <summary>
/// The declared dependency graph of the projects under <c>src/</c>, read from their .csproj files:
/// for each project, its ProjectReference, PackageReference and FrameworkReference edges.
/// </summary>
/// <remarks>
/// Edges name projects by file name (<c>Fathom.Engine</c>), packages and shared frameworks by id
/// (<c>Microsoft.Data.Sqlite</c>, <c>Microsoft.AspNetCore.App</c>). Transitive project references
/// also compile, so the rules that matter walk <see cref="Closure"/>, not only the direct edges.
/// </remarks>
internal sealed class ProjectGraph
{
    public ProjectGraph(IReadOnlyDictionary<string, IReadOnlySet<string>> edges, IReadOnlySet<string> executables)
    {
        Edges = edges;
        Executables = executables;
    }

    /// <summary>Project name to the names it references directly (projects, packages, frameworks).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> Edges { get; }

    /// <summary>Projects with <c>OutputType</c> Exe: entry points, not libraries.</summary>
    public IReadOnlySet<string> Executables { get; }

    public IEnumerable<string> Projects => Edges.Keys;

    /// <summary>The graph of every <c>src/*/*.csproj</c> under <paramref name="repoRoot"/>.</summary>
    public static ProjectGraph Load(string repoRoot)
    {
        var edges = new SortedDictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var executables = new HashSet<string>(StringComparer.Ordinal);
        foreach (string dir in Directory.GetDirectories(Path.Combine(repoRoot, "src")))
        {
            foreach (string csproj in Directory.GetFiles(dir, "*.csproj"))
            {
                string name = Path.GetFileNameWithoutExtension(csproj);
                XDocument doc = XDocument.Load(csproj);
                var refs = new SortedSet<string>(StringComparer.Ordinal);
                foreach (XElement e in doc.Descendants())
                {
                    string? include = e.Attribute("Include")?.Value;
                    if (include is null)
                        continue;
                    switch (e.Name.LocalName)
                    {
                        case "ProjectReference":
                            refs.Add(Path.GetFileNameWithoutExtension(include.Replace('\\', '/')));
                            break;
                        case "PackageReference":
                        case "FrameworkReference":
                            refs.Add(include);
                            break;
                    }
                }
                if (doc.Descendants("OutputType").Any(e => string.Equals(e.Value.Trim(), "Exe", StringComparison.OrdinalIgnoreCase)))
                    executables.Add(name);
                edges.Add(name, refs);
            }
        }
        return new ProjectGraph(edges, executables);
    }

    /// <summary>Everything <paramref name="project"/> reaches through project references (itself excluded), packages included.</summary>
    public SortedSet<string> Closure(string project)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([project]);
        while (stack.Count > 0)
        {
            if (!Edges.TryGetValue(stack.Pop(), out var refs))
                continue; // a package or framework: a leaf
            foreach (string r in refs)
                if (seen.Add(r))
                    stack.Push(r);
        }
        seen.Remove(project);
        return seen;
    }

    /// <summary>One cycle of project references as "A -> B -> A", or null when the graph is acyclic.</summary>
    public string? FindCycle()
    {
        // Depth-first search with three colours: a grey node met again closes a cycle.
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // absent: white, 1: grey, 2: black
        var path = new List<string>();
        foreach (string start in Edges.Keys)
        {
            string? cycle = Visit(start);
            if (cycle is not null)
                return cycle;
        }
        return null;

        string? Visit(string node)
        {
            if (state.TryGetValue(node, out int s))
                return s == 1 ? string.Join(" -> ", path.SkipWhile(p => p != node).Append(node)) : null;
            state[node] = 1;
            path.Add(node);
            foreach (string next in Edges[node].Where(Edges.ContainsKey))
            {
                string? cycle = Visit(next);
                if (cycle is not null)
                    return cycle;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>The directory holding Fathom.slnx, found by walking up from <paramref name="start"/> (tests run from tests/&lt;project&gt;/bin/...).</summary>
    public static string FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"no Fathom.slnx above {start}");
    }
}
