using System.Text.Json.Nodes;
using Fathom.Testing;

namespace Fathom.Backtest.Tests;

/// <summary>Backtest configs for the tests: the market maker on BTCUSDT over the recorded hftbacktest days.</summary>
internal static class BacktestConfigs
{
    /// <summary>The first message of btcusdt_20240808.gz (local receive time), 2024-08-08T23:54:13.937Z.</summary>
    public const long FirstMessageNs = 1723161253937085768;

    public static JsonObject MarketMaker(string? end = "2024-08-08T23:57:00Z", params string[] files)
    {
        string[] data = files.Length > 0 ? files : [SharedData.BinanceSpotDays[0]];
        var config = new JsonObject
        {
            ["strategy"] = new JsonObject { ["name"] = "market-maker", ["halfSpreadTicks"] = 1, ["quoteQty"] = "0.001", ["maxPosition"] = "0.01" },
            ["instruments"] = new JsonArray(new JsonObject
            {
                ["symbol"] = "BTCUSDT", ["baseAsset"] = "BTC", ["quoteAsset"] = "USDT",
                ["tickSize"] = "0.01", ["stepSize"] = "0.00001", ["minNotional"] = "5",
                ["makerFee"] = "0.0001", ["takerFee"] = "0.0004",
                ["limits"] = new JsonObject { ["maxPosition"] = "0.05", ["maxOrderQty"] = "0.01", ["maxOrderNotional"] = "1000" },
            }),
            ["risk"] = new JsonObject { ["maxTotalNotional"] = "100000", ["markoutLossLimit"] = "1000", ["maxDailyLoss"] = "1000" },
            ["data"] = new JsonArray(new JsonObject { ["kind"] = "hftbacktest", ["files"] = new JsonArray([.. data.Select(f => JsonValue.Create(f))]) }),
            ["orderEntryLatency"] = new JsonObject { ["model"] = "constant", ["ms"] = 2 },
            ["responseLatency"] = new JsonObject { ["model"] = "constant", ["ms"] = 2 },
        };
        if (end is not null)
            config["end"] = end;
        return config;
    }

    /// <summary>The market maker on NKNUSDT over cryptofeed's Binance spot capture (the filters are its exchangeInfo's).</summary>
    public static JsonObject CryptofeedMarketMaker(params string[] files)
    {
        string[] data = files.Length > 0 ? files : SharedData.CryptofeedBinanceSpot;
        return new JsonObject
        {
            ["strategy"] = new JsonObject { ["name"] = "market-maker", ["halfSpreadTicks"] = 1, ["quoteQty"] = "100", ["maxPosition"] = "1000" },
            ["instruments"] = new JsonArray(new JsonObject
            {
                ["symbol"] = "NKNUSDT", ["baseAsset"] = "NKN", ["quoteAsset"] = "USDT",
                ["tickSize"] = "0.0001", ["stepSize"] = "1", ["minNotional"] = "10",
                ["makerFee"] = "0.0001", ["takerFee"] = "0.0004",
                ["limits"] = new JsonObject { ["maxPosition"] = "2000", ["maxOrderQty"] = "1000", ["maxOrderNotional"] = "1000" },
            }),
            ["risk"] = new JsonObject { ["maxTotalNotional"] = "100000", ["markoutLossLimit"] = "1000", ["maxDailyLoss"] = "1000" },
            ["data"] = new JsonArray(new JsonObject { ["kind"] = "cryptofeed", ["files"] = new JsonArray([.. data.Select(f => JsonValue.Create(f))]) }),
            ["orderEntryLatency"] = new JsonObject { ["model"] = "constant", ["ms"] = 2 },
            ["responseLatency"] = new JsonObject { ["model"] = "constant", ["ms"] = 2 },
            ["markIntervalMs"] = 100,
        };
    }

    public static BacktestConfig Parse(JsonObject config, Fathom.Hosting.StrategyCatalog? catalog = null) =>
        BacktestConfig.Parse(config.ToJsonString(), Path.Combine(Path.GetTempPath(), "bt.json"), catalog);

    public static BacktestOutcome Run(BacktestConfig config, out TradeThroughVenue venue, Fathom.Hosting.StrategyCatalog? catalog = null)
    {
        TradeThroughVenue? built = null;
        BacktestOutcome outcome = Backtester.Execute(config, (specs, model, sink) => built = new TradeThroughVenue(specs, model, sink), catalog);
        venue = built!;
        return outcome;
    }
}
