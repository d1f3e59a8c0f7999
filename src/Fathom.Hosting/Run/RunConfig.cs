using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.Risk;
using Fathom.Strategies;
using Fathom.Venues.Binance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Fathom.Hosting.Run;

/// <summary>Where <c>fathom run</c> trades.</summary>
internal enum RunVenue
{
    BinanceTestnet,
    BinanceMainnet,
    Custom,
    /// <summary>OKX demo trading (wspap.okx.com, REST with x-simulated-trading: 1).</summary>
    OkxDemo,
    /// <summary>OKX production: real money, behind --mainnet like binance-mainnet.</summary>
    Okx,
    /// <summary>A server speaking OKX v5 (restUrl, publicWsUrl, privateWsUrl), e.g. <c>fathom sim</c>'s OKX front.</summary>
    OkxCustom,
}

/// <summary>Every reason a config was refused, each naming the JSON path it is about.</summary>
internal sealed class RunConfigException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}

/// <summary>
/// One configured symbol after the static checks; amounts are still decimals (the venue's steps are not known yet).
/// <see cref="StrategyName"/> and <see cref="StrategyParameters"/> are what the catalog builds; the market maker's
/// fields are its parameters with defaults filled in (zero for another strategy).
/// </summary>
internal sealed record RunSymbol(
    string Symbol, string BaseAsset, string QuoteAsset, string StrategyName, IReadOnlyDictionary<string, string?> StrategyParameters,
    long HalfSpreadTicks, decimal QuoteQty, decimal StrategyMaxPosition, long MaxSkewTicks,
    double ReferenceVolatility, double PullVolatility, double PullWithdrawal,
    decimal MaxPosition, decimal MaxOrderQty, decimal MaxOrderNotional,
    bool FollowTicker = false, long MinRequoteIntervalMs = 0, long BookSilenceMs = 0);

/// <summary>A config checked against the venue's exchangeInfo: specs, one strategy instance per symbol and the risk limits.</summary>
internal sealed record ResolvedRun(IReadOnlyList<InstrumentSpec> Specs, IReadOnlyList<StrategySetup> Strategies, RiskLimits Limits);

/// <summary>The host log's sinks (levels are read from the configuration's <c>logging:logLevel</c> section).</summary>
internal sealed record RunLogging(bool Console, string? File, string? JsonFile);

/// <summary>
/// Which trade store the run opens: SQLite in the state directory (the default) or PostgreSQL, whose
/// connection string is read from the environment variable <see cref="ConnectionStringVariable"/> names (it may
/// hold a password, so it is never in the file, printed or logged).
/// </summary>
internal sealed record RunStore(TradeStoreKind Kind, string? ConnectionStringVariable);

/// <summary>
/// The validated <c>fathom run</c> configuration. <see cref="Load"/> reads and checks the file without any
/// network call (JSON syntax with line and position, unknown properties, secrets, venue, limits);
/// <see cref="Resolve"/> finishes the checks that need the venue's exchangeInfo (listing, status, steps).
/// Every numeric setting has a range (<see cref="RunConfigRanges"/>) and every amount fits its fixed
/// point (<see cref="MaxAmount"/>), so no value overflows on its way into the engine.
/// </summary>
/// <remarks>
/// The file never holds credentials: it is printed at start. A property that looks like one is refused
/// and the message names the environment variables to use instead (never the value).
/// </remarks>
internal sealed partial record RunConfig
{
    public const string DefaultVenue = "binance-testnet";
    public const string DefaultPrefix = "fx";
    private const int MoneyDecimals = 8;

    /// <summary>
    /// The largest amount (money or quantity) a config may hold: amounts become 64-bit fixed point at 8
    /// decimals (money here, quantities at Binance's wire precision), and long.MaxValue / 10^8 is this.
    /// </summary>
    public const decimal MaxAmount = 92_233_720_368.54775807m;

    public required string SourcePath { get; init; }
    public required RunVenue Venue { get; init; }
    public required string VenueName { get; init; }
    public required BinanceEndpoints MarketData { get; init; }
    public required BinanceOrderGatewayOptions OrderEntry { get; init; }

    /// <summary>
    /// Execution's options for this run: the defaults with the "never placed" proof window derived from
    /// <see cref="OrderEntry"/>'s recvWindow (at least recvWindow + 10 s), so a long recvWindow cannot make
    /// an order still in the venue's queue count as never placed.
    /// </summary>
    public ExecutionOptions Execution => new ExecutionOptions().WithReceiveWindow(TimeSpan.FromMilliseconds(OrderEntry.RecvWindowMs));
    public required IReadOnlyList<RunSymbol> Symbols { get; init; }

    /// <summary>The market-data feed's options: each symbol's book-silence limit.</summary>
    public BinanceFeedOptions Feed => new()
    {
        BookSilenceTimeouts = Symbols.ToDictionary(s => s.Symbol, s => TimeSpan.FromMilliseconds(s.BookSilenceMs), StringComparer.OrdinalIgnoreCase),
    };
    /// <summary>Risk limits with every global value set; <see cref="Resolve"/> adds the per-instrument ones.</summary>
    public required RiskLimits Risk { get; init; }
    public required string StateDirectory { get; init; }
    public required int MetricsPort { get; init; }
    public required string ClientOrderIdPrefix { get; init; }
    public required ushort InstanceId { get; init; }
    public required TimeSpan StatusInterval { get; init; }
    public required TimeSpan ShutdownTimeout { get; init; }
    /// <summary>Frames per instrument for the JIT warm-up on a throwaway core before trading (0: none).</summary>
    public int WarmupFrames { get; init; } = DefaultWarmupFrames;
    public const int DefaultWarmupFrames = 5_000;
    /// <summary>The catalog the symbols' strategies were checked against (and are built from).</summary>
    public required StrategyCatalog Strategies { get; init; }
    public RunLogging Logging { get; init; } = new(false, null, null);
    public RunStore Store { get; init; } = new(TradeStoreKind.Sqlite, null);
    /// <summary>Restart reconciliation's position-against-balance checks (the <c>balances</c> section), one per base asset.</summary>
    public IReadOnlyList<BalanceCheck> BalanceChecks { get; init; } = [];
    /// <summary>The file's journal path and rotation (the command line's <c>--journal*</c> options override them).</summary>
    public RunJournal Journal { get; init; } = RunJournal.None;

    public bool IsMainnet => Venue is RunVenue.BinanceMainnet or RunVenue.Okx;

    /// <summary>The OKX deployment for okx-demo, okx and okx-custom; null for a Binance venue.</summary>
    public Fathom.Venues.Okx.OkxEndpoints? Okx { get; init; }

    /// <summary>Where the venue lists its instruments (named in the errors that come from it).</summary>
    public string InstrumentList => Okx is null ? "exchangeInfo" : "public/instruments";
    public string StorePath => Path.Combine(StateDirectory, "fathom.db");
    public string ClientOrderIdHighWaterPath => Path.Combine(StateDirectory, "client-order-ids.hwm");
    /// <summary>The local lease's epoch counter (the embedded single-instance coordination).</summary>
    public string LeaseEpochPath => Path.Combine(StateDirectory, "lease-epoch");

    /// <summary>
    /// The store to open: SQLite at <see cref="StorePath"/>, or PostgreSQL with the connection string read
    /// through <paramref name="getVariable"/> (the environment). Throws <see cref="HostInputException"/> naming the
    /// variable, never a value, when it is unset.
    /// </summary>
    public TradeStoreOptions StoreOptions(Func<string, string?> getVariable)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        if (Store.Kind == TradeStoreKind.Sqlite)
            return TradeStoreOptions.Sqlite(StorePath);
        string variable = Store.ConnectionStringVariable!;
        string? connectionString = getVariable(variable);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new HostInputException($"{SourcePath}: $.store.connectionStringVariable names {variable}, which is not set: set {variable} in the environment " +
                "to the PostgreSQL connection string (e.g. Host=db.example;Port=5432;Database=fathom;Username=fathom;Password=…)");
        // Several instances in one database: each lease scope's trades in a PostgreSQL schema of its own.
        return TradeStoreOptions.Postgres(connectionString,
            Cluster?.Kind == Fathom.Hosting.Cluster.CoordinationKind.Postgres ? Fathom.Persistence.Postgres.NpgsqlTradeStore.SchemaFor(Cluster.Scope) : null);
    }

    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    // Every strategy the market maker: its section has no room for other properties, so a misspelt one is
    // refused with its line and position. With another strategy in the file, the extra properties are kept
    // (s_options) and a market maker's unknown ones are found by name after deserialization.
    private static readonly JsonSerializerOptions s_strictOptions = new(s_options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Type == typeof(StrategySection))
                        foreach (var extension in info.Properties.Where(p => p.IsExtensionData).ToList())
                            info.Properties.Remove(extension);
                },
            },
        },
    };

    private static readonly Type[] s_sections = [typeof(RunConfigFile), typeof(SymbolSection), typeof(StrategySection), typeof(InstrumentLimitsSection), typeof(RiskSection), typeof(LoggingSection), typeof(StoreSection), typeof(JournalSection)];

    // Property names that hold credentials, compared without case, '-' or '_'.
    private static readonly string[] s_secretWords = ["apikey", "secret", "privatekey", "password", "passphrase", "ed25519", "signature", "token"];

    /// <summary>
    /// Reads and validates <paramref name="path"/>; throws <see cref="RunConfigException"/> listing every problem.
    /// Strategy names are checked against <paramref name="strategies"/> (the built-in catalog when null); the
    /// strategies' parameters are read from <paramref name="configuration"/> when given (the file layered with
    /// environment variables and the command line, see FathomHost), else from the file alone.
    /// </summary>
    public static RunConfig Load(string path, StrategyCatalog? strategies = null, IConfiguration? configuration = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RunConfigException([$"cannot read the config file '{path}': {ex.Message}"]);
        }
        return Parse(text, Path.GetFullPath(path), strategies, configuration);
    }

    /// <summary>Validates config text; <paramref name="sourcePath"/> anchors a relative state directory (its folder).</summary>
    public static RunConfig Parse(string json, string sourcePath, StrategyCatalog? strategies = null, IConfiguration? configuration = null)
    {
        strategies ??= StrategyCatalog.CreateDefault();
        bool allMarketMakers;
        // Syntax first, on a document (so a secret is found even in a property the schema does not know).
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, s_documentOptions);
        }
        catch (JsonException ex)
        {
            throw new RunConfigException([$"malformed JSON at {Where(ex)}: {StripPosition(ex.Message)}"]);
        }
        using (document)
        {
            var secrets = new List<string>();
            FindSecrets(document.RootElement, "$", secrets);
            if (secrets.Count > 0)
                throw new RunConfigException(secrets);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new RunConfigException(["the config must be a JSON object ({ ... })"]);
            // Numbers before the schema: a value too large for its type must not become a converter's exception.
            // When one is out of range, only those are listed (the other checks would run on values known to be wrong).
            var ranges = new List<string>();
            RunConfigRanges.Check(document.RootElement, ranges);
            if (ranges.Count > 0)
                throw new RunConfigException(ranges);
            allMarketMakers = !(document.RootElement.TryGetProperty("symbols", out var symbols) && symbols.ValueKind == JsonValueKind.Array
                && symbols.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("strategy", out var st)
                    && st.ValueKind == JsonValueKind.Object && st.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                    && n.GetString() != StrategyCatalog.MarketMaker));
        }

        RunConfigFile file;
        try
        {
            file = JsonSerializer.Deserialize<RunConfigFile>(json, allMarketMakers ? s_strictOptions : s_options)!;
        }
        catch (JsonException ex)
        {
            throw new RunConfigException([DescribeSchemaError(ex)]);
        }
        // The strategies' parameters come through configuration, so environment variables and the command line
        // can override them (FATHOM_symbols__0__strategy__quoteQty); without a host, from this text alone.
        configuration ??= new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return Validate(file, sourcePath, strategies, configuration);
    }

    private static void FindSecrets(JsonElement element, string path, List<string> errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                string childPath = path + "." + property.Name;
                string normalized = property.Name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
                if (normalized == "connectionstring")
                {
                    // A connection string may hold a password: it comes from the environment, named by the file.
                    errors.Add($"{childPath}: the config file must not contain a connection string (it may hold a password, and the file is printed at start); " +
                        "put it in an environment variable and name that variable in $.store.connectionStringVariable");
                    continue;
                }
                if (s_secretWords.Any(w => normalized.Contains(w, StringComparison.Ordinal)))
                {
                    // Never the value: only where it is and what to do instead.
                    errors.Add($"{childPath}: the config file must not contain secrets (it is printed at start); remove '{property.Name}' and set " +
                        $"{BinanceCredentials.ApiKeyVariable} with {BinanceCredentials.HmacSecretVariable} or {BinanceCredentials.Ed25519KeyFileVariable} in the environment instead " +
                        $"(OKX: {Fathom.Venues.Okx.OkxCredentials.ApiKeyVariable}, {Fathom.Venues.Okx.OkxCredentials.SecretVariable} and {Fathom.Venues.Okx.OkxCredentials.PassphraseVariable})");
                    continue;
                }
                FindSecrets(property.Value, childPath, errors);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in element.EnumerateArray())
                FindSecrets(item, $"{path}[{i++}]", errors);
        }
    }

    private static string Where(JsonException ex) =>
        ex.LineNumber is long line
            ? $"line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}"
            : "an unknown position";

    private static string StripPosition(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (at < 0)
            at = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (at < 0 ? message : message[..at]).TrimEnd();
    }

    [GeneratedRegex(@"property '(?<prop>[^']*)' could not be mapped to any \.NET member contained in type '(?<type>[^']*)'")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to (?<type>[\w\.\[\]`, =]+?)\. Path")]
    private static partial Regex WrongType();

    private static string DescribeSchemaError(JsonException ex)
    {
        string path = ex.Path ?? "$";
        var unmapped = UnmappedProperty().Match(ex.Message);
        if (unmapped.Success)
        {
            string property = unmapped.Groups["prop"].Value;
            string typeName = unmapped.Groups["type"].Value;
            var section = s_sections.FirstOrDefault(t => t.FullName == typeName);
            string known = section is null ? "" : "; known properties here: " + string.Join(", ", s_options.GetTypeInfo(section).Properties.Where(p => !p.IsExtensionData).Select(p => p.Name));
            string parent = path.EndsWith("." + property, StringComparison.Ordinal) ? path[..^(property.Length + 1)] : path;
            return $"unknown property '{property}' in {parent} at {Where(ex)}{known}";
        }
        var wrong = WrongType().Match(ex.Message);
        if (wrong.Success)
        {
            string type = wrong.Groups["type"].Value;
            string expected = type.Contains("String", StringComparison.Ordinal) ? "a string (decimal amounts are strings, e.g. \"0.001\")"
                : type.Contains("Int", StringComparison.Ordinal) ? "an integer"
                : type.Contains("Double", StringComparison.Ordinal) ? "a number"
                : type.Contains("List", StringComparison.Ordinal) ? "an array"
                : "an object";
            return $"{path} at {Where(ex)}: expected {expected}";
        }
        return $"{path} at {Where(ex)}: {StripPosition(ex.Message)}";
    }

    private static RunConfig Validate(RunConfigFile file, string sourcePath, StrategyCatalog strategies, IConfiguration configuration)
    {
        var errors = new List<string>();

        // Venue and endpoints.
        string venueName = file.Venue ?? DefaultVenue;
        RunVenue venue = RunVenue.BinanceTestnet;
        BinanceEndpoints marketData = BinanceEndpoints.Testnet;
        BinanceOrderGatewayOptions orderEntry = BinanceOrderGatewayOptions.Testnet;
        Fathom.Venues.Okx.OkxEndpoints? okx = null;
        switch (venueName)
        {
            case "binance-testnet":
                break;
            case "binance-mainnet":
                venue = RunVenue.BinanceMainnet;
                marketData = BinanceEndpoints.Mainnet;
                orderEntry = BinanceOrderGatewayOptions.Mainnet;
                break;
            case "custom":
                venue = RunVenue.Custom;
                Uri? rest = RequireUrl(file.RestUrl, "$.restUrl", ["http", "https"], errors, venueName);
                Uri? stream = RequireUrl(file.StreamUrl, "$.streamUrl", ["ws", "wss"], errors, venueName);
                Uri? wsApi = RequireUrl(file.WsApiUrl, "$.wsApiUrl", ["ws", "wss"], errors, venueName);
                if (rest is not null && stream is not null && wsApi is not null)
                {
                    marketData = new BinanceEndpoints(rest, stream);
                    orderEntry = new BinanceOrderGatewayOptions { RestBase = rest, WsApiUrl = wsApi };
                }
                break;
            case "okx-demo":
                venue = RunVenue.OkxDemo;
                okx = Fathom.Venues.Okx.OkxEndpoints.Demo;
                break;
            case "okx":
                venue = RunVenue.Okx;
                okx = Fathom.Venues.Okx.OkxEndpoints.Production;
                break;
            case "okx-custom":
                venue = RunVenue.OkxCustom;
                Uri? okxRest = RequireUrl(file.RestUrl, "$.restUrl", ["http", "https"], errors, venueName);
                Uri? okxPublic = RequireUrl(file.PublicWsUrl, "$.publicWsUrl", ["ws", "wss"], errors, venueName);
                Uri? okxPrivate = RequireUrl(file.PrivateWsUrl, "$.privateWsUrl", ["ws", "wss"], errors, venueName);
                if (okxRest is not null && okxPublic is not null && okxPrivate is not null)
                    okx = new Fathom.Venues.Okx.OkxEndpoints(okxRest, okxPublic, okxPrivate, Simulated: false);
                break;
            default:
                errors.Add($"$.venue: unknown venue '{venueName}'; use binance-testnet (the default), binance-mainnet, custom (with restUrl, streamUrl and wsApiUrl), " +
                    "okx-demo, okx, or okx-custom (with restUrl, publicWsUrl and privateWsUrl)");
                break;
        }
        if (venue is not (RunVenue.Custom or RunVenue.OkxCustom) && (file.RestUrl ?? file.StreamUrl ?? file.WsApiUrl) is not null)
            errors.Add($"$.restUrl/streamUrl/wsApiUrl: explicit URLs are only for venue 'custom' or 'okx-custom' (this config says '{venueName}')");
        if (venue == RunVenue.OkxCustom && (file.StreamUrl ?? file.WsApiUrl) is not null)
            errors.Add("$.streamUrl/wsApiUrl: Binance URLs; venue 'okx-custom' takes restUrl, publicWsUrl and privateWsUrl");
        if (venue != RunVenue.OkxCustom && (file.PublicWsUrl ?? file.PrivateWsUrl) is not null)
            errors.Add($"$.publicWsUrl/privateWsUrl: explicit OKX URLs are only for venue 'okx-custom' (this config says '{venueName}')");
        // Binance's order-entry settings have no OKX meaning: refused rather than silently ignored.
        if (okx is not null)
            foreach (var (key, set) in new[] { ("selfTradePrevention", file.SelfTradePrevention is not null), ("recvWindowMs", file.RecvWindowMs is not null),
                ("probeIntervalMs", file.ProbeIntervalMs is not null), ("livenessTimeoutMs", file.LivenessTimeoutMs is not null),
                ("metadataRefreshSeconds", file.MetadataRefreshSeconds is not null) })
                if (set)
                    errors.Add($"$.{key}: a Binance order-entry setting; venue '{venueName}' (OKX) uses the OKX gateway's own " +
                        "(stpMode cancel_maker, a ping after 20 s idle, down after 5 s without its pong)");

        // Symbols.
        var symbols = new List<RunSymbol>();
        if (file.Symbols is null || file.Symbols.Count == 0)
            errors.Add("$.symbols: at least one symbol is required, e.g. [{ \"symbol\": \"BTCUSDT\", \"baseAsset\": \"BTC\", \"quoteAsset\": \"USDT\", \"strategy\": {…}, \"limits\": {…} }]");
        else
        {
            for (int i = 0; i < file.Symbols.Count; i++)
            {
                var s = ValidateSymbol(file.Symbols[i], $"$.symbols[{i}]", strategies, configuration.GetSection($"symbols:{i}:strategy"), errors, okx is not null);
                if (s is null)
                    continue;
                if (symbols.Any(x => x.Symbol == s.Symbol))
                    errors.Add($"$.symbols[{i}].symbol: {s.Symbol} is listed twice");
                else
                    symbols.Add(s);
            }
        }

        // Global risk limits.
        RiskLimits risk = ValidateRisk(file.Risk, errors);

        // Process settings.
        string configDir = Path.GetDirectoryName(sourcePath) ?? Directory.GetCurrentDirectory();
        string stateDir = string.IsNullOrWhiteSpace(file.StateDirectory)
            ? Path.Combine(configDir, "fathom-state")
            : Path.GetFullPath(file.StateDirectory, configDir);
        // Single-value ranges (port, instance, intervals) were checked by RunConfigRanges.
        int metricsPort = file.MetricsPort ?? 0;
        string prefix = file.ClientOrderIdPrefix ?? DefaultPrefix;
        if (prefix.Length is 0 or > ClientOrderIdFormat.MaxPrefixLength || !prefix.All(char.IsAsciiLetterOrDigit))
            errors.Add($"$.clientOrderIdPrefix: '{prefix}' must be 1..{ClientOrderIdFormat.MaxPrefixLength} ASCII letters or digits");
        int instance = file.InstanceId ?? 1;
        double status = file.StatusIntervalSeconds ?? 5;
        double shutdown = file.ShutdownTimeoutSeconds ?? 10;

        // Order-entry liveness and metadata refresh (ranges checked by RunConfigRanges).
        var stp = BinanceOrderGatewayOptions.DefaultSelfTradePrevention;
        if (file.SelfTradePrevention is not null && !BinanceOrderEncoder.TryParseStpMode(file.SelfTradePrevention, out stp))
            errors.Add($"$.selfTradePrevention: unknown mode '{file.SelfTradePrevention}'; use EXPIRE_TAKER (the default), EXPIRE_MAKER, EXPIRE_BOTH, " +
                "NONE (sent: no self-trade prevention) or SYMBOL_DEFAULT (not sent: the symbol's default applies)");
        orderEntry = orderEntry with
        {
            SelfTradePrevention = stp,
            RecvWindowMs = file.RecvWindowMs is long recv ? (int)recv : orderEntry.RecvWindowMs,
            ProbeInterval = file.ProbeIntervalMs is long probe ? TimeSpan.FromMilliseconds(probe) : orderEntry.ProbeInterval,
            LivenessTimeout = file.LivenessTimeoutMs is long liveness ? TimeSpan.FromMilliseconds(liveness) : orderEntry.LivenessTimeout,
            MetadataRefreshPeriod = file.MetadataRefreshSeconds is double refresh ? TimeSpan.FromSeconds(refresh) : orderEntry.MetadataRefreshPeriod,
        };

        RunLogging logging = ValidateLogging(file.Logging, configDir, errors);
        RunStore store = ValidateStore(file.Store, errors);
        List<BalanceCheck> balanceChecks = ValidateBalances(file.Balances, symbols, errors);
        RunJournal journal = ValidateJournal(file.Journal, configDir, errors);
        RunCluster cluster = ValidateCluster(file.Cluster, store, venueName, instance, symbols, errors);

        if (errors.Count > 0)
            throw new RunConfigException(errors);
        return new RunConfig
        {
            Strategies = strategies,
            Logging = logging,
            Store = store,
            BalanceChecks = balanceChecks,
            Journal = journal,
            Cluster = cluster,
            SourcePath = sourcePath,
            Venue = venue,
            VenueName = venueName,
            Okx = okx,
            MarketData = marketData,
            OrderEntry = orderEntry,
            Symbols = symbols,
            Risk = risk,
            StateDirectory = stateDir,
            MetricsPort = metricsPort,
            ClientOrderIdPrefix = prefix,
            InstanceId = (ushort)instance,
            StatusInterval = TimeSpan.FromSeconds(status),
            ShutdownTimeout = TimeSpan.FromSeconds(shutdown),
            WarmupFrames = file.WarmupFrames ?? DefaultWarmupFrames,
        };
    }

    private static RunLogging ValidateLogging(LoggingSection? section, string configDir, List<string> errors)
    {
        if (section is null)
            return new RunLogging(false, null, null);
        foreach (var (category, level) in section.LogLevel ?? [])
            if (!Enum.TryParse<LogLevel>(level, ignoreCase: true, out _) || int.TryParse(level, out _))
                errors.Add($"$.logging.logLevel.{category}: '{level}' is not a level (Trace, Debug, Information, Warning, Error, Critical or None)");
        string? File(string? path, string name)
        {
            if (path is null)
                return null;
            if (string.IsNullOrWhiteSpace(path))
            {
                errors.Add($"$.logging.{name}: must be a file path (leave it out for no file)");
                return null;
            }
            return Path.GetFullPath(path, configDir);
        }
        return new RunLogging(section.Console ?? false, File(section.File, "file"), File(section.JsonFile, "jsonFile"));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    private static RunStore ValidateStore(StoreSection? section, List<string> errors)
    {
        if (section is null)
            return new RunStore(TradeStoreKind.Sqlite, null);
        TradeStoreKind kind = TradeStoreKind.Sqlite;
        switch (section.Kind)
        {
            case null or "sqlite":
                break;
            case "postgres":
                kind = TradeStoreKind.Postgres;
                break;
            default:
                errors.Add($"$.store.kind: unknown store kind '{section.Kind}'; use sqlite (the default: a file in the state directory) or postgres");
                break;
        }
        string? variable = section.ConnectionStringVariable;
        if (kind == TradeStoreKind.Postgres)
        {
            if (string.IsNullOrWhiteSpace(variable))
                errors.Add("$.store.connectionStringVariable: required for kind 'postgres': the name of the environment variable holding the " +
                    "connection string (e.g. \"FATHOM_PG\"); the connection string itself never goes in this file");
            else if (!VariableName().IsMatch(variable))
                errors.Add($"$.store.connectionStringVariable: '{variable}' is not an environment variable name (letters, digits and '_', e.g. \"FATHOM_PG\")");
        }
        else if (variable is not null)
            errors.Add("$.store.connectionStringVariable: only for kind 'postgres' (this config's store is sqlite)");
        return new RunStore(kind, variable);
    }

    private static RunJournal ValidateJournal(JournalSection? section, string configDir, List<string> errors)
    {
        if (section is null)
            return RunJournal.None;
        string? path = null;
        if (section.Path is not null)
        {
            if (string.IsNullOrWhiteSpace(section.Path) || Path.EndsInDirectorySeparator(section.Path))
                errors.Add($"$.journal.path: '{section.Path}' must name a file (leave it out to journal only with --journal)");
            else
                path = Path.GetFullPath(section.Path, configDir);
        }
        // Ranges were checked by RunConfigRanges: the byte count fits easily.
        JournalRotation? rotation = section.RotateMb is null && section.RotateMinutes is null ? null : new JournalRotation(
            MaxBytes: section.RotateMb is double mb ? (long)Math.Ceiling(mb * 1024 * 1024) : 0,
            MaxAge: TimeSpan.FromMinutes(section.RotateMinutes ?? 0));
        return new RunJournal(path, rotation);
    }

    private static Uri? RequireUrl(string? text, string path, string[] schemes, List<string> errors, string venueName)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Add($"{path}: required for venue '{venueName}' ({string.Join(" or ", schemes)} URL)");
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme))
        {
            errors.Add($"{path}: '{text}' must be an absolute {string.Join(" or ", schemes)} URL");
            return null;
        }
        return uri;
    }

    private static readonly string[] s_marketMakerKeys = [.. typeof(StrategySection).GetProperties()
        .Where(p => p.Name is not (nameof(StrategySection.Name) or nameof(StrategySection.Other)))
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))];

    /// <param name="okx">OKX names a spot instrument BASE-QUOTE ("BTC-USDT"), Binance BASEQUOTE ("BTCUSDT").</param>
    private static RunSymbol? ValidateSymbol(SymbolSection? s, string path, StrategyCatalog strategies, IConfigurationSection strategy, List<string> errors, bool okx)
    {
        if (s is null)
        {
            errors.Add($"{path}: must be an object with symbol, baseAsset, quoteAsset, strategy and limits");
            return null;
        }
        int before = errors.Count;
        string symbol = (s.Symbol ?? "").Trim().ToUpperInvariant();
        string baseAsset = (s.BaseAsset ?? "").Trim().ToUpperInvariant();
        string quoteAsset = (s.QuoteAsset ?? "").Trim().ToUpperInvariant();
        string separator = okx ? "-" : "";
        if (symbol.Length == 0)
            errors.Add($"{path}.symbol: required (e.g. \"{(okx ? "BTC-USDT" : "BTCUSDT")}\")");
        else if (okx ? !symbol.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') : !symbol.All(char.IsAsciiLetterOrDigit))
            errors.Add(okx ? $"{path}.symbol: '{s.Symbol}' must be an OKX instId, letters and digits joined by '-' (e.g. \"BTC-USDT\")"
                : $"{path}.symbol: '{s.Symbol}' must be letters and digits only");
        if (baseAsset.Length == 0)
            errors.Add($"{path}.baseAsset: required (e.g. \"BTC\")");
        if (quoteAsset.Length == 0)
            errors.Add($"{path}.quoteAsset: required (e.g. \"USDT\")");
        if (symbol.Length > 0 && baseAsset.Length > 0 && quoteAsset.Length > 0 && symbol != baseAsset + separator + quoteAsset)
            errors.Add(okx ? $"{path}: symbol {symbol} is not baseAsset-quoteAsset ({baseAsset}-{quoteAsset})"
                : $"{path}: symbol {symbol} is not baseAsset + quoteAsset ({baseAsset} + {quoteAsset})");

        // The strategy: a catalog name and its parameters (the effective ones: file, environment, command line).
        string strategyName = strategy["name"] ?? StrategyCatalog.MarketMaker;
        IReadOnlyDictionary<string, string?> parameters = StrategySetup.ParametersOf(strategy, "name");
        StrategySection? mm = null;
        if (!strategy.Exists())
            errors.Add($"{path}.strategy: required (\"name\", one of {string.Join(", ", strategies.Names)}, default {StrategyCatalog.MarketMaker}, " +
                "and its parameters; the market maker's are halfSpreadTicks, quoteQty, maxPosition, maxSkewTicks)");
        else if (!strategies.Contains(strategyName))
            errors.Add($"{path}.strategy.name: unknown strategy '{strategyName}'; registered: {string.Join(", ", strategies.Names)}");
        else if (strategyName == StrategyCatalog.MarketMaker)
        {
            foreach (string key in parameters.Keys.Select(k => k.Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase))
                if (!s_marketMakerKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
                    errors.Add($"unknown property '{key}' in {path}.strategy; known properties here: name, {string.Join(", ", s_marketMakerKeys)}");
            try
            {
                mm = new ConfigurationBuilder().AddInMemoryCollection(parameters).Build().Get<StrategySection>() ?? new StrategySection();
            }
            catch (InvalidOperationException ex)
            {
                // Only an override from the environment or the command line gets here (the file's types were checked).
                errors.Add($"{path}.strategy: {ex.Message}");
            }
        }
        bool isMarketMaker = strategyName == StrategyCatalog.MarketMaker;
        var defaults = new MarketMakerOptions();
        decimal? quoteQty = null, strategyMax = null;
        long halfSpread = defaults.HalfSpreadTicks, skew = defaults.MaxSkewTicks;
        double refVol = defaults.ReferenceVolatility, pullVol = defaults.PullVolatility, pullWd = defaults.PullWithdrawal;
        bool followTicker = defaults.FollowTicker;
        long minRequoteMs = defaults.MinRequoteIntervalNs / 1_000_000;
        if (mm is not null)
        {
            halfSpread = mm.HalfSpreadTicks ?? halfSpread;
            skew = mm.MaxSkewTicks ?? skew;
            refVol = mm.ReferenceVolatility ?? refVol;
            pullVol = mm.PullVolatility ?? pullVol;
            pullWd = mm.PullWithdrawal ?? pullWd;
            followTicker = mm.FollowTicker ?? followTicker;
            minRequoteMs = mm.MinRequoteIntervalMs ?? minRequoteMs;
            // Each value's range was checked by RunConfigRanges; what is left is how they relate.
            if (!(pullVol > refVol))
                errors.Add($"{path}.strategy: needs referenceVolatility < pullVolatility (got {refVol.ToString(CultureInfo.InvariantCulture)} and {pullVol.ToString(CultureInfo.InvariantCulture)})");
            quoteQty = Amount(mm.QuoteQty, $"{path}.strategy.quoteQty", errors);
            strategyMax = Amount(mm.MaxPosition, $"{path}.strategy.maxPosition", errors);
            if (quoteQty is decimal q && strategyMax is decimal m && m < q)
                errors.Add($"{path}.strategy.maxPosition: {m} is below quoteQty {q} (one fill would exceed it)");
        }

        var l = s.Limits;
        decimal? maxPos = null, maxQty = null, maxNotional = null;
        if (l is null)
            errors.Add($"{path}.limits: required (maxPosition, maxOrderQty, maxOrderNotional)");
        else
        {
            maxPos = Amount(l.MaxPosition, $"{path}.limits.maxPosition", errors);
            maxQty = Amount(l.MaxOrderQty, $"{path}.limits.maxOrderQty", errors);
            maxNotional = Amount(l.MaxOrderNotional, $"{path}.limits.maxOrderNotional", errors, MoneyDecimals);
            if (quoteQty is decimal q)
            {
                if (maxPos is decimal p && p < q)
                    errors.Add($"{path}.limits.maxPosition: {p} is below the strategy's quoteQty {q} (risk would refuse every quote)");
                if (maxQty is decimal oq && oq < q)
                    errors.Add($"{path}.limits.maxOrderQty: {oq} is below the strategy's quoteQty {q} (risk would refuse every quote)");
            }
        }
        if (errors.Count > before)
            return null;
        return new RunSymbol(symbol, baseAsset, quoteAsset, strategyName, parameters,
            halfSpread, isMarketMaker ? quoteQty!.Value : 0, isMarketMaker ? strategyMax!.Value : 0, skew, refVol, pullVol, pullWd,
            maxPos!.Value, maxQty!.Value, maxNotional!.Value, followTicker, minRequoteMs,
            s.BookSilenceMs ?? (long)new BinanceFeedOptions().BookSilenceTimeout.TotalMilliseconds);
    }

    /// <summary>A positive decimal written as a JSON string; null (with the error) when missing or invalid.</summary>
    private static decimal? Amount(string? text, string path, List<string> errors, int maxDecimals = 18)
    {
        if (text is null)
        {
            errors.Add($"{path}: required (a positive decimal string, e.g. \"0.001\")");
            return null;
        }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            errors.Add($"{path}: '{text}' is not a decimal number (digits and an optional '.', no sign or exponent)");
            return null;
        }
        if (value <= 0)
        {
            errors.Add($"{path}: must be positive (got {text})");
            return null;
        }
        if (decimal.Round(value, maxDecimals) != value)
        {
            errors.Add($"{path}: '{text}' has more than {maxDecimals} decimals");
            return null;
        }
        if (value > MaxAmount)
        {
            errors.Add($"{path}: {text} is too large (at most {MaxAmount}: amounts are 64-bit fixed point with 8 decimals)");
            return null;
        }
        return value;
    }

    /// <summary>The <c>balances</c> section: one check per base asset of a configured symbol (amounts ≥ 0, 8 decimals at most).</summary>
    private static List<BalanceCheck> ValidateBalances(Dictionary<string, BalanceSection?>? section, List<RunSymbol> symbols, List<string> errors)
    {
        var checks = new List<BalanceCheck>();
        foreach (var (name, b) in section ?? [])
        {
            string asset = name.Trim().ToUpperInvariant();
            string path = $"$.balances.{name}";
            var traded = symbols.Where(s => s.BaseAsset == asset).Select(s => s.Symbol).ToList();
            if (traded.Count == 0)
            {
                errors.Add($"{path}: no configured symbol has base asset {asset} (the check compares a base asset's balance with the symbols' positions)");
                continue;
            }
            if (b is null)
            {
                errors.Add($"{path}: expected an object {{ \"baseline\": \"1.5\", \"tolerance\": \"0.00001\" }}");
                continue;
            }
            decimal? baseline = NonNegative(b.Baseline, path + ".baseline", errors, required: true);
            decimal? tolerance = NonNegative(b.Tolerance ?? "0", path + ".tolerance", errors, required: true);
            if (baseline is decimal bl && tolerance is decimal tl)
                checks.Add(new BalanceCheck(asset, traded, ToRaw(bl, MoneyDecimals), ToRaw(tl, MoneyDecimals)));
        }
        return checks;
    }

    /// <summary>A decimal ≥ 0 written as a JSON string, at most 8 decimals; null (with the error) when invalid.</summary>
    private static decimal? NonNegative(string? text, string path, List<string> errors, bool required)
    {
        if (text is null)
        {
            if (required)
                errors.Add($"{path}: required (a decimal string ≥ 0, e.g. \"0.5\")");
            return null;
        }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            errors.Add($"{path}: '{text}' is not a decimal number (digits and an optional '.', no sign or exponent)");
            return null;
        }
        if (decimal.Round(value, MoneyDecimals) != value || value > MaxAmount)
        {
            errors.Add($"{path}: '{text}' needs at most {MoneyDecimals} decimals and at most {MaxAmount}");
            return null;
        }
        return value;
    }

    private static RiskLimits ValidateRisk(RiskSection? r, List<string> errors)
    {
        // A placeholder instrument so RiskLimits.Validate can check the relations between the global values.
        var placeholder = new[] { new InstrumentRiskLimits { MaxPosition = new Qty(1), MaxOrderQty = new Qty(1), MaxOrderNotional = 1 } };
        var defaults = new RiskLimits { Instruments = placeholder, MaxTotalNotional = 1, MarkoutLossLimit = 1, MaxDailyLoss = 1 };
        if (r is null)
        {
            errors.Add("$.risk: required (maxTotalNotional, markoutLossLimit and maxDailyLoss at least)");
            return defaults;
        }
        int before = errors.Count;
        decimal? total = Amount(r.MaxTotalNotional, "$.risk.maxTotalNotional", errors, MoneyDecimals);
        decimal? markout = Amount(r.MarkoutLossLimit, "$.risk.markoutLossLimit", errors, MoneyDecimals);
        decimal? daily = Amount(r.MaxDailyLoss, "$.risk.maxDailyLoss", errors, MoneyDecimals);
        // Each value's range was checked by RunConfigRanges (times at most a day, so ms -> ns cannot overflow).
        static long Ms(long? value, long defaultNs) => value is long ms ? checked(ms * 1_000_000) : defaultNs;
        static int Count(int? value, int defaultValue) => value ?? defaultValue;
        static double Threshold(double? value, double defaultValue) => value ?? defaultValue;
        var limits = defaults with
        {
            MoneyDecimals = MoneyDecimals,
            MaxTotalNotional = Money(total),
            MarkoutLossLimit = Money(markout),
            MaxDailyLoss = Money(daily),
            PriceBandBps = Count(r.PriceBandBps, defaults.PriceBandBps),
            MarkoutHorizonNs = Ms(r.MarkoutHorizonMs, defaults.MarkoutHorizonNs),
            MarkoutCooldownNs = Ms(r.MarkoutCooldownMs, defaults.MarkoutCooldownNs),
            VwapStopBps = Count(r.VwapStopBps, defaults.VwapStopBps),
            VolatilityWidenAbove = Threshold(r.VolatilityWidenAbove, defaults.VolatilityWidenAbove),
            VolatilityPauseAbove = Threshold(r.VolatilityPauseAbove, defaults.VolatilityPauseAbove),
            MaxInFlightAgeNs = Ms(r.MaxInFlightAgeMs, defaults.MaxInFlightAgeNs),
            AckLatencyTripNs = Ms(r.AckLatencyTripMs, defaults.AckLatencyTripNs),
            AckLatencyReleaseNs = Ms(r.AckLatencyReleaseMs, defaults.AckLatencyReleaseNs),
            FeedLagTripNs = Ms(r.FeedLagTripMs, defaults.FeedLagTripNs),
            FeedLagReleaseNs = Ms(r.FeedLagReleaseMs, defaults.FeedLagReleaseNs),
            StaleBookGraceNs = Ms(r.StaleBookGraceMs, defaults.StaleBookGraceNs),
            VenueErrorWindowNs = Ms(r.VenueErrorWindowMs, defaults.VenueErrorWindowNs),
            VenueErrorMinCount = Count(r.VenueErrorMinCount, defaults.VenueErrorMinCount),
            VenueErrorRatePercent = Count(r.VenueErrorRatePercent, defaults.VenueErrorRatePercent),
            MaxNewOrdersPerSecond = Count(r.MaxNewOrdersPerSecond, defaults.MaxNewOrdersPerSecond),
            OrderBudget = Count(r.OrderBudget, defaults.OrderBudget),
            OrderBudgetWindowNs = Ms(r.OrderBudgetWindowMs, defaults.OrderBudgetWindowNs),
            CancelHeadroom = Count(r.CancelHeadroom, defaults.CancelHeadroom),
            ReleaseCooldownNs = Ms(r.ReleaseCooldownMs, defaults.ReleaseCooldownNs),
            TradingDayStartOffsetNs = r.TradingDayStartMinutes is int minutes ? minutes * 60_000_000_000L : defaults.TradingDayStartOffsetNs,
        };
        if (errors.Count == before)
        {
            // The relations (release below trip, widen below pause, headroom inside the budget...).
            try
            {
                limits.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                errors.Add("$.risk: " + StripParameter(ex.Message));
            }
        }
        return limits;
    }

    private static string StripParameter(string message)
    {
        int at = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }

    private static long Money(decimal? value) => value is decimal v ? ToRaw(v, MoneyDecimals) : 1;

    /// <summary>Fixed point of an amount already checked against <see cref="MaxAmount"/> (so this cannot overflow at 8 decimals).</summary>
    private static long ToRaw(decimal value, int decimals) => decimal.ToInt64(value * FixedPoint.Pow10(decimals));

    /// <summary>
    /// The checks that need the venue: every symbol listed and trading, quote size on the step grid and at
    /// least the minimum for the market maker, and every symbol's strategy built once through the catalog (so
    /// parameters it refuses are a config error now, not a failed start). Returns the specs in config order,
    /// one strategy instance per symbol, the full risk limits.
    /// </summary>
    public ResolvedRun Resolve(IReadOnlyDictionary<string, InstrumentSpec> venueSpecs)
    {
        ArgumentNullException.ThrowIfNull(venueSpecs);
        var errors = new List<string>();
        var specs = new List<InstrumentSpec>();
        var strategies = new List<StrategySetup>();
        var instrumentLimits = new List<InstrumentRiskLimits>();
        for (int i = 0; i < Symbols.Count; i++)
        {
            var s = Symbols[i];
            string path = $"$.symbols[{i}]";
            if (!venueSpecs.TryGetValue(s.Symbol, out var spec))
            {
                errors.Add($"{path}.symbol: {s.Symbol} is not listed by the venue ({VenueName} {InstrumentList})");
                continue;
            }
            if (spec.Status != InstrumentStatus.Trading)
                errors.Add($"{path}.symbol: {s.Symbol} is not trading on the venue (status {spec.Status})");
            specs.Add(spec);
            strategies.Add(new StrategySetup(s.StrategyName, [i], s.StrategyParameters));
            long maxPos = QtyRaw(s.MaxPosition, spec, $"{path}.limits.maxPosition", errors);
            long maxQty = QtyRaw(s.MaxOrderQty, spec, $"{path}.limits.maxOrderQty", errors);
            instrumentLimits.Add(new InstrumentRiskLimits
            {
                MaxPosition = new Qty(maxPos),
                MaxOrderQty = new Qty(maxQty),
                MaxOrderNotional = ToRaw(s.MaxOrderNotional, MoneyDecimals),
            });
            if (s.StrategyName != StrategyCatalog.MarketMaker)
                continue;
            long quote = QtyRaw(s.QuoteQty, spec, $"{path}.strategy.quoteQty", errors);
            if (quote > 0 && quote % spec.StepSize.Raw != 0)
                errors.Add($"{path}.strategy.quoteQty: {s.QuoteQty} is not a multiple of {s.Symbol}'s step size {Format(spec.StepSize.Raw, spec.QtyDecimals)}");
            if (quote > 0 && quote < spec.MinQty.Raw)
                errors.Add($"{path}.strategy.quoteQty: {s.QuoteQty} is below {s.Symbol}'s minimum quantity {Format(spec.MinQty.Raw, spec.QtyDecimals)}");
            QtyRaw(s.StrategyMaxPosition, spec, $"{path}.strategy.maxPosition", errors);
        }
        if (errors.Count > 0)
            throw new RunConfigException(errors);
        // Each strategy built once, as the composition will: its factory's refusal names the symbol's strategy section.
        for (int i = 0; i < strategies.Count; i++)
        {
            try
            {
                Strategies.Create(strategies[i], specs);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"$.symbols[{i}].strategy: {ex.Message}");
            }
        }
        if (errors.Count > 0)
            throw new RunConfigException(errors);
        return new ResolvedRun(specs, strategies, (Risk with { Instruments = instrumentLimits }).Validate());
    }

    private static long QtyRaw(decimal value, InstrumentSpec spec, string path, List<string> errors)
    {
        decimal scaled;
        try
        {
            scaled = value * FixedPoint.Pow10(spec.QtyDecimals);
            if (scaled > long.MaxValue)
                throw new OverflowException();
        }
        catch (OverflowException)
        {
            // Only a venue with more than 8 quantity decimals gets here (MaxAmount holds at 8).
            errors.Add($"{path}: {value} is too large for {spec.Symbol}'s {spec.QtyDecimals} quantity decimals");
            return 0;
        }
        if (decimal.Truncate(scaled) != scaled)
        {
            errors.Add($"{path}: {value} has more decimals than {spec.Symbol} allows ({spec.QtyDecimals})");
            return 0;
        }
        return decimal.ToInt64(scaled);
    }

    private static string Format(long raw, int decimals) => FixedPoint.ToTrimmedString(raw, decimals);

    private static string Ms(long ns) => (ns / 1_000_000).ToString(CultureInfo.InvariantCulture) + " ms";

    private static string Money8(long raw) => Format(raw, MoneyDecimals);

    /// <summary>The effective configuration, defaults filled in, one setting per line (the file holds no secrets).</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"config {SourcePath}\n");
        if (Okx is { } okx)
        {
            sb.Append(ci, $"  venue {VenueName} (OKX): rest {okx.RestBase}, public ws {okx.PublicWs}, private ws {okx.PrivateWs}, " +
                $"demo trading header {(okx.Simulated ? "x-simulated-trading: 1" : "not sent")} (unknown order never placed after {Execution.UnknownProofWindowNs / 1_000_000_000.0:F0} s)\n");
            sb.Append(ci, $"    self-trade prevention stpMode cancel_maker on every new order\n");
        }
        else
        {
            sb.Append(ci, $"  venue {VenueName}: rest {OrderEntry.RestBase}, streams {MarketData.StreamBase}, ws-api {OrderEntry.WsApiUrl}, recvWindow {OrderEntry.RecvWindowMs} ms (unknown order never placed after {Execution.UnknownProofWindowNs / 1_000_000_000.0:F0} s)\n");
            sb.Append(ci, $"    self-trade prevention {BinanceOrderEncoder.StpModeName(OrderEntry.SelfTradePrevention)} on every new order and cancel-replace\n");
        }
        foreach (var s in Symbols)
        {
            if (s.StrategyName != StrategyCatalog.MarketMaker)
            {
                sb.Append(ci, $"  {s.Symbol} ({s.BaseAsset}/{s.QuoteAsset}): strategy {s.StrategyName} ");
                sb.Append(s.StrategyParameters.Count == 0 ? "(no parameters)" : string.Join(", ", s.StrategyParameters.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"{p.Key} {p.Value}")));
                sb.Append('\n');
                sb.Append(ci, $"    limits: max position {s.MaxPosition}, max order qty {s.MaxOrderQty}, max order notional {s.MaxOrderNotional} {s.QuoteAsset}\n");
                continue;
            }
            sb.Append(ci, $"  {s.Symbol} ({s.BaseAsset}/{s.QuoteAsset}): market maker half spread {s.HalfSpreadTicks} ticks, quote qty {s.QuoteQty}, max position {s.StrategyMaxPosition}, max skew {s.MaxSkewTicks} ticks, ");
            sb.Append(ci, $"reference volatility {s.ReferenceVolatility}, pull volatility {s.PullVolatility}, pull withdrawal {s.PullWithdrawal}, ");
            sb.Append(ci, $"follow ticker {(s.FollowTicker ? "yes" : "no")}, min requote interval {s.MinRequoteIntervalMs} ms\n");
            sb.Append(ci, $"    limits: max position {s.MaxPosition}, max order qty {s.MaxOrderQty}, max order notional {s.MaxOrderNotional} {s.QuoteAsset}\n");
        }
        var r = Risk;
        sb.Append(ci, $"  risk: max total notional {Money8(r.MaxTotalNotional)}, markout loss limit {Money8(r.MarkoutLossLimit)} (horizon {Ms(r.MarkoutHorizonNs)}, cooldown {Ms(r.MarkoutCooldownNs)}), ");
        sb.Append(ci, $"max daily loss {Money8(r.MaxDailyLoss)}, price band {r.PriceBandBps} bps, vwap stop {r.VwapStopBps} bps\n");
        sb.Append(ci, $"    kill switches: volatility widen/pause {r.VolatilityWidenAbove}/{r.VolatilityPauseAbove}, in-flight age {Ms(r.MaxInFlightAgeNs)}, ");
        sb.Append(ci, $"ack latency trip/release {Ms(r.AckLatencyTripNs)}/{Ms(r.AckLatencyReleaseNs)}, feed lag trip/release {Ms(r.FeedLagTripNs)}/{Ms(r.FeedLagReleaseNs)}, ");
        sb.Append(ci, $"stale book grace {Ms(r.StaleBookGraceNs)}, venue errors {r.VenueErrorRatePercent}% of ≥{r.VenueErrorMinCount} in {Ms(r.VenueErrorWindowNs)}, ");
        sb.Append(ci, $"new orders ≤{r.MaxNewOrdersPerSecond}/s, order budget {r.OrderBudget} per {Ms(r.OrderBudgetWindowNs)} ({r.CancelHeadroom} kept for cancels), release cooldown {Ms(r.ReleaseCooldownNs)}\n");
        if (Okx is null)
        {
            sb.Append(ci, $"    venue health: order entry down (liveness probe every {OrderEntry.ProbeInterval.TotalMilliseconds:F0} ms, down after {OrderEntry.LivenessTimeout.TotalMilliseconds:F0} ms without an answer), ");
            sb.Append(ci, $"symbol status (exchangeInfo every {OrderEntry.MetadataRefreshPeriod.TotalSeconds:F0} s), book silence");
        }
        else
            sb.Append("    venue health: order entry down (a ping after 20 s idle, down after 5 s without its pong; a refused login halts), book silence");
        sb.Append(ci, $" {string.Join(", ", Symbols.Select(s => $"{s.Symbol} {s.BookSilenceMs} ms"))}; ");
        sb.Append(ci, $"trading day starts {TimeSpan.FromTicks(r.TradingDayStartOffsetNs / 100):hh\\:mm} UTC\n");
        string store = Store.Kind == TradeStoreKind.Postgres
            ? $"store PostgreSQL, connection string from ${Store.ConnectionStringVariable} (not shown)"
            : $"store {Path.GetFileName(StorePath)}";
        sb.Append(ci, $"  state {StateDirectory} ({store}, client-order-id high-water mark {Path.GetFileName(ClientOrderIdHighWaterPath)})\n");
        if (Journal.Path is not null || Journal.Rotation is not null)
            sb.Append(ci, $"  journal {(Journal.Path is null ? "only with --journal" : $"{Journal.Path} (each run's file named with its start time)")}, {RunJournal.Describe(Journal.Rotation)}\n");
        sb.Append(ci, $"  client order ids: prefix '{ClientOrderIdPrefix}', instance {InstanceId}; metrics port {(MetricsPort == 0 ? "any free" : MetricsPort.ToString(ci))}; ");
        sb.Append(ci, $"status every {StatusInterval.TotalSeconds} s; shutdown waits up to {ShutdownTimeout.TotalSeconds} s for cancels; ");
        sb.Append(ci, $"warm-up {(WarmupFrames == 0 ? "off" : $"{WarmupFrames} frames per instrument")}\n");
        sb.Append(Cluster.Describe());
        return sb.ToString();
    }
}
