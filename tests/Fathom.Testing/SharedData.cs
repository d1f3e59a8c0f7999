namespace Fathom.Testing;

/// <summary>
/// Locates the recorded venue data in <c>../shared/data</c> beside the project root. Tests read it
/// in place; it is never copied into the project. A missing folder fails with a clear message.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> s_root = new(FindRoot);

    /// <summary>The absolute path of <c>shared/data</c>, or throws explaining where it was looked for.</summary>
    public static string Root => s_root.Value ?? throw new DirectoryNotFoundException(
        "The recorded market data was not found. Fathom's tests read it from ../shared/data beside the " +
        "project root (set FATHOM_SHARED_DATA to override). Searched upward from " + AppContext.BaseDirectory);

    public static string PathOf(params string[] parts)
    {
        string path = Path.Combine([Root, .. parts]);
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new FileNotFoundException($"Recorded data file '{path}' is missing from ../shared/data.", path);
        return path;
    }

    public static string[] BinanceSpotDays =>
    [
        PathOf("binance", "hftbacktest", "spot", "btcusdt_20240808.gz"),
        PathOf("binance", "hftbacktest", "spot", "btcusdt_20240809.gz"),
    ];

    /// <summary>cryptofeed's capture of a Binance spot session (NKNUSDT, BLZETH, LRCBTC, RUNEEUR; about 30 s): exchangeInfo, snapshots, the connection.</summary>
    public static string[] CryptofeedBinanceSpot =>
    [
        PathOf("cryptofeed", "BINANCE.0.gz"),
        PathOf("cryptofeed", "BINANCE.http.0.0"),
        PathOf("cryptofeed", "BINANCE.ws.1.0"),
    ];

    /// <summary>Every line of a gzip recording, in memory, for tests that replay it more than once.</summary>
    public static byte[][] ReadLines(string path)
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new Fathom.MarketData.LineReader(gz);
        var lines = new List<byte[]>();
        while (reader.TryReadLine(out var line))
            lines.Add(line.ToArray());
        return [.. lines];
    }

    private static string? FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("FATHOM_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "PROVENANCE.md")))
                return candidate;
        }
        return null;
    }
}
