using System.Text.Json.Nodes;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Hosting.Run;
using Fathom.Venues.Okx;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>The OKX venue names in the run config: accepted with OKX's endpoints and instIds, Binance-only settings refused.</summary>
public sealed partial class RunConfigTests
{
    /// <summary>The valid config moved to <paramref name="venue"/>: Binance URLs removed, the symbol named as OKX names it.</summary>
    private static JsonObject ValidOkx(string venue)
    {
        var root = Valid();
        root.Remove("streamUrl");
        root.Remove("wsApiUrl");
        if (venue != "okx-custom")
            root.Remove("restUrl");
        else
        {
            root["restUrl"] = "http://127.0.0.1:1";
            root["publicWsUrl"] = "ws://127.0.0.1:1/ws/v5/public";
            root["privateWsUrl"] = "ws://127.0.0.1:1/ws/v5/private";
        }
        root["venue"] = venue;
        Symbol0(root)["symbol"] = "BTC-USDT";
        return root;
    }

    [Theory]
    [InlineData("okx-demo", true, "https://www.okx.com/", "wss://wspap.okx.com:8443/ws/v5/private")]
    [InlineData("okx", false, "https://www.okx.com/", "wss://ws.okx.com:8443/ws/v5/private")]
    [InlineData("okx-custom", false, "http://127.0.0.1:1/", "ws://127.0.0.1:1/ws/v5/private")]
    public void Parse_OkxVenue_AcceptedWithItsEndpoints(string venue, bool simulated, string rest, string privateWs)
    {
        var config = RunConfig.Parse(ValidOkx(venue).ToJsonString(), "/tmp/fathom-test/fathom.json");
        Assert.Equal(venue, config.VenueName);
        var okx = Assert.IsType<OkxEndpoints>(config.Okx);
        Assert.Equal(simulated, okx.Simulated);
        Assert.Equal(rest, okx.RestBase.ToString());
        Assert.Equal(privateWs, okx.PrivateWs.ToString());
        Assert.Equal("BTC-USDT", Assert.Single(config.Symbols).Symbol);
        Assert.Equal(venue == "okx", config.IsMainnet);
        Assert.Equal("public/instruments", config.InstrumentList);
        // Order entry follows the same endpoints (demo trading's header included).
        var options = OkxVenue.OrderEntryOptions(okx);
        Assert.Equal(okx.RestBase, options.RestBase);
        Assert.Equal(okx.PrivateWs, options.PrivateWsUrl);
        Assert.Equal(simulated, options.SimulatedTrading);
        Assert.Contains($"venue {venue} (OKX): rest {okx.RestBase}", config.Describe());
    }

    [Theory]
    [InlineData("BTC_USDT", "must be an OKX instId")]
    [InlineData("BTCUSDT", "symbol BTCUSDT is not baseAsset-quoteAsset (BTC-USDT)")]
    [InlineData("ETH-USDT", "symbol ETH-USDT is not baseAsset-quoteAsset (BTC-USDT)")]
    public void Parse_OkxVenueWithABinanceStyleOrForeignSymbol_Refused(string symbol, string expected)
    {
        var root = ValidOkx("okx-demo");
        Symbol0(root)["symbol"] = symbol;
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BinanceVenueWithAnOkxSymbol_StillRefused()
    {
        var root = Valid();
        Symbol0(root)["symbol"] = "BTC-USDT";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("'BTC-USDT' must be letters and digits only", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("selfTradePrevention", "\"EXPIRE_MAKER\"")]
    [InlineData("recvWindowMs", "5000")]
    [InlineData("probeIntervalMs", "1000")]
    [InlineData("livenessTimeoutMs", "3000")]
    [InlineData("metadataRefreshSeconds", "60")]
    public void Parse_OkxVenueWithABinanceOrderEntrySetting_RefusedNotIgnored(string key, string value)
    {
        var root = ValidOkx("okx-demo");
        root[key] = JsonNode.Parse(value);
        var ex = Refused(root);
        string error = Assert.Single(ex.Errors);
        Assert.StartsWith($"$.{key}: a Binance order-entry setting; venue 'okx-demo' (OKX)", error);
    }

    [Fact]
    public void Parse_OkxCustomWithoutPublicWsUrl_NamesTheMissingUrl()
    {
        var root = Valid();
        root.Remove("streamUrl");
        root.Remove("wsApiUrl");
        root["venue"] = "okx-custom";
        root["privateWsUrl"] = "ws://127.0.0.1:1/ws/v5/private";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("$.publicWsUrl: required for venue 'okx-custom'"));
    }

    [Fact]
    public void Parse_OkxUrlsWithBinanceVenue_Refused()
    {
        var root = Valid();
        root["publicWsUrl"] = "ws://127.0.0.1:1/ws/v5/public";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("explicit OKX URLs are only for venue 'okx-custom'"));
    }

    /// <summary>OKX demo trading with BTC-USDT as instrument 0 (nothing connects until a gateway or feed starts).</summary>
    private static OkxVenue DemoVenue(HttpClient http) =>
        new("okx-demo", OkxEndpoints.Demo, OkxOrderGatewayOptions.Demo, new OkxCredentials("key-0123", "secret", "passphrase"),
            [new OkxOrderInstrument(0, "BTC-USDT", 1000, 2, 6, "BTC", "USDT")], http, TimeProvider.System);

    [Fact]
    public async Task OkxVenue_CreateOrderEntry_BuildsTheOkxGatewayWithTheEngineLatency()
    {
        using var http = new HttpClient();
        OkxVenue venue = DemoVenue(http);
        var latency = new Fathom.Engine.EngineLatency();
        await using var entry = venue.CreateOrderEntry(new NullSink(), new ClientOrderIdFormat("fth"), latency);
        var gateway = Assert.IsType<OkxOrderGateway>(entry);
        Assert.Same(latency.TickToWireQueued, gateway.TickToWireQueued);
        Assert.Same(latency.TickToAck, gateway.TickToAck);
        Assert.Same(latency.CommandToAck, gateway.CommandToAck);
        Assert.False(gateway.IsReady); // not connected until StartAsync
        Assert.Null(venue.OrderEntryFault);
    }

    [Fact]
    public async Task OkxVenue_OrderEntryConnects_CountInTheFeedsPerIpWindow()
    {
        using var http = new HttpClient();
        OkxVenue venue = DemoVenue(http);
        var spec = new InstrumentSpec
        {
            Symbol = "BTC-USDT", Venue = Venue.Okx, PriceDecimals = 8, QtyDecimals = 8,
            TickSize = new Price(1_000_000), StepSize = new Qty(1_000), Status = InstrumentStatus.Trading,
        };
        var feed = Assert.IsType<OkxMarketDataFeed>(venue.CreateMarketData([spec], new Lock(), null));
        await using var entry = venue.CreateOrderEntry(new NullSink(), new ClientOrderIdFormat("fth"), null);
        var gateway = Assert.IsType<OkxOrderGateway>(entry);
        // OKX limits connection attempts per IP (3/s), market data's and order entry's together: one window.
        Assert.Same(feed.Gate, gateway.ConnectGate);
        await feed.DisposeAsync();
    }

    private sealed class NullSink : IReportSink
    {
        public void OnAck(in AckReport report) { }
        public void OnReject(in RejectReport report) { }
        public void OnFill(in FillReport report) { }
        public void OnCanceled(in CanceledReport report) { }
        public void OnAmended(in AmendedReport report) { }
        public void OnExpired(in ExpiredReport report) { }
        public void OnStatusUnknown(in StatusUnknownReport report) { }
        public void OnOrderStatus(in OrderStatusReport report) { }
        public void OnVenueHealth(in VenueHealthReport report) { }
    }
}
