using System.Text.Json.Nodes;

namespace Fathom.Backtest.Sweeps;

/// <summary>
/// One value of one swept configuration key: the dotted path of JSON object keys and the value as typed, which goes
/// into the configuration as a JSON number or boolean when it is one, else as a string.
/// </summary>
/// <param name="Path">Object keys separated by dots, e.g. <c>strategy.halfSpreadTicks</c>.</param>
/// <param name="Value">The value as typed (trimmed), e.g. <c>0.010</c>, <c>true</c>, <c>aggressive</c>.</param>
/// <param name="IsText">True when the value goes in as a JSON string (it is not a JSON number or boolean).</param>
public sealed record SweepSetting(string Path, string Value, bool IsText)
{
    /// <summary>The path split into its object keys.</summary>
    public IReadOnlyList<string> Keys { get; } = Path.Split('.');

    /// <summary>A new JSON node of the value; a number keeps its literal as typed (<c>0.010</c> stays <c>0.010</c>).</summary>
    public JsonNode ToJsonNode() => IsText ? JsonValue.Create(Value) : JsonNode.Parse(Value)!;

    /// <summary><c>path=value</c>.</summary>
    public override string ToString() => Path + "=" + Value;
}
