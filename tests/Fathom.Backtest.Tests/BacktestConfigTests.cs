using System.Text.Json.Nodes;
using Xunit;

namespace Fathom.Backtest.Tests;

public sealed class BacktestConfigTests
{
    private static string ErrorsOf(JsonObject config) =>
        string.Join("\n", Assert.Throws<BacktestConfigException>(() => BacktestConfigs.Parse(config)).Errors);

    [Fact]
    public void Parse_ValidConfig_BuildsCoreSetupAndVenueModel()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["queue"] = "power:3";
        json["feedLatency"] = new JsonObject { ["model"] = "constant", ["ms"] = 5 };
        json["responseLatency"] = new JsonObject { ["model"] = "distribution", ["samplesMs"] = new JsonArray(1, 2.5), ["seed"] = 7 };
        json["venueLimits"] = new JsonObject { ["ordersPer10s"] = 20 };

        BacktestConfig config = BacktestConfigs.Parse(json);

        Assert.Equal("BTCUSDT", Assert.Single(config.Specs).Symbol);
        Assert.Equal(1_000_000, config.Specs[0].TickSize.Raw);
        Assert.Equal(1_000, config.Specs[0].StepSize.Raw);
        var strategy = Assert.Single(config.Core.Strategies);
        Assert.Equal("market-maker", strategy.Name);
        Assert.Equal("0.001", strategy.Parameters["quoteQty"]);
        Assert.Equal(5_000_000, config.Core.Limits.Instruments[0].MaxPosition.Raw);
        Assert.Equal(new QueueModel(QueueKind.PowerProbability, 3), config.Venue.Queue);
        Assert.Equal(LatencyKind.Constant, config.Venue.OrderEntry.Kind);
        Assert.Equal(2_000_000, config.Venue.OrderEntry.ConstantNs);
        Assert.Equal(LatencyKind.Empirical, config.Venue.Response.Kind);
        Assert.Equal([1_000_000L, 2_500_000L], config.Venue.Response.SamplesNs);
        Assert.Equal(7UL, config.Venue.Response.Seed);
        Assert.Equal(new FeeRates(0.0001m, 0.0004m), config.Venue.Fees[0]);
        Assert.Equal(20, config.Venue.Limits.OrdersPer10s);
        Assert.Equal(FeedLatencyModel.Constant(5_000_000), config.FeedLatency);
        Assert.Equal(new DateTimeOffset(2024, 8, 8, 23, 57, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000, config.EndNs);
        Assert.Equal(BacktestDataKind.HftBacktest, Assert.Single(config.Data).Kind);
        Assert.Equal(0, config.Data[0].Instrument);
    }

    [Fact]
    public void Parse_UnknownTopLevelProperty_NamesItAndItsLine()
    {
        string json = "{\n  \"strategy\": {\"name\": \"market-maker\"},\n  \"markIntervalMss\": 5\n}";
        var ex = Assert.Throws<BacktestConfigException>(() => BacktestConfig.Parse(json, "/tmp/bt.json"));
        string error = Assert.Single(ex.Errors);
        Assert.Contains("unknown property 'markIntervalMss' in $", error);
        Assert.Contains("line 3", error);
    }

    [Fact]
    public void Parse_BadInstrumentFields_NamesEachField()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        var instrument = json["instruments"]![0]!.AsObject();
        instrument["tickSize"] = "-0.01";
        instrument["makerFee"] = "0.5";
        instrument.Remove("takerFee");

        string errors = ErrorsOf(json);

        Assert.Contains("$.instruments[0].tickSize: '-0.01' is not a decimal number", errors);
        Assert.Contains("$.instruments[0].makerFee: 0.5 is outside", errors);
        Assert.Contains("$.instruments[0].takerFee: required", errors);
    }

    [Fact]
    public void Parse_StrategyErrors_AreTheRunConfigsInThisFilesTerms()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["strategy"]!["halfSpreadTick"] = 2;
        json["strategy"]!["quoteQty"] = "0.0000001";

        string errors = ErrorsOf(json);

        Assert.Contains("unknown property 'halfSpreadTick' in $.strategy", errors);
        Assert.DoesNotContain("symbols", errors);
    }

    [Fact]
    public void Parse_UnknownStrategyName_ListsTheCatalog()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["strategy"] = new JsonObject { ["name"] = "no-such-strategy" };

        Assert.Contains("$.strategy.name: unknown strategy 'no-such-strategy'; registered: imbalance-taker, market-maker", ErrorsOf(json));
    }

    [Fact]
    public void Parse_LimitsBelowQuote_NamesTheInstrumentsLimits()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["instruments"]![0]!["limits"]!["maxOrderQty"] = "0.0001";

        Assert.Contains("$.instruments[0].limits.maxOrderQty: 0.0001 is below the strategy's quoteQty 0.001", ErrorsOf(json));
    }

    [Fact]
    public void Parse_MissingRisk_IsReported()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json.Remove("risk");

        Assert.Contains("$.risk: required", ErrorsOf(json));
    }

    [Fact]
    public void Parse_DataProblems_NameTheSourceAndFile()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["data"] = new JsonArray(
            new JsonObject { ["kind"] = "csv", ["files"] = new JsonArray("x.csv") },
            new JsonObject { ["kind"] = "hftbacktest", ["symbol"] = "ETHUSDT", ["files"] = new JsonArray("no-such-file.gz") });

        string errors = ErrorsOf(json);

        Assert.Contains("$.data[0].kind: unknown kind 'csv'", errors);
        Assert.Contains("$.data[1].files[0]: file '", errors);
        Assert.Contains("no-such-file.gz' does not exist", errors);
        Assert.Contains("$.data[1].symbol: ETHUSDT is not one of $.instruments (BTCUSDT)", errors);
    }

    [Fact]
    public void Parse_CryptofeedCapture_TellsItsFilesApartByContent()
    {
        string[] capture = Fathom.Testing.SharedData.CryptofeedBinanceSpot; // exchangeInfo, snapshots, connection
        JsonObject json = BacktestConfigs.CryptofeedMarketMaker(capture[2], capture[0], capture[1]);

        BacktestDataSource source = Assert.Single(BacktestConfigs.Parse(json).Data);

        Assert.Equal(BacktestDataKind.Cryptofeed, source.Kind);
        Assert.NotNull(source.Capture);
        Assert.Equal(capture[0], source.Capture.ExchangeInfo);
        Assert.Equal(capture[1], source.Capture.Http);
        Assert.Equal(capture[2], source.Capture.Ws);
        // The exchangeInfo file is optional: the instruments come from the config.
        BacktestDataSource withoutInfo = Assert.Single(BacktestConfigs.Parse(BacktestConfigs.CryptofeedMarketMaker(capture[1], capture[2])).Data);
        Assert.Null(withoutInfo.Capture!.ExchangeInfo);
    }

    [Fact]
    public void Parse_CryptofeedProblems_NameTheSourceAndWhatIsWrong()
    {
        string[] capture = Fathom.Testing.SharedData.CryptofeedBinanceSpot;
        string futuresWs = Fathom.Testing.SharedData.PathOf("cryptofeed", "BINANCE_FUTURES.ws.1.0");
        string futuresHttp = Fathom.Testing.SharedData.PathOf("cryptofeed", "BINANCE_FUTURES.http.0.0");
        JsonObject json = BacktestConfigs.CryptofeedMarketMaker();
        json["data"] = new JsonArray(
            new JsonObject { ["kind"] = "cryptofeed", ["files"] = new JsonArray(capture[2]) },
            new JsonObject { ["kind"] = "cryptofeed", ["files"] = new JsonArray(capture[1], capture[2], Fathom.Testing.SharedData.BinanceSpotDays[0]) },
            new JsonObject { ["kind"] = "cryptofeed", ["files"] = new JsonArray(futuresHttp, futuresWs) },
            new JsonObject { ["kind"] = "cryptofeed", ["files"] = new JsonArray(capture[1], capture[2], "no-such-capture.ws.1.0") },
            new JsonObject { ["kind"] = "cryptofeed", ["files"] = new JsonArray(capture[1], capture[2], capture[2]) },
            new JsonObject { ["kind"] = "cryptofeed", ["snapshotDepth"] = 100, ["files"] = new JsonArray(capture[1], capture[2]) });

        string errors = ErrorsOf(json);

        Assert.Contains("$.data[0].files: a cryptofeed capture is EXCHANGE.0[.gz] (exchangeInfo, optional), EXCHANGE.http.0.0 (snapshots) " +
            "and EXCHANGE.ws.N.0 (the connection); missing: the snapshot file.", errors);
        Assert.Contains($"$.data[1].files: {Fathom.Testing.SharedData.BinanceSpotDays[0]} is not a cryptofeed exchangeInfo, snapshot or websocket recording", errors);
        Assert.Contains($"$.data[2].files: {futuresWs} is a Binance futures capture (fstream.binance.com); the backtest reads Binance spot data only", errors);
        Assert.Contains("no-such-capture.ws.1.0' does not exist", errors);
        Assert.Contains($"$.data[4].files: {capture[2]} and {capture[2]} are both a capture's connection file; give one of each.", errors);
        Assert.Contains("$.data[5].snapshotDepth: only for hftbacktest files", errors);
    }

    [Fact]
    public void Parse_CryptofeedCaptureDisagreeingWithTheConfig_IsRefused()
    {
        JsonObject json = BacktestConfigs.CryptofeedMarketMaker();
        json["instruments"]![0]!["tickSize"] = "0.001";
        json["instruments"]![0]!["stepSize"] = "0.1";

        string errors = ErrorsOf(json);

        Assert.Contains("$.instruments[0].tickSize: 0.00100000 differs from the capture's exchangeInfo (0.00010000, ", errors);
        Assert.Contains("$.instruments[0].stepSize: 0.10000000 differs from the capture's exchangeInfo (1.00000000, ", errors);

        JsonObject other = BacktestConfigs.CryptofeedMarketMaker();
        other["instruments"]![0]!["symbol"] = "BTCUSDT";
        Assert.Contains("$.data[0].files: the capture subscribes to NKNUSDT, BLZETH, LRCBTC, RUNEEUR; none of $.instruments (BTCUSDT)", ErrorsOf(other));
    }

    [Fact]
    public void Parse_BadModels_NameTheirFields()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["queue"] = "power:-1";
        json["feedLatency"] = new JsonObject { ["model"] = "constant" };
        json["orderEntryLatency"] = new JsonObject { ["model"] = "distribution" };
        json["responseLatency"] = new JsonObject { ["model"] = "journal", ["path"] = "missing.fathomjnl" };
        json["start"] = "yesterday";

        string errors = ErrorsOf(json);

        Assert.Contains("$.queue: unknown queue model 'power:-1'", errors);
        Assert.Contains("$.feedLatency.ms: required", errors);
        Assert.Contains("$.orderEntryLatency.samplesMs: required", errors);
        Assert.Contains("$.responseLatency.path: cannot read ack latencies from '", errors);
        Assert.Contains("$.start: 'yesterday' is not an ISO 8601 UTC time", errors);
    }

    [Fact]
    public void Parse_DecimalAmountAsNumber_SaysItMustBeAString()
    {
        JsonObject json = BacktestConfigs.MarketMaker();
        json["instruments"]![0]!["tickSize"] = 0.01;

        Assert.Contains("$.instruments[0].tickSize at line 1", ErrorsOf(json));
    }

    [Fact]
    public void Parse_SampleConfig_IsValidWithTheDataWhereverItIs()
    {
        string sample = Path.Combine(RepositoryRoot(), "samples", "backtest", "btcusdt-mm.json");
        // The sample points at ../shared/data beside the repository; a worktree finds it elsewhere.
        string text = File.ReadAllText(sample).Replace("../../../shared/data/binance/hftbacktest/spot/btcusdt_20240808.gz",
            Fathom.Testing.SharedData.BinanceSpotDays[0], StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(sample), text);

        BacktestConfig config = BacktestConfig.Parse(text, sample);

        Assert.Equal("market-maker", config.StrategyName);
        Assert.Equal(Fathom.Testing.SharedData.BinanceSpotDays[0], Assert.Single(Assert.Single(config.Data).Files));
    }

    [Fact]
    public void Parse_CryptofeedSampleConfig_IsValidWithTheDataWhereverItIs()
    {
        string sample = Path.Combine(RepositoryRoot(), "samples", "backtest", "nknusdt-cryptofeed-mm.json");
        string data = Path.GetDirectoryName(Fathom.Testing.SharedData.CryptofeedBinanceSpot[0])!;
        string text = File.ReadAllText(sample).Replace("../../../shared/data/cryptofeed", data, StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText(sample), text);

        BacktestDataSource source = Assert.Single(BacktestConfig.Parse(text, sample).Data);

        Assert.Equal(BacktestDataKind.Cryptofeed, source.Kind);
        Assert.Equal(Fathom.Testing.SharedData.CryptofeedBinanceSpot[0], source.Capture!.ExchangeInfo);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Fathom.slnx not found above " + AppContext.BaseDirectory);
    }
}
