using Fathom.Execution;
using Fathom.Hosting;
using System.Text.Json.Nodes;
using Fathom.Hosting.Run;
using Fathom.Core;
using Fathom.Venues.Binance;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom run</c>'s configuration: every refusal names what is wrong and where, before any network
/// call; the checks that need the venue run against exchangeInfo specs; the checked-in sample stays valid.
/// </summary>
public sealed partial class RunConfigTests
{
    internal const string ValidJson = """
        {
          "venue": "custom",
          "restUrl": "http://127.0.0.1:1",
          "streamUrl": "ws://127.0.0.1:1",
          "wsApiUrl": "ws://127.0.0.1:1/ws-api/v3",
          "symbols": [
            { "symbol": "BTCUSDT", "baseAsset": "BTC", "quoteAsset": "USDT",
              "strategy": { "halfSpreadTicks": 3, "quoteQty": "0.001", "maxPosition": "0.02", "maxSkewTicks": 5 },
              "limits": { "maxPosition": "0.02", "maxOrderQty": "0.005", "maxOrderNotional": "10000" } }
          ],
          "risk": { "maxTotalNotional": "100000", "markoutLossLimit": "500", "maxDailyLoss": "5000", "priceBandBps": 200 },
          "statusIntervalSeconds": 1
        }
        """;

    private static JsonObject Valid() => JsonNode.Parse(ValidJson)!.AsObject();

    private static JsonObject Symbol0(JsonObject root) => root["symbols"]![0]!.AsObject();

    private static RunConfigException Refused(string json)
    {
        var ex = Assert.Throws<RunConfigException>(() => RunConfig.Parse(json, "/tmp/fathom-test/fathom.json"));
        Assert.NotEmpty(ex.Errors);
        return ex;
    }

    private static RunConfigException Refused(JsonObject root) => Refused(root.ToJsonString());

    private static InstrumentSpec BtcSpec(long stepRaw = 1_000) => new()
    {
        Symbol = "BTCUSDT",
        Venue = Venue.BinanceSpot,
        PriceDecimals = 8,
        QtyDecimals = 8,
        TickSize = new Price(1_000_000),
        StepSize = new Qty(stepRaw),
        MinQty = new Qty(stepRaw),
        MaxQty = new Qty(9_000 * 100_000_000L),
        MinNotional = new Price(5 * 100_000_000L),
    };

    [Fact]
    public void Parse_ValidConfig_BuildsEndpointsAndDefaults()
    {
        var config = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        Assert.Equal(RunVenue.Custom, config.Venue);
        Assert.Equal(new Uri("ws://127.0.0.1:1/ws-api/v3"), config.OrderEntry.WsApiUrl);
        Assert.Equal("fx", config.ClientOrderIdPrefix);
        Assert.Equal(1, config.InstanceId);
        Assert.Equal(Path.Combine("/tmp/fathom-test", "fathom-state"), config.StateDirectory);
        Assert.Equal(200, config.Risk.PriceBandBps);
        Assert.Equal(500L * 100_000_000, config.Risk.MarkoutLossLimit);
        Assert.Equal(0.001m, config.Symbols[0].QuoteQty);
    }

    [Fact]
    public void Parse_Balances_BecomeOneCheckPerBaseAssetAtEightDecimals()
    {
        var root = Valid();
        root["balances"] = JsonNode.Parse("""{ "btc": { "baseline": "1.5", "tolerance": "0.00000100" } }""");
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        var check = Assert.Single(config.BalanceChecks);
        Assert.Equal("BTC", check.Asset);
        Assert.Equal(["BTCUSDT"], check.Symbols);
        Assert.Equal(150_000_000, check.Baseline);
        Assert.Equal(100, check.Tolerance);
        Assert.Empty(RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json").BalanceChecks);
    }

    [Fact]
    public void Parse_BalancesForAnUntradedAssetOrBadAmounts_RefusedWithThePath()
    {
        var root = Valid();
        root["balances"] = JsonNode.Parse("""{ "ETH": { "baseline": "1" }, "BTC": { "baseline": "-1", "tolerance": "0.000000001" } }""");
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.StartsWith("$.balances.ETH: no configured symbol has base asset ETH", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.balances.BTC.baseline: '-1' is not a decimal number", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.balances.BTC.tolerance: '0.000000001' needs at most 8 decimals", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SelfTradePrevention_DefaultExpireTakerOrTheNamedMode_Printed()
    {
        var config = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        Assert.Equal(BinanceSelfTradePreventionMode.ExpireTaker, config.OrderEntry.SelfTradePrevention);
        Assert.Contains("self-trade prevention EXPIRE_TAKER", config.Describe(), StringComparison.Ordinal);
        var root = Valid();
        root["selfTradePrevention"] = "SYMBOL_DEFAULT";
        config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(BinanceSelfTradePreventionMode.SymbolDefault, config.OrderEntry.SelfTradePrevention);
        Assert.Contains("self-trade prevention SYMBOL_DEFAULT", config.Describe(), StringComparison.Ordinal);
        root["selfTradePrevention"] = "EXPIRE_BOTH";
        Assert.Equal(BinanceSelfTradePreventionMode.ExpireBoth, RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json").OrderEntry.SelfTradePrevention);
    }

    [Theory]
    [InlineData("EXPIRE_TAKERS")]
    [InlineData("expire_taker")]
    [InlineData("DECREMENT")]
    public void Parse_UnknownSelfTradePreventionMode_RefusedNamingTheModes(string mode)
    {
        var root = Valid();
        root["selfTradePrevention"] = mode;
        var ex = Refused(root);
        string error = Assert.Single(ex.Errors);
        Assert.StartsWith($"$.selfTradePrevention: unknown mode '{mode}'; use EXPIRE_TAKER (the default), EXPIRE_MAKER, EXPIRE_BOTH, NONE", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DefaultVenue_IsTestnet()
    {
        var root = Valid();
        root.Remove("venue");
        root.Remove("restUrl");
        root.Remove("streamUrl");
        root.Remove("wsApiUrl");
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(RunVenue.BinanceTestnet, config.Venue);
        Assert.Equal("testnet.binance.vision", config.OrderEntry.RestBase.Host);
        Assert.False(config.IsMainnet);
    }

    [Fact]
    public void Parse_UnknownVenue_NamesTheVenueAndTheChoices()
    {
        var root = Valid();
        root["venue"] = "kraken";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.StartsWith("$.venue: unknown venue 'kraken'", StringComparison.Ordinal) && e.Contains("binance-testnet") && e.Contains("binance-mainnet"));
    }

    [Fact]
    public void Parse_CustomVenueWithoutWsApiUrl_Refused()
    {
        var root = Valid();
        root.Remove("wsApiUrl");
        var ex = Refused(root);
        Assert.Contains("$.wsApiUrl: required for venue 'custom'", ex.Errors[0]);
    }

    [Fact]
    public void Parse_UrlsWithTestnetVenue_Refused()
    {
        var root = Valid();
        root["venue"] = "binance-testnet";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("explicit URLs are only for venue 'custom'"));
    }

    [Fact]
    public void Parse_MissingSymbols_Refused()
    {
        var root = Valid();
        root.Remove("symbols");
        Assert.Contains(Refused(root).Errors, e => e.StartsWith("$.symbols: at least one symbol is required", StringComparison.Ordinal));
        root["symbols"] = new JsonArray();
        Assert.Contains(Refused(root).Errors, e => e.StartsWith("$.symbols: at least one symbol is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SymbolNotBasePlusQuote_Refused()
    {
        var root = Valid();
        Symbol0(root)["baseAsset"] = "ETH";
        Assert.Contains(Refused(root).Errors, e => e == "$.symbols[0]: symbol BTCUSDT is not baseAsset + quoteAsset (ETH + USDT)");
    }

    [Theory]
    [InlineData("limits", "maxOrderQty")]
    [InlineData("limits", "maxPosition")]
    [InlineData("limits", "maxOrderNotional")]
    [InlineData("strategy", "quoteQty")]
    public void Parse_NonPositiveInstrumentAmount_Refused(string section, string field)
    {
        var root = Valid();
        Symbol0(root)[section]![field] = "0";
        Assert.Contains(Refused(root).Errors, e => e == $"$.symbols[0].{section}.{field}: must be positive (got 0)");
    }

    [Theory]
    [InlineData("maxTotalNotional")]
    [InlineData("markoutLossLimit")]
    [InlineData("maxDailyLoss")]
    public void Parse_NonPositiveRiskMoney_Refused(string field)
    {
        var root = Valid();
        root["risk"]![field] = "0";
        Assert.Contains(Refused(root).Errors, e => e == $"$.risk.{field}: must be positive (got 0)");
    }

    [Fact]
    public void Parse_NegativeRequoteInterval_Refused()
    {
        var root = Valid();
        root["symbols"]![0]!["strategy"]!["minRequoteIntervalMs"] = -1;
        Assert.Contains(Refused(root).Errors, e => e == "$.symbols[0].strategy.minRequoteIntervalMs: must not be negative (got -1)");
    }

    [Fact]
    public void Parse_NegativeAmount_RefusedAsNotADecimal()
    {
        var root = Valid();
        root["risk"]!["maxDailyLoss"] = "-5";
        Assert.Contains(Refused(root).Errors, e => e.StartsWith("$.risk.maxDailyLoss: '-5' is not a decimal number", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NonPositiveKillSwitch_Refused()
    {
        var root = Valid();
        root["risk"]!["maxInFlightAgeMs"] = 0;
        root["risk"]!["priceBandBps"] = -1;
        var ex = Refused(root);
        Assert.Contains("$.risk.maxInFlightAgeMs: must be positive (got 0)", ex.Errors);
        Assert.Contains("$.risk.priceBandBps: must be positive (got -1)", ex.Errors);
    }

    [Fact]
    public void Parse_ReleaseNotBelowTrip_RefusedWithRiskLimitsReason()
    {
        var root = Valid();
        root["risk"]!["feedLagTripMs"] = 200;
        root["risk"]!["feedLagReleaseMs"] = 300;
        Assert.Contains(Refused(root).Errors, e => e.StartsWith("$.risk: Risk limit FeedLagReleaseNs needs 0 < release < trip", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_StrategyMaxPositionBelowQuoteQty_Refused()
    {
        var root = Valid();
        Symbol0(root)["strategy"]!["maxPosition"] = "0.0005";
        Assert.Contains(Refused(root).Errors, e => e.StartsWith("$.symbols[0].strategy.maxPosition: 0.0005 is below quoteQty 0.001", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_LimitsBelowQuoteQty_Refused()
    {
        var root = Valid();
        Symbol0(root)["limits"]!["maxPosition"] = "0.0005";
        Symbol0(root)["limits"]!["maxOrderQty"] = "0.0001";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.StartsWith("$.symbols[0].limits.maxPosition: 0.0005 is below the strategy's quoteQty 0.001", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.symbols[0].limits.maxOrderQty: 0.0001 is below the strategy's quoteQty 0.001", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnknownProperty_NamesItWhereItIsAndTheKnownOnes()
    {
        var root = Valid();
        Symbol0(root)["strategy"]!["maxPositon"] = "0.02";
        var ex = Refused(root);
        string e = Assert.Single(ex.Errors);
        Assert.StartsWith("unknown property 'maxPositon' in $.symbols[0].strategy at line 1", e);
        Assert.Contains("known properties here: name, halfSpreadTicks, quoteQty, maxPosition", e);
    }

    [Fact]
    public void Parse_UnknownTopLevelProperty_Refused()
    {
        var root = Valid();
        root["metricPort"] = 9464;
        Assert.StartsWith("unknown property 'metricPort' in $ at line 1", Assert.Single(Refused(root).Errors));
    }

    [Fact]
    public void Parse_QuoteQtyAsNumber_AsksForAString()
    {
        var root = Valid();
        Symbol0(root)["strategy"]!["quoteQty"] = 0.001;
        string e = Assert.Single(Refused(root).Errors);
        Assert.StartsWith("$.symbols[0].strategy.quoteQty at line 1", e);
        Assert.Contains("expected a string (decimal amounts are strings", e);
    }

    [Fact]
    public void Parse_MalformedJson_GivesLineAndPosition()
    {
        string json = "{\n  \"venue\": \"custom\",\n  \"symbols\" [\n}";
        string e = Assert.Single(Refused(json).Errors);
        Assert.StartsWith("malformed JSON at line 3, position 13:", e);
    }

    [Theory]
    [InlineData("apiKey")]
    [InlineData("apiSecret")]
    [InlineData("secret")]
    [InlineData("ed25519PrivateKey")]
    public void Parse_Secret_RefusedPointingAtTheEnvironmentWithoutEchoingIt(string field)
    {
        const string value = "S3cr3tValueThatMustNeverBePrinted";
        var root = Valid();
        root[field] = value;
        var ex = Refused(root);
        string e = Assert.Single(ex.Errors);
        Assert.StartsWith($"$.{field}: the config file must not contain secrets", e);
        Assert.Contains("FATHOM_BINANCE_API_KEY", e);
        Assert.Contains("FATHOM_BINANCE_API_SECRET", e);
        Assert.DoesNotContain(value, ex.Message);
    }

    [Fact]
    public void Parse_NestedSecret_Refused()
    {
        var root = Valid();
        Symbol0(root)["api_key"] = "x";
        Assert.StartsWith("$.symbols[0].api_key: the config file must not contain secrets", Assert.Single(Refused(root).Errors));
    }

    [Fact]
    public void Parse_BadPrefixAndInstance_Refused()
    {
        var root = Valid();
        root["clientOrderIdPrefix"] = "fathom-1";
        Assert.Contains(Refused(root).Errors, e => e.StartsWith("$.clientOrderIdPrefix: 'fathom-1' must be 1..8 ASCII letters or digits", StringComparison.Ordinal));
        root = Valid();
        root["instanceId"] = 5000;
        Assert.Equal(["$.instanceId: must be at most 1295 (got 5000)"], Refused(root).Errors);
    }

    [Fact]
    public void Resolve_QuoteQtyOffTheStep_Refused()
    {
        var root = Valid();
        Symbol0(root)["strategy"]!["quoteQty"] = "0.0012345";
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        var ex = Assert.Throws<RunConfigException>(() => config.Resolve(new Dictionary<string, InstrumentSpec> { ["BTCUSDT"] = BtcSpec() }));
        Assert.Contains("$.symbols[0].strategy.quoteQty: 0.0012345 is not a multiple of BTCUSDT's step size 0.00001", ex.Errors);
    }

    [Fact]
    public void Resolve_SymbolNotListed_Refused()
    {
        var config = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        var ex = Assert.Throws<RunConfigException>(() => config.Resolve(new Dictionary<string, InstrumentSpec>()));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.symbols[0].symbol: BTCUSDT is not listed by the venue", StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_ValidConfig_ConvertsAmountsAtTheVenuesDecimals()
    {
        var config = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        var resolved = config.Resolve(new Dictionary<string, InstrumentSpec> { ["BTCUSDT"] = BtcSpec() });
        Assert.Equal("market-maker", resolved.Strategies[0].Name);
        var mm = MarketMakerOf(resolved);
        Assert.Equal(100_000, mm.QuoteQty);       // 0.001 at 8 decimals
        Assert.Equal(2_000_000, mm.MaxPosition);
        Assert.Equal(3, mm.HalfSpreadTicks);
        Assert.Equal(new Qty(500_000), resolved.Limits.Instruments[0].MaxOrderQty);
        Assert.Equal(10_000L * 100_000_000, resolved.Limits.Instruments[0].MaxOrderNotional);
    }

    [Fact]
    public void Parse_RecvWindow_ReachesTheGatewayAndRaisesTheNeverPlacedWindow()
    {
        var defaults = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        Assert.Equal(5_000, defaults.OrderEntry.RecvWindowMs);
        Assert.Equal(15_000_000_000, defaults.Execution.UnknownProofWindowNs);

        var root = Valid();
        root["recvWindowMs"] = 60_000;
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(60_000, config.OrderEntry.RecvWindowMs);
        // The venue may accept an order up to 60 s after its timestamp: "not found" proves nothing before 70 s.
        Assert.Equal(70_000_000_000, config.Execution.UnknownProofWindowNs);
        Assert.True(config.Execution.UnknownProofWindowNs >= config.OrderEntry.RecvWindowMs * 1_000_000L + ExecutionOptions.UnknownProofMarginNs);
        Assert.Contains("recvWindow 60000 ms (unknown order never placed after 70 s)", config.Describe());

        root["recvWindowMs"] = 60_001;
        var ex = Assert.Throws<RunConfigException>(() => RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json"));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.recvWindowMs:", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_WarmupFrames_DefaultsTo5000_ZeroTurnsItOff_AndIsRangeChecked()
    {
        var defaults = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        Assert.Equal(5_000, defaults.WarmupFrames);
        Assert.Contains("warm-up 5000 frames per instrument", defaults.Describe());

        var root = Valid();
        root["warmupFrames"] = 0;
        var off = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(0, off.WarmupFrames);
        Assert.Contains("warm-up off", off.Describe());
        root["warmupFrames"] = 200;
        Assert.Equal(200, RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json").WarmupFrames);

        root["warmupFrames"] = -1;
        var ex = Assert.Throws<RunConfigException>(() => RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json"));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.warmupFrames:", StringComparison.Ordinal));
        root["warmupFrames"] = 1_000_001;
        ex = Assert.Throws<RunConfigException>(() => RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json"));
        Assert.Contains(ex.Errors, e => e.StartsWith("$.warmupFrames: must be at most 1000000", StringComparison.Ordinal));
    }

    [Fact]
    public void SampleConfig_InDocs_LoadsAndResolves()
    {
        string path = FindSample();
        var config = RunConfig.Load(path);
        Assert.Equal(RunVenue.BinanceTestnet, config.Venue);
        Assert.NotEmpty(config.Symbols);
        // Binance spot BTCUSDT's step is 0.00001 (testnet and mainnet).
        var resolved = config.Resolve(new Dictionary<string, InstrumentSpec> { ["BTCUSDT"] = BtcSpec() });
        Assert.Equal(config.Symbols.Count, resolved.Specs.Count);
        // The sample follows the ticker with a requote throttle; both reach the market maker.
        Assert.True(MarketMakerOf(resolved).FollowTicker);
        Assert.Equal(250_000_000, MarketMakerOf(resolved).MinRequoteIntervalNs);
        Assert.Contains("follow ticker yes, min requote interval 250 ms", config.Describe());
        // docs/operations.md shows the same file.
        string operations = File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "operations.md"));
        Assert.Contains(File.ReadAllText(path).Trim(), operations.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("risk", "maxInFlightAgeMs", "18446744073710", "$.risk.maxInFlightAgeMs: must be at most 86400000 ms (one day) (got 18446744073710)")]
    [InlineData("risk", "markoutHorizonMs", "-1", "$.risk.markoutHorizonMs: must be positive (got -1)")]
    [InlineData("risk", "priceBandBps", "10001", "$.risk.priceBandBps: must be at most 10000 bps (got 10001)")]
    [InlineData("risk", "vwapStopBps", "1e3", "$.risk.vwapStopBps: must be an integer, without a fraction or an exponent (got 1e3)")]
    [InlineData("risk", "volatilityWidenAbove", "-1e400", "$.risk.volatilityWidenAbove: must be positive (got -1e400)")]
    [InlineData("risk", "volatilityPauseAbove", "1e400", "$.risk.volatilityPauseAbove: must be at most 1 (got 1e400)")]
    [InlineData("risk", "orderBudget", "9223372036854775808", "$.risk.orderBudget: must be at most 1000000 (got 9223372036854775808)")]
    [InlineData("risk", "cancelHeadroom", "-9223372036854775809", "$.risk.cancelHeadroom: must not be negative (got -9223372036854775809)")]
    [InlineData("strategy", "minRequoteIntervalMs", "86400001", "$.symbols[0].strategy.minRequoteIntervalMs: must be at most 86400000 ms (one day) (got 86400001)")]
    [InlineData("strategy", "maxSkewTicks", "-1", "$.symbols[0].strategy.maxSkewTicks: must not be negative (got -1)")]
    [InlineData("strategy", "pullWithdrawal", "0", "$.symbols[0].strategy.pullWithdrawal: must be positive (got 0)")]
    [InlineData("root", "metricsPort", "65536", "$.metricsPort: must be at most 65535 (got 65536)")]
    [InlineData("root", "statusIntervalSeconds", "0", "$.statusIntervalSeconds: must be positive (got 0)")]
    public void Parse_NumberOutOfRange_RefusedWithPathAndTextAsWritten(string section, string field, string literal, string expected)
    {
        // Literals System.Text.Json.Nodes cannot hold (1e400, beyond 64 bits) go in as text.
        var root = Valid();
        JsonObject target = section switch
        {
            "risk" => root["risk"]!.AsObject(),
            "strategy" => Symbol0(root)["strategy"]!.AsObject(),
            _ => root,
        };
        target[field] = "@@";
        string json = root.ToJsonString().Replace("\"@@\"", literal, StringComparison.Ordinal);
        Assert.Equal([expected], Refused(json).Errors);
    }

    [Fact]
    public void Parse_AmountBeyondFixedPoint_Refused()
    {
        var root = Valid();
        root["risk"]!["maxDailyLoss"] = "1000000000000000";
        Symbol0(root)["limits"]!["maxOrderNotional"] = "92233720368.54775808";
        var ex = Refused(root);
        Assert.Contains("$.risk.maxDailyLoss: 1000000000000000 is too large (at most 92233720368.54775807: amounts are 64-bit fixed point with 8 decimals)", ex.Errors);
        Assert.Contains(ex.Errors, e => e.StartsWith("$.symbols[0].limits.maxOrderNotional: 92233720368.54775808 is too large", StringComparison.Ordinal));
        // The largest amount that fits is accepted and converts exactly.
        root = Valid();
        root["risk"]!["maxTotalNotional"] = "92233720368.54775807";
        Assert.Equal(long.MaxValue, RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json").Risk.MaxTotalNotional);
    }

    [Fact]
    public void Parse_LargestValuesInRange_ConvertWithoutOverflow()
    {
        var root = Valid();
        foreach (string ms in new[] { "markoutHorizonMs", "markoutCooldownMs", "maxInFlightAgeMs", "ackLatencyTripMs", "feedLagTripMs", "staleBookGraceMs",
            "venueErrorWindowMs", "orderBudgetWindowMs", "releaseCooldownMs" })
            root["risk"]![ms] = 86_400_000;
        root["statusIntervalSeconds"] = 86_400;
        root["shutdownTimeoutSeconds"] = 3_600;
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(86_400_000L * 1_000_000, config.Risk.MaxInFlightAgeNs);
        Assert.Contains("in-flight age 86400000 ms", config.Describe());
        Assert.Equal(TimeSpan.FromHours(1), config.ShutdownTimeout);
    }

    [Fact]
    public void Ranges_CoverEveryNumericSettingOfTheFile()
    {
        // A numeric property added to the file model without a range would reach the engine unchecked.
        var sections = new (Type Type, string Path)[]
        {
            (typeof(RunConfigFile), "$"), (typeof(SymbolSection), "$.symbols[]"), (typeof(StrategySection), "$.symbols[].strategy"),
            (typeof(InstrumentLimitsSection), "$.symbols[].limits"), (typeof(RiskSection), "$.risk"), (typeof(JournalSection), "$.journal"),
            (typeof(ClusterSection), "$.cluster"), (typeof(OrderBudgetSection), "$.cluster.orderBudget"),
        };
        var numeric = new[] { typeof(int?), typeof(long?), typeof(double?), typeof(decimal?), typeof(int), typeof(long), typeof(double), typeof(decimal) };
        var expected = sections
            .SelectMany(s => s.Type.GetProperties().Where(p => numeric.Contains(p.PropertyType))
                .Select(p => $"{s.Path}.{System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, RunConfigRanges.All.Select(r => r.Path).Order(StringComparer.Ordinal).ToList());
    }

    // ---------------------------------------------------------------- strategy selection by name

    [Fact]
    public void Parse_UnknownStrategyName_NamesThePathAndListsTheRegisteredOnes()
    {
        var root = Valid();
        Symbol0(root)["strategy"] = JsonNode.Parse("""{ "name": "grid", "levels": 3 }""");
        string e = Assert.Single(Refused(root).Errors);
        Assert.Equal("$.symbols[0].strategy.name: unknown strategy 'grid'; registered: imbalance-taker, market-maker", e);
    }

    [Fact]
    public void Resolve_ImbalanceTaker_ByName_BuildsItFromItsParameters()
    {
        var root = Valid();
        Symbol0(root)["strategy"] = JsonNode.Parse("""{ "name": "imbalance-taker", "takeQty": "0.001", "maxPosition": "0.005", "cooldownMs": 500 }""");
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Contains("BTCUSDT (BTC/USDT): strategy imbalance-taker cooldownMs 500, maxPosition 0.005, takeQty 0.001", config.Describe());
        var resolved = config.Resolve(new Dictionary<string, InstrumentSpec> { ["BTCUSDT"] = BtcSpec() });
        var setup = Assert.Single(resolved.Strategies);
        Assert.Equal("imbalance-taker", setup.Name);
        Assert.Equal([0], setup.Instruments);
        Assert.IsType<Fathom.Strategies.ImbalanceTaker>(config.Strategies.Create(setup, resolved.Specs));
    }

    [Fact]
    public void Resolve_ImbalanceTakerBadParameters_RefusedWithThePath()
    {
        var root = Valid();
        Symbol0(root)["strategy"] = JsonNode.Parse("""{ "name": "imbalance-taker", "maxPosition": "0.005", "takeQtty": "0.001" }""");
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        var ex = Assert.Throws<RunConfigException>(() => config.Resolve(new Dictionary<string, InstrumentSpec> { ["BTCUSDT"] = BtcSpec() }));
        string e = Assert.Single(ex.Errors);
        Assert.StartsWith("$.symbols[0].strategy: parameters of 'imbalance-taker':", e);
        Assert.Contains("takeQtty", e);
    }

    [Fact]
    public void Parse_ConfigurationOverride_ReachesTheStrategyParameters()
    {
        // The host layers environment and command line over the file: the override is what the strategy gets.
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(ValidJson)))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["symbols:0:strategy:halfSpreadTicks"] = "7" })
            .Build();
        var config = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json", configuration: configuration);
        var resolved = config.Resolve(new Dictionary<string, InstrumentSpec> { ["BTCUSDT"] = BtcSpec() });
        Assert.Equal(7, MarketMakerOf(resolved).HalfSpreadTicks);
        Assert.Contains("half spread 7 ticks", config.Describe());
    }

    // ---------------------------------------------------------------- the trade store

    [Fact]
    public void Parse_NoStoreSection_IsSqliteInTheStateDirectory()
    {
        var config = RunConfig.Parse(ValidJson, "/tmp/fathom-test/fathom.json");
        Assert.Equal(new RunStore(TradeStoreKind.Sqlite, null), config.Store);
        TradeStoreOptions options = config.StoreOptions(_ => throw new InvalidOperationException("SQLite reads no variable"));
        Assert.Equal((TradeStoreKind.Sqlite, Path.Combine("/tmp/fathom-test", "fathom-state", "fathom.db")), (options.Kind, options.Path));
        Assert.Contains("(store fathom.db, client-order-id", config.Describe());
        var root = Valid();
        root["store"] = new JsonObject { ["kind"] = "sqlite" };
        Assert.Equal(config.Store, RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json").Store);
    }

    [Fact]
    public void Parse_PostgresStore_TakesTheConnectionStringFromTheNamedVariableAndNeverShowsIt()
    {
        const string connectionString = "Host=db.example;Port=6543;Database=fathom;Username=trader;Password=S3cr3tPassw0rd";
        var root = Valid();
        root["store"] = new JsonObject { ["kind"] = "postgres", ["connectionStringVariable"] = "FATHOM_PG" };
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(new RunStore(TradeStoreKind.Postgres, "FATHOM_PG"), config.Store);
        var asked = new List<string>();
        TradeStoreOptions options = config.StoreOptions(name => { asked.Add(name); return name == "FATHOM_PG" ? connectionString : null; });
        Assert.Equal(["FATHOM_PG"], asked);
        Assert.Equal((TradeStoreKind.Postgres, connectionString), (options.Kind, options.ConnectionString));
        Assert.Equal("postgresql://db.example:6543/fathom", options.Describe());
        Assert.Equal(options.Describe(), options.ToString());
        Assert.Contains("store PostgreSQL, connection string from $FATHOM_PG (not shown)", config.Describe());
        Assert.DoesNotContain("S3cr3t", config.Describe() + options, StringComparison.Ordinal);
        Assert.DoesNotContain("trader", options.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void StoreOptions_PostgresVariableUnset_NamesTheVariable()
    {
        var root = Valid();
        root["store"] = new JsonObject { ["kind"] = "postgres", ["connectionStringVariable"] = "FATHOM_PG" };
        var config = RunConfig.Parse(root.ToJsonString(), "/tmp/fathom-test/fathom.json");
        var ex = Assert.Throws<HostInputException>(() => config.StoreOptions(_ => null));
        Assert.Contains("$.store.connectionStringVariable names FATHOM_PG, which is not set", ex.Message);
        Assert.Throws<HostInputException>(() => config.StoreOptions(_ => "  "));
    }

    [Theory]
    [InlineData("""{ "kind": "postgres" }""", "$.store.connectionStringVariable: required for kind 'postgres'")]
    [InlineData("""{ "kind": "postgres", "connectionStringVariable": "FATHOM-PG" }""", "$.store.connectionStringVariable: 'FATHOM-PG' is not an environment variable name")]
    [InlineData("""{ "kind": "mysql" }""", "$.store.kind: unknown store kind 'mysql'; use sqlite (the default: a file in the state directory) or postgres")]
    [InlineData("""{ "connectionStringVariable": "FATHOM_PG" }""", "$.store.connectionStringVariable: only for kind 'postgres'")]
    [InlineData("""{ "kind": "postgres", "connectionStringVariable": "FATHOM_PG", "path": "x" }""", "unknown property 'path' in $.store at line 1")]
    public void Parse_BadStoreSection_RefusedNamingThePath(string store, string expected)
    {
        var root = Valid();
        root["store"] = JsonNode.Parse(store);
        string e = Assert.Single(Refused(root).Errors);
        Assert.StartsWith(expected, e);
    }

    [Fact]
    public void Parse_ConnectionStringInTheFile_RefusedWithoutEchoingIt()
    {
        const string value = "Host=db;Password=S3cr3tPassw0rd";
        var root = Valid();
        root["store"] = new JsonObject { ["kind"] = "postgres", ["connectionString"] = value };
        var ex = Refused(root);
        string e = Assert.Single(ex.Errors);
        Assert.StartsWith("$.store.connectionString: the config file must not contain a connection string", e);
        Assert.Contains("$.store.connectionStringVariable", e);
        Assert.DoesNotContain("S3cr3t", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The first symbol's market maker options, as the catalog builds them from the parameters.</summary>
    private static Fathom.Strategies.MarketMakerOptions MarketMakerOf(ResolvedRun resolved) =>
        BuiltInStrategies.MarketMakerOptionsOf(new StrategyArguments(resolved.Strategies[0], resolved.Specs));

    internal static string FindSample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "docs", "fathom.sample.json");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
                return candidate;
        }
        throw new FileNotFoundException("docs/fathom.sample.json was not found above " + AppContext.BaseDirectory);
    }
}
