using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fathom.Backtest;

/// <summary>
/// <see cref="BacktestResult"/> as JSON (<c>result.json</c>): camelCase, enums by name, decimals as JSON numbers
/// written exactly, indented. The same result always gives the same bytes.
/// </summary>
public static class BacktestResultJson
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static byte[] Serialize(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return JsonSerializer.SerializeToUtf8Bytes(result, s_options);
    }

    public static void Write(BacktestResult result, string path) => File.WriteAllBytes(path, Serialize(result));

    public static BacktestResult Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<BacktestResult>(json, s_options) ?? throw new InvalidDataException("result.json holds null");
}
