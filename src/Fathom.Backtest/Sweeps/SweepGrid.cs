using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Fathom.Backtest.Sweeps;

/// <summary>
/// A parameter sweep: the keys to vary (<c>--set strategy.halfSpreadTicks=1,2,3 --set risk.maxPosition=0.01,0.02</c>)
/// and the cartesian product of their values in a stable order (the first <c>--set</c> varies slowest, the last
/// fastest). <see cref="Parse"/> reads the settings; <see cref="Apply"/> sets one point's values in a copy of a JSON
/// configuration.
/// </summary>
/// <remarks>
/// A path is JSON object keys separated by dots (keys cannot contain dots); values are separated by commas (a value
/// cannot contain one). Errors are <see cref="ArgumentException"/>s that quote the offending setting or path.
/// </remarks>
public sealed partial class SweepGrid
{
    /// <summary>The most points a grid may have.</summary>
    public const int MaxPoints = 10_000;

    private SweepGrid(IReadOnlyList<SweepAxis> axes, IReadOnlyList<SweepPoint> points)
    {
        Axes = axes;
        Points = points;
    }

    /// <summary>The swept keys, in the order given.</summary>
    public IReadOnlyList<SweepAxis> Axes { get; }

    /// <summary>Every combination, in grid order (<see cref="SweepPoint.Index"/> = position).</summary>
    public IReadOnlyList<SweepPoint> Points { get; }

    /// <summary>Reads <c>path=v1,v2,…</c> settings (the arguments of <c>--set</c>).</summary>
    /// <exception cref="ArgumentException">A setting is malformed (no <c>=</c>, an empty key or value), a path is given
    /// twice or inside another, or the grid has more than <see cref="MaxPoints"/> points.</exception>
    public static SweepGrid Parse(IEnumerable<string> sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var axes = new List<SweepAxis>();
        foreach (string? set in sets)
        {
            if (set is null)
                throw new ArgumentException("A sweep setting is null; expected path=value[,value…].");
            int eq = set.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
                throw new ArgumentException($"Sweep setting '{set}' has no '='; expected path=value[,value…], e.g. strategy.halfSpreadTicks=1,2,3.");
            string path = set[..eq].Trim();
            if (path.Length == 0)
                throw new ArgumentException($"Sweep setting '{set}' has no path before '='.");
            if (path.Split('.').Any(k => k.Trim().Length == 0))
                throw new ArgumentException($"Sweep setting '{set}': path '{path}' has an empty key (keys are separated by single dots).");
            string list = set[(eq + 1)..];
            if (list.Trim().Length == 0)
                throw new ArgumentException($"Sweep setting '{set}' has no values after '='.");

            var values = new List<SweepSetting>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            string[] parts = list.Split(',');
            for (int i = 0; i < parts.Length; i++)
            {
                string value = parts[i].Trim();
                if (value.Length == 0)
                    throw new ArgumentException($"Sweep setting '{set}': value {i + 1} of {parts.Length} is empty.");
                if (!seen.Add(value))
                    throw new ArgumentException($"Sweep setting '{set}': value '{value}' is given twice.");
                values.Add(new SweepSetting(path, value, IsText: !IsJsonLiteral(value)));
            }

            foreach (var other in axes)
            {
                if (other.Path == path)
                    throw new ArgumentException($"Sweep key '{path}' is set twice; give all its values in one setting (path=v1,v2,…).");
                if (path.StartsWith(other.Path + ".", StringComparison.Ordinal) || other.Path.StartsWith(path + ".", StringComparison.Ordinal))
                    throw new ArgumentException($"Sweep keys '{other.Path}' and '{path}' overlap: one is inside the other.");
            }
            axes.Add(new SweepAxis(path, values));
        }

        long count = 1;
        foreach (var axis in axes)
        {
            count *= axis.Values.Count;
            if (count > MaxPoints)
                throw new ArgumentException(
                    $"The sweep grid has {string.Join(" × ", axes.Select(a => a.Values.Count))} points, more than {MaxPoints}; narrow it.");
        }

        var points = new List<SweepPoint>((int)count);
        var digits = new int[axes.Count];
        for (int p = 0; p < count; p++)
        {
            points.Add(new SweepPoint(p, [.. axes.Select((a, i) => a.Values[digits[i]])]));
            // Odometer: the last axis turns fastest.
            for (int i = axes.Count - 1; i >= 0; i--)
            {
                if (++digits[i] < axes[i].Values.Count)
                    break;
                digits[i] = 0;
            }
        }
        return new SweepGrid(axes, points);
    }

    /// <summary>
    /// A deep copy of <paramref name="config"/> with each of the point's values set at its path. Every key before the
    /// last must exist and be an object; the last key is replaced or created.
    /// </summary>
    /// <exception cref="ArgumentException">The root is not an object, or a key on a path is missing or not an object
    /// (the message names the path and the key).</exception>
    public static JsonNode Apply(JsonNode config, SweepPoint point)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(point);
        var copy = config.DeepClone();
        if (copy is not JsonObject root)
            throw new ArgumentException($"The configuration is a JSON {Kind(copy)}, not an object; sweep keys cannot be set in it.");
        foreach (var setting in point.Settings)
        {
            var keys = setting.Keys;
            JsonObject parent = root;
            for (int i = 0; i < keys.Count - 1; i++)
            {
                string prefix = string.Join('.', keys.Take(i + 1));
                if (!parent.TryGetPropertyValue(keys[i], out var child))
                    throw new ArgumentException($"Sweep key '{setting.Path}': '{prefix}' is not in the configuration.");
                if (child is not JsonObject next)
                    throw new ArgumentException($"Sweep key '{setting.Path}': '{prefix}' is a JSON {Kind(child)}, not an object.");
                parent = next;
            }
            parent[keys[^1]] = setting.ToJsonNode();
        }
        return copy;
    }

    private static string Kind(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();

    private static bool IsJsonLiteral(string value) => value is "true" or "false" || JsonNumber().IsMatch(value);

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();
}
