using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fathom.Core;
using Fathom.Hosting;
using Fathom.Hosting.Run;

namespace Fathom.Backtest;

/// <summary>
/// A backtest, validated: the core it runs (<see cref="Core"/>: instruments, risk limits, the strategy by catalog name
/// with its parameters, built as <c>fathom run</c> builds it), the simulated venue's model (<see cref="Venue"/>), the
/// recorded data, the feed latency, and the window of virtual time. Read from a JSON file by <see cref="Load"/>; the
/// <c>strategy</c>, each instrument's <c>limits</c> and <c>risk</c> are the run config's sections and are validated
/// by the same code, so a mistake reads the same in both.
/// </summary>
public sealed partial record BacktestConfig
{
    public const double DefaultOrderEntryMs = 2;
    public const double DefaultResponseMs = 2;
    public const double DefaultMarkIntervalMs = 1000;
    public const double DefaultTimerPeriodMs = 20;
    public const decimal MaxFeeRate = 0.1m;

    /// <summary>The config file (absolute); relative data paths were resolved against its folder.</summary>
    public required string SourcePath { get; init; }
    /// <summary>Instruments, strategies (one instance per instrument), risk limits, execution options, node 1 epoch 1.</summary>
    public required CoreSetup Core { get; init; }
    /// <summary>The simulated venue: order-entry and response latency, queue model, fees, order-rate limits.</summary>
    public required VenueModel Venue { get; init; }
    public required FeedLatencyModel FeedLatency { get; init; }
    public required IReadOnlyList<BacktestDataSource> Data { get; init; }
    /// <summary>The strategy's catalog name and its parameters as configured (sorted by name).</summary>
    public required string StrategyName { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> StrategyParameters { get; init; }
    /// <summary>Virtual time (Unix ns) at which the strategy starts; data before it only builds the books. 0: the first message.</summary>
    public long StartNs { get; init; }
    /// <summary>Virtual time (Unix ns) after which nothing is processed; <see cref="long.MaxValue"/>: the end of the data.</summary>
    public long EndNs { get; init; } = long.MaxValue;
    public long MarkIntervalNs { get; init; } = (long)(DefaultMarkIntervalMs * 1_000_000);
    /// <summary>The engine's timer input (risk windows, kill switches, strategy timers) runs this often in virtual time, as live.</summary>
    public long TimerPeriodNs { get; init; } = (long)(DefaultTimerPeriodMs * 1_000_000);

    public IReadOnlyList<InstrumentSpec> Specs => Core.Specs;

    /// <summary>The latency models, described (e.g. <c>feed: recorded; entry: constant 2 ms; response: constant 2 ms</c>).</summary>
    public string LatencyDescription =>
        $"feed: {FeedLatency}; entry: {Describe(Venue.OrderEntry)}; response: {Describe(Venue.Response)}";

    public string QueueDescription => Venue.Queue.Kind switch
    {
        QueueKind.RiskAverse => "risk-averse",
        QueueKind.PowerProbability => "power-law(n=" + Venue.Queue.Exponent.ToString(CultureInfo.InvariantCulture) + ")",
        _ => "log-probability",
    };

    private static readonly JsonDocumentOptions s_documentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static readonly JsonSerializerOptions s_options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads and validates <paramref name="path"/>; throws <see cref="BacktestConfigException"/> listing every problem.</summary>
    /// <param name="catalog">The strategies the config may name (the built-in ones when null; a host's catalog has the user's too).</param>
    public static BacktestConfig Load(string path, StrategyCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BacktestConfigException([$"cannot read the backtest config '{path}': {ex.Message}"]);
        }
        return Parse(text, Path.GetFullPath(path), catalog);
    }

    /// <summary>Validates config text; relative data and journal paths are resolved against <paramref name="sourcePath"/>'s folder.</summary>
    public static BacktestConfig Parse(string json, string sourcePath, StrategyCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(sourcePath);
        catalog ??= StrategyCatalog.CreateDefault();
        try
        {
            using var document = JsonDocument.Parse(json, s_documentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new BacktestConfigException(["the backtest config must be a JSON object ({ ... })"]);
        }
        catch (JsonException ex)
        {
            throw new BacktestConfigException([$"malformed JSON at {Where(ex)}: {StripPosition(ex.Message)}"]);
        }
        BacktestConfigFile file;
        try
        {
            file = JsonSerializer.Deserialize<BacktestConfigFile>(json, s_options)!;
        }
        catch (JsonException ex)
        {
            throw new BacktestConfigException([DescribeSchemaError(ex)]);
        }
        return Validate(file, sourcePath, catalog);
    }

    private static BacktestConfig Validate(BacktestConfigFile file, string sourcePath, StrategyCatalog catalog)
    {
        var errors = new List<string>();
        string configDir = Path.GetDirectoryName(sourcePath) ?? Directory.GetCurrentDirectory();

        // Instruments: the filters and fees a venue's exchangeInfo would give.
        var specs = new List<InstrumentSpec>();
        var fees = new List<FeeRates>();
        var instruments = file.Instruments ?? [];
        if (instruments.Count == 0)
            errors.Add("$.instruments: at least one instrument is required, e.g. [{ \"symbol\": \"BTCUSDT\", \"baseAsset\": \"BTC\", \"quoteAsset\": \"USDT\", " +
                "\"tickSize\": \"0.01\", \"stepSize\": \"0.00001\", \"makerFee\": \"0.001\", \"takerFee\": \"0.001\", \"limits\": {…} }]");
        for (int i = 0; i < instruments.Count; i++)
        {
            string path = $"$.instruments[{i}]";
            var s = instruments[i];
            if (s is null)
            {
                errors.Add($"{path}: must be an object with symbol, baseAsset, quoteAsset, tickSize, stepSize, makerFee, takerFee and limits");
                continue;
            }
            string symbol = (s.Symbol ?? "").Trim().ToUpperInvariant();
            long? tick = Raw(s.TickSize, path + ".tickSize", errors, required: true, positive: true);
            long? step = Raw(s.StepSize, path + ".stepSize", errors, required: true, positive: true);
            long? minQty = Raw(s.MinQty, path + ".minQty", errors, required: false, positive: true);
            long? minNotional = Raw(s.MinNotional, path + ".minNotional", errors, required: false, positive: false);
            decimal? maker = Fee(s.MakerFee, path + ".makerFee", errors);
            decimal? taker = Fee(s.TakerFee, path + ".takerFee", errors);
            if (symbol.Length > 0 && specs.Any(x => x.Symbol == symbol))
                errors.Add($"{path}.symbol: {symbol} is listed twice");
            if (minQty is long mq && step is long st && mq % st != 0)
                errors.Add($"{path}.minQty: {s.MinQty} is not a multiple of stepSize {s.StepSize}");
            if (symbol.Length == 0 || tick is null || step is null || maker is null || taker is null)
            {
                // Placeholder keeps the indexes of later instruments; the symbol itself is checked by the run config's rules.
                specs.Add(new InstrumentSpec { Symbol = symbol.Length == 0 ? $"?{i}" : symbol, PriceDecimals = Decimals, QtyDecimals = Decimals, TickSize = new Price(1), StepSize = new Qty(1) });
                fees.Add(new FeeRates(0, 0));
                continue;
            }
            specs.Add(new InstrumentSpec
            {
                Symbol = symbol,
                Venue = Fathom.Core.Venue.BinanceSpot,
                PriceDecimals = Decimals,
                QtyDecimals = Decimals,
                TickSize = new Price(tick.Value),
                StepSize = new Qty(step.Value),
                MinQty = new Qty(minQty ?? step.Value),
                MinNotional = new Price(minNotional ?? 0),
            });
            fees.Add(new FeeRates(maker.Value, taker.Value));
        }

        // Strategy, limits, risk: the run config's sections, validated by RunConfig on a run config made of them.
        CoreSetup? core = null;
        string strategyName = StrategyCatalog.MarketMaker;
        var parameters = new List<KeyValuePair<string, string>>();
        if (instruments.Count > 0 && errors.Count == 0)
            core = ValidateCore(file, instruments, specs, sourcePath, catalog, errors);
        if (core is not null)
        {
            strategyName = core.Strategies[0].Name;
            parameters = [.. core.Strategies[0].Parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value ?? ""))];
        }

        // Data.
        var data = new List<BacktestDataSource>();
        if (file.Data is null || file.Data.Count == 0)
            errors.Add("$.data: at least one data source is required, e.g. [{ \"kind\": \"hftbacktest\", \"symbol\": \"BTCUSDT\", \"files\": [\"btcusdt_20240808.gz\"] }]");
        else
        {
            for (int i = 0; i < file.Data.Count; i++)
            {
                var source = ValidateData(file.Data[i], $"$.data[{i}]", configDir, specs, errors);
                if (source is not null)
                    data.Add(source);
            }
        }

        // Latency, queue, limits.
        FeedLatencyModel feed = ValidateFeed(file.FeedLatency, errors);
        LatencyModel entry = ValidateLatency(file.OrderEntryLatency, "$.orderEntryLatency", DefaultOrderEntryMs, configDir, errors);
        LatencyModel response = ValidateLatency(file.ResponseLatency, "$.responseLatency", DefaultResponseMs, configDir, errors);
        QueueModel queue = ValidateQueue(file.Queue, errors);
        var limits = new VenueLimits();
        if (file.VenueLimits is { } vl)
        {
            if (vl.OrdersPer10s is int o10 && o10 <= 0)
                errors.Add($"$.venueLimits.ordersPer10s: must be positive (got {o10})");
            if (vl.OrdersPerDay is int od && od <= 0)
                errors.Add($"$.venueLimits.ordersPerDay: must be positive (got {od})");
            limits = new VenueLimits(vl.OrdersPer10s ?? limits.OrdersPer10s, vl.OrdersPerDay ?? limits.OrdersPerDay);
        }

        // The window and the clocks.
        long start = Time(file.Start, "$.start", errors) ?? 0;
        long end = Time(file.End, "$.end", errors) ?? long.MaxValue;
        if (end <= start)
            errors.Add($"$.end: {file.End} is not after $.start {file.Start}");
        long mark = Interval(file.MarkIntervalMs, "$.markIntervalMs", DefaultMarkIntervalMs, errors);
        long timer = Interval(file.TimerPeriodMs, "$.timerPeriodMs", DefaultTimerPeriodMs, errors);

        if (errors.Count > 0 || core is null)
            throw new BacktestConfigException(errors);
        return new BacktestConfig
        {
            SourcePath = sourcePath,
            Core = core,
            Venue = new VenueModel(entry, response, queue, fees, limits),
            FeedLatency = feed,
            Data = data,
            StrategyName = strategyName,
            StrategyParameters = parameters,
            StartNs = start,
            EndNs = end,
            MarkIntervalNs = mark,
            TimerPeriodNs = timer,
        };
    }

    private const int Decimals = 8; // Binance's wire precision, and the store's

    private static CoreSetup? ValidateCore(BacktestConfigFile file, List<BacktestInstrumentSection?> instruments, List<InstrumentSpec> specs,
        string sourcePath, StrategyCatalog catalog, List<string> errors)
    {
        // The run config this backtest would be live: one symbol per instrument, each with the one strategy section.
        var symbols = new JsonArray();
        for (int i = 0; i < instruments.Count; i++)
        {
            var s = instruments[i]!;
            var symbol = new JsonObject
            {
                ["symbol"] = s.Symbol,
                ["baseAsset"] = s.BaseAsset,
                ["quoteAsset"] = s.QuoteAsset,
            };
            if (file.Strategy is JsonElement strategy)
                symbol["strategy"] = JsonNode.Parse(strategy.GetRawText());
            if (s.Limits is JsonElement limits)
                symbol["limits"] = JsonNode.Parse(limits.GetRawText());
            symbols.Add(symbol);
        }
        var run = new JsonObject { ["symbols"] = symbols };
        if (file.Risk is JsonElement risk)
            run["risk"] = JsonNode.Parse(risk.GetRawText());
        try
        {
            RunConfig config = RunConfig.Parse(run.ToJsonString(), sourcePath, catalog);
            ResolvedRun resolved = config.Resolve(specs.ToDictionary(s => s.Symbol, StringComparer.Ordinal));
            return new CoreSetup(resolved.Specs, resolved.Limits, resolved.Strategies, config.Execution, 1, 1);
        }
        catch (RunConfigException ex)
        {
            foreach (string e in ex.Errors)
                errors.Add(FromRunConfigPath(e));
            return null;
        }
    }

    /// <summary>A run-config error about the synthesized file, told in this file's terms (its paths; no line numbers).</summary>
    private static string FromRunConfigPath(string error)
    {
        string e = RunConfigStrategyPath().Replace(error, "$.strategy");
        e = e.Replace("$.symbols[", "$.instruments[", StringComparison.Ordinal);
        e = RunConfigPosition().Replace(e, "");
        return e;
    }

    [GeneratedRegex(@"\$\.symbols\[\d+\]\.strategy")]
    private static partial Regex RunConfigStrategyPath();

    [GeneratedRegex(@" at line \d+, position \d+")]
    private static partial Regex RunConfigPosition();

    private static BacktestDataSource? ValidateData(BacktestDataSection? d, string path, string configDir, List<InstrumentSpec> specs, List<string> errors)
    {
        if (d is null)
        {
            errors.Add($"{path}: must be an object with kind and files");
            return null;
        }
        int before = errors.Count;
        BacktestDataKind kind = BacktestDataKind.HftBacktest;
        switch (d.Kind)
        {
            case "hftbacktest": kind = BacktestDataKind.HftBacktest; break;
            case "fathom-store": kind = BacktestDataKind.FathomStore; break;
            case "fathom-recording": kind = BacktestDataKind.FathomRecording; break;
            case "cryptofeed": kind = BacktestDataKind.Cryptofeed; break;
            case null: errors.Add($"{path}.kind: required: hftbacktest, fathom-store, fathom-recording or cryptofeed"); break;
            default: errors.Add($"{path}.kind: unknown kind '{d.Kind}'; use hftbacktest, fathom-store, fathom-recording or cryptofeed"); break;
        }
        var files = new List<string>();
        if (d.Files is null || d.Files.Count == 0)
            errors.Add($"{path}.files: at least one file is required (relative paths are from the config file's folder)");
        else
        {
            for (int k = 0; k < d.Files.Count; k++)
            {
                string? f = d.Files[k];
                if (string.IsNullOrWhiteSpace(f))
                {
                    errors.Add($"{path}.files[{k}]: must be a file path");
                    continue;
                }
                string full = Path.GetFullPath(f, configDir);
                if (!File.Exists(full))
                    errors.Add($"{path}.files[{k}]: file '{full}' does not exist");
                files.Add(full);
            }
        }
        int instrument = -1;
        if (kind == BacktestDataKind.HftBacktest)
        {
            // One symbol per file: named, or the only instrument.
            string? symbol = d.Symbol?.Trim().ToUpperInvariant();
            if (symbol is null)
            {
                if (specs.Count == 1)
                    instrument = 0;
                else
                    errors.Add($"{path}.symbol: required with more than one instrument (hftbacktest files hold one symbol each)");
            }
            else
            {
                instrument = specs.FindIndex(s => s.Symbol == symbol);
                if (instrument < 0)
                    errors.Add($"{path}.symbol: {symbol} is not one of $.instruments ({string.Join(", ", specs.Select(s => s.Symbol))})");
            }
        }
        else if (d.Symbol is not null)
            errors.Add($"{path}.symbol: only for hftbacktest files (a {d.Kind} file names its own instruments)");
        int depth = d.SnapshotDepth ?? 1000;
        if (depth is < 1 or > 5000)
            errors.Add($"{path}.snapshotDepth: {depth} is outside 1..5000");
        else if (d.SnapshotDepth is not null && kind == BacktestDataKind.Cryptofeed)
            errors.Add($"{path}.snapshotDepth: only for hftbacktest files (a cryptofeed capture's snapshot URLs give their depth)");
        Fathom.Venues.Binance.CryptofeedCaptureFiles? capture = null;
        if (kind == BacktestDataKind.Cryptofeed && errors.Count == before)
            capture = ValidateCapture(files, path, specs, errors);
        return errors.Count > before ? null : new BacktestDataSource(kind, files, instrument, depth, capture);
    }

    /// <summary>A cryptofeed capture: which file is which (by content), Binance spot, at least one configured instrument
    /// subscribed, and the configured tick and step sizes equal to the capture's exchangeInfo when it is given.</summary>
    private static Fathom.Venues.Binance.CryptofeedCaptureFiles? ValidateCapture(List<string> files, string path, List<InstrumentSpec> specs, List<string> errors)
    {
        Fathom.Venues.Binance.CryptofeedCaptureFiles capture;
        IReadOnlyList<string> subscribed;
        try
        {
            capture = Fathom.Venues.Binance.CryptofeedCaptureFiles.Identify(files, requireExchangeInfo: false);
            string connect = Fathom.Venues.Binance.CryptofeedMessageReader.ConnectLine(capture.Ws);
            if (connect.Contains("://fstream.", StringComparison.Ordinal) || connect.Contains("://dstream.", StringComparison.Ordinal))
            {
                errors.Add($"{path}.files: {capture.Ws} is a Binance futures capture ({connect.Split('/')[2]}); the backtest reads Binance spot data only");
                return null;
            }
            subscribed = Fathom.Venues.Binance.CryptofeedMessageReader.Symbols(capture.Ws);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException)
        {
            errors.Add($"{path}.files: {ex.Message}");
            return null;
        }
        if (!specs.Any(s => subscribed.Contains(s.Symbol)))
            errors.Add($"{path}.files: the capture subscribes to {string.Join(", ", subscribed)}; none of $.instruments ({string.Join(", ", specs.Select(s => s.Symbol))})");
        if (capture.ExchangeInfo is not null)
        {
            IReadOnlyDictionary<string, InstrumentSpec> info;
            try
            {
                info = Fathom.Venues.Binance.CryptofeedReplay.ExchangeInfo(capture.ExchangeInfo, Fathom.Core.Venue.BinanceSpot);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or JsonException)
            {
                errors.Add($"{path}.files: {capture.ExchangeInfo}: not a readable exchangeInfo: {ex.Message}");
                return null;
            }
            for (int i = 0; i < specs.Count; i++)
            {
                if (!info.TryGetValue(specs[i].Symbol, out InstrumentSpec? listed))
                    continue;
                if (listed.TickSize.Raw != specs[i].TickSize.Raw)
                    errors.Add($"$.instruments[{i}].tickSize: {specs[i].TickSize.ToString(specs[i].PriceDecimals)} differs from the capture's exchangeInfo ({listed.TickSize.ToString(listed.PriceDecimals)}, {capture.ExchangeInfo})");
                if (listed.StepSize.Raw != specs[i].StepSize.Raw)
                    errors.Add($"$.instruments[{i}].stepSize: {specs[i].StepSize.ToString(specs[i].QtyDecimals)} differs from the capture's exchangeInfo ({listed.StepSize.ToString(listed.QtyDecimals)}, {capture.ExchangeInfo})");
            }
        }
        return capture;
    }

    private static FeedLatencyModel ValidateFeed(FeedLatencySection? s, List<string> errors)
    {
        if (s is null)
            return FeedLatencyModel.Recorded;
        switch (s.Model)
        {
            case null or "recorded":
                if (s.Ms is not null)
                    errors.Add("$.feedLatency.ms: only for model 'constant' (model 'recorded' uses each message's recorded receive time)");
                return FeedLatencyModel.Recorded;
            case "constant":
                return FeedLatencyModel.Constant(Ns(s.Ms, "$.feedLatency.ms", errors, required: true));
            default:
                errors.Add($"$.feedLatency.model: unknown model '{s.Model}'; use recorded (the default) or constant (with ms)");
                return FeedLatencyModel.Recorded;
        }
    }

    private static LatencyModel ValidateLatency(LatencySection? s, string path, double defaultMs, string configDir, List<string> errors)
    {
        if (s is null)
            return LatencyModel.Constant((long)(defaultMs * 1_000_000));
        string model = s.Model ?? "constant";
        if (model != "constant" && s.Ms is not null)
            errors.Add($"{path}.ms: only for model 'constant'");
        if (model != "distribution" && s.SamplesMs is not null)
            errors.Add($"{path}.samplesMs: only for model 'distribution'");
        if (model != "journal" && (s.Path ?? (object?)s.Fraction) is not null)
            errors.Add($"{path}.path/fraction: only for model 'journal'");
        if (model == "constant" && s.Seed is not null)
            errors.Add($"{path}.seed: only for models 'distribution' and 'journal'");
        switch (model)
        {
            case "constant":
                return LatencyModel.Constant(Ns(s.Ms, path + ".ms", errors, required: true));
            case "distribution":
            {
                if (s.SamplesMs is null || s.SamplesMs.Count == 0)
                {
                    errors.Add($"{path}.samplesMs: required: the latencies to draw from, in ms, e.g. [1.2, 1.5, 3.0]");
                    return LatencyModel.Constant(0);
                }
                var samples = new long[s.SamplesMs.Count];
                for (int i = 0; i < samples.Length; i++)
                    samples[i] = Ns(s.SamplesMs[i], $"{path}.samplesMs[{i}]", errors, required: true);
                return LatencyModel.Empirical(samples, s.Seed ?? 1);
            }
            case "journal":
            {
                if (string.IsNullOrWhiteSpace(s.Path))
                {
                    errors.Add($"{path}.path: required: a Fathom journal (.fathomjnl) of a real session, relative to the config file's folder");
                    return LatencyModel.Constant(0);
                }
                double fraction = s.Fraction ?? 0.5;
                if (!(fraction > 0 && fraction <= 1))
                {
                    errors.Add($"{path}.fraction: {fraction.ToString(CultureInfo.InvariantCulture)} must be in (0, 1]: the share of each send→ack round trip this leg takes");
                    return LatencyModel.Constant(0);
                }
                string full = Path.GetFullPath(s.Path, configDir);
                IReadOnlyList<long> roundTrips;
                try
                {
                    roundTrips = JournalLatencies.ReadAckLatencies(full);
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    errors.Add($"{path}.path: cannot read ack latencies from '{full}': {ex.Message}");
                    return LatencyModel.Constant(0);
                }
                if (roundTrips.Count == 0)
                {
                    errors.Add($"{path}.path: the journal '{full}' holds no acknowledged order (no send→ack pair to sample)");
                    return LatencyModel.Constant(0);
                }
                return LatencyModel.Empirical([.. roundTrips.Select(ns => (long)Math.Round(ns * fraction))], s.Seed ?? 1);
            }
            default:
                errors.Add($"{path}.model: unknown model '{model}'; use constant (with ms), distribution (with samplesMs and seed) or journal (with path, fraction and seed)");
                return LatencyModel.Constant(0);
        }
    }

    private static QueueModel ValidateQueue(string? text, List<string> errors)
    {
        switch (text)
        {
            case null or "risk-averse":
                return new QueueModel(QueueKind.RiskAverse);
            case "log":
                return new QueueModel(QueueKind.LogProbability);
        }
        if (text.StartsWith("power:", StringComparison.Ordinal)
            && double.TryParse(text.AsSpan(6), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) && n > 0 && n <= 100)
            return new QueueModel(QueueKind.PowerProbability, n);
        errors.Add($"$.queue: unknown queue model '{text}'; use risk-averse (the default), power:<n> (0 < n ≤ 100, e.g. power:3) or log");
        return new QueueModel(QueueKind.RiskAverse);
    }

    /// <summary>A decimal string as 8-decimal fixed point.</summary>
    private static long? Raw(string? text, string path, List<string> errors, bool required, bool positive)
    {
        if (text is null)
        {
            if (required)
                errors.Add($"{path}: required (a decimal string, e.g. \"0.01\")");
            return null;
        }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            errors.Add($"{path}: '{text}' is not a decimal number (digits and an optional '.', no sign or exponent)");
            return null;
        }
        if (positive && value <= 0)
        {
            errors.Add($"{path}: must be positive (got {text})");
            return null;
        }
        if (decimal.Round(value, Decimals) != value || value > RunConfig.MaxAmount)
        {
            errors.Add($"{path}: '{text}' needs at most {Decimals} decimals and at most {RunConfig.MaxAmount}");
            return null;
        }
        return decimal.ToInt64(value * FixedPoint.Pow10(Decimals));
    }

    private static decimal? Fee(string? text, string path, List<string> errors)
    {
        if (text is null)
        {
            errors.Add($"{path}: required (a fraction of notional as a decimal string: \"0.001\" is 10 bp; negative for a rebate)");
            return null;
        }
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out decimal value))
        {
            errors.Add($"{path}: '{text}' is not a decimal number (a fraction of notional, e.g. \"0.001\")");
            return null;
        }
        if (Math.Abs(value) > MaxFeeRate)
        {
            errors.Add($"{path}: {text} is outside -{MaxFeeRate}..{MaxFeeRate} (a fraction of notional: 0.001 is 10 bp)");
            return null;
        }
        return value;
    }

    private static long Ns(double? ms, string path, List<string> errors, bool required)
    {
        if (ms is not double v)
        {
            if (required)
                errors.Add($"{path}: required (milliseconds, e.g. 2.5)");
            return 0;
        }
        if (!(v >= 0 && v <= 60_000))
        {
            errors.Add($"{path}: {v.ToString(CultureInfo.InvariantCulture)} ms is outside 0..60000");
            return 0;
        }
        return (long)Math.Round(v * 1_000_000);
    }

    private static long Interval(double? ms, string path, double defaultMs, List<string> errors)
    {
        double v = ms ?? defaultMs;
        if (!(v >= 1 && v <= 3_600_000))
        {
            errors.Add($"{path}: {v.ToString(CultureInfo.InvariantCulture)} ms is outside 1..3600000");
            return (long)(defaultMs * 1_000_000);
        }
        return (long)Math.Round(v * 1_000_000);
    }

    private static long? Time(string? text, string path, List<string> errors)
    {
        if (text is null)
            return null;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            || t.Year < 2000 || t.Year > 2200)
        {
            errors.Add($"{path}: '{text}' is not an ISO 8601 UTC time, e.g. \"2024-08-08T23:55:00Z\"");
            return null;
        }
        return (t - DateTimeOffset.UnixEpoch).Ticks * 100;
    }

    internal static string DescribeNs(long ns) =>
        (ns / 1_000_000.0).ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    private static string Describe(LatencyModel m)
    {
        if (m.Kind == LatencyKind.Constant)
            return "constant " + DescribeNs(m.ConstantNs);
        long[] sorted = [.. m.SamplesNs.Order()];
        return $"empirical {sorted.Length} samples, median {DescribeNs(sorted[sorted.Length / 2])}, seed {m.Seed}";
    }

    private static string Where(JsonException ex) =>
        ex.LineNumber is long line ? $"line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : "an unknown position";

    private static string StripPosition(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (at < 0)
            at = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (at < 0 ? message : message[..at]).TrimEnd();
    }

    [GeneratedRegex(@"property '(?<prop>[^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    private static string DescribeSchemaError(JsonException ex)
    {
        string path = ex.Path ?? "$";
        var unmapped = UnmappedProperty().Match(ex.Message);
        if (unmapped.Success)
        {
            string property = unmapped.Groups["prop"].Value;
            string parent = path.EndsWith("." + property, StringComparison.Ordinal) ? path[..^(property.Length + 1)] : path;
            return $"unknown property '{property}' in {parent} at {Where(ex)}";
        }
        string expected = ex.Message.Contains("System.String", StringComparison.Ordinal) ? ": expected a string (decimal amounts are strings, e.g. \"0.001\")"
            : ex.Message.Contains("System.Int", StringComparison.Ordinal) || ex.Message.Contains("System.UInt", StringComparison.Ordinal) ? ": expected an integer"
            : ex.Message.Contains("System.Double", StringComparison.Ordinal) ? ": expected a number"
            : ex.Message.Contains("List", StringComparison.Ordinal) ? ": expected an array"
            : ": " + StripPosition(ex.Message);
        return $"{path} at {Where(ex)}{expected}";
    }

    /// <summary>The effective configuration, defaults filled in, one setting per line.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.Append(ci, $"backtest {SourcePath}\n");
        sb.Append(ci, $"  strategy {StrategyName} ({string.Join(", ", StrategyParameters.Select(p => $"{p.Key} {p.Value}"))})\n");
        for (int i = 0; i < Specs.Count; i++)
            sb.Append(ci, $"  {Specs[i].Symbol}: tick {FixedPoint.ToTrimmedString(Specs[i].TickSize.Raw, Decimals)}, step {FixedPoint.ToTrimmedString(Specs[i].StepSize.Raw, Decimals)}, " +
                $"fees maker {Venue.Fees[i].Maker} taker {Venue.Fees[i].Taker}\n");
        foreach (var d in Data)
            sb.Append(ci, $"  data {d.Kind}: {string.Join(", ", d.Files.Select(Path.GetFileName))}\n");
        sb.Append(ci, $"  latency {LatencyDescription}; queue {QueueDescription}; limits {Venue.Limits.OrdersPer10s}/10 s, {Venue.Limits.OrdersPerDay}/day\n");
        sb.Append(ci, $"  marks every {DescribeNs(MarkIntervalNs)}, engine timer every {DescribeNs(TimerPeriodNs)}\n");
        return sb.ToString();
    }
}
