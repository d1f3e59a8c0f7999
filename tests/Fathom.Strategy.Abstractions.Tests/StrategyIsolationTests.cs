using System.Reflection;
using Fathom.Strategy.Abstractions;
using Xunit;

namespace Fathom.Strategy.Abstractions.Tests;

/// <summary>
/// Strategy isolation is enforced by the compiler and checked here: walking the assembly reference
/// graph from the strategy API (and from every strategy assembly next to it) must never reach a
/// venue, gateway, network, persistence or coordination assembly.
/// </summary>
public class StrategyIsolationTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Fathom.Venues", "Fathom.Gateway", "Fathom.Persistence", "Fathom.Coordination", "Fathom.Simulator",
        "Fathom.Engine", "Fathom.Cli", "Fathom.Execution", "Fathom.Risk",
        "System.Net.Http", "System.Net.Sockets", "System.Net.WebSockets", "System.Net.Security", "System.Net.Requests",
        "Microsoft.Data.Sqlite", "Npgsql", "Microsoft.AspNetCore",
    ];

    /// <summary>Every assembly reachable from <paramref name="root"/> through Fathom assemblies, with the path that reached it.</summary>
    internal static Dictionary<string, string> Closure(Assembly root)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal) { [root.GetName().Name!] = root.GetName().Name! };
        var queue = new Queue<Assembly>([root]);
        while (queue.Count > 0)
        {
            Assembly current = queue.Dequeue();
            string path = seen[current.GetName().Name!];
            foreach (AssemblyName reference in current.GetReferencedAssemblies())
            {
                string name = reference.Name!;
                if (seen.ContainsKey(name))
                    continue;
                seen[name] = path + " -> " + name;
                // Follow our own assemblies; framework references are leaves we only need to name.
                if (name.StartsWith("Fathom.", StringComparison.Ordinal))
                    queue.Enqueue(Assembly.Load(reference));
            }
        }
        return seen;
    }

    internal static void AssertIsolated(Assembly strategyAssembly)
    {
        var closure = Closure(strategyAssembly);
        var violations = closure
            .Where(kv => ForbiddenPrefixes.Any(p => kv.Key.StartsWith(p, StringComparison.Ordinal)))
            .Select(kv => kv.Value)
            .ToList();
        Assert.True(violations.Count == 0,
            $"{strategyAssembly.GetName().Name} reaches forbidden code: {string.Join("; ", violations)}");
    }

    [Fact]
    public void StrategyApi_ReachesNoVenueNetworkOrPersistenceCode() => AssertIsolated(typeof(IStrategy).Assembly);

    [Fact]
    public void SampleStrategies_ReachNoVenueNetworkOrPersistenceCode() =>
        AssertIsolated(typeof(Fathom.Strategies.MarketMaker).Assembly);

    [Fact]
    public void StrategyApi_ReachesTheBookAndMarketData()
    {
        // The walk itself must work, or the isolation check above would pass vacuously.
        var closure = Closure(typeof(IStrategy).Assembly);
        Assert.Contains("Fathom.Book", closure.Keys);
        Assert.Contains("Fathom.MarketData", closure.Keys);
        Assert.Contains("Fathom.Core", closure.Keys);
    }

    [Fact]
    public void Closure_FindsAForbiddenReference_WhenThereIsOne()
    {
        // This test assembly references xunit, which references System.Net-free code; use a known
        // framework assembly that does reference the network to prove the walk sees framework leaves.
        var closure = Closure(typeof(System.Net.Http.HttpClient).Assembly);
        Assert.Contains(closure.Keys, k => k.StartsWith("System.Net", StringComparison.Ordinal));
    }

    [Fact]
    public void QuoteIntent_DefaultsToPostOnly()
    {
        var intent = Intent.Quote(0, new Core.Price(100), new Core.Qty(1), new Core.Price(101), new Core.Qty(1));
        Assert.True(intent.PostOnly);
        Assert.True(intent.QuotesBid && intent.QuotesAsk);
        Assert.False(Intent.Quote(0, default, default, new Core.Price(101), new Core.Qty(1)).QuotesBid);
    }
}
