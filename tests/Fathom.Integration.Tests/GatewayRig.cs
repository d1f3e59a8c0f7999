using Fathom.Gateway.Abstractions;
using Fathom.Simulator;
using Fathom.Venues.Binance;
using Xunit;
using OrderType = Fathom.Gateway.Abstractions.OrderType;

namespace Fathom.Integration.Tests;

/// <summary>Every report a gateway delivered, in order, with bounded waits.</summary>
internal sealed class RecordingSink : IReportSink
{
    private readonly List<object> _reports = [];

    public List<object> Snapshot() { lock (_reports) return [.. _reports]; }
    public IEnumerable<T> All<T>() => Snapshot().OfType<T>();

    /// <summary>When set, a report it matches throws instead of being recorded: a sink (the core) that breaks.</summary>
    public Func<object, bool>? Breaks { get; set; }

    private void Add(object r)
    {
        if (Breaks is { } breaks && breaks(r))
            throw new InvalidOperationException($"the sink broke on {r.GetType().Name}");
        lock (_reports)
            _reports.Add(r);
    }
    public void OnAck(in AckReport report) => Add(report);
    public void OnReject(in RejectReport report) => Add(report);
    public void OnFill(in FillReport report) => Add(report);
    public void OnCanceled(in CanceledReport report) => Add(report);
    public void OnExpired(in ExpiredReport report) => Add(report);
    public void OnAmended(in AmendedReport report) => Add(report);
    public void OnStatusUnknown(in StatusUnknownReport report) => Add(report);
    public void OnOrderStatus(in OrderStatusReport report) => Add(report);
    public void OnVenueHealth(in VenueHealthReport report) => Add(report);

    /// <summary>Position of the first report after <paramref name="from"/> that matches, or -1: for assertions on order.</summary>
    public int IndexOf<T>(Func<T, bool> match, int from = 0)
    {
        var all = Snapshot();
        for (int i = Math.Max(0, from); i < all.Count; i++)
            if (all[i] is T t && match(t))
                return i;
        return -1;
    }

    public int Count { get { lock (_reports) return _reports.Count; } }

    /// <summary>Waits for a matching report after position <paramref name="from"/>; returns its position.</summary>
    public async Task<int> WaitForIndexAsync<T>(Func<T, bool> match, int from, string what, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            int i = IndexOf(match, from);
            if (i >= 0)
                return i;
            await Task.Delay(10);
        }
        Assert.Fail($"timed out waiting for {what}; reports: {string.Join(" | ", Snapshot())}");
        return -1;
    }

    public async Task<T> WaitForAsync<T>(Func<T, bool> match, string what, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var r in All<T>())
                if (match(r))
                    return r;
            await Task.Delay(10);
        }
        Assert.Fail($"timed out waiting for {what}; reports: {string.Join(" | ", Snapshot())}");
        return default!;
    }
}

/// <summary>A demo simulator on loopback (real time) and a <see cref="BinanceOrderGateway"/> connected to it.</summary>
internal sealed class GatewayRig : IAsyncDisposable
{
    public const int Btc = 0;
    public const long Px = 100_000_000; // 1.0 at 8 decimals
    public static readonly ClientOrderIdFormat Ids = new("fx");

    public required ExchangeSimulator Sim;
    public required SimulatorServer Server;
    public required BinanceOrderGateway Gateway;
    public required RecordingSink Sink;
    public required HttpClient Http;
    /// <summary>Between the gateway's WS API connection and the simulator, when asked for (REST goes direct).</summary>
    public Fathom.Testing.StallingTcpProxy? Proxy;
    public required BinanceOrderGatewayOptions Options;
    private long _seq;

    public ClientOrderId NextId() => new(1, 1, Interlocked.Increment(ref _seq));

    public static BinanceCredentials HmacCredentials(SimulatorConfig config)
    {
        var k = config.Accounts[0].Keys.First(k => k.Secret is not null);
        return new BinanceCredentials(k.ApiKey, k.Secret);
    }

    public static BinanceCredentials Ed25519Credentials(SimulatorConfig config)
    {
        var k = config.Accounts[0].Keys.First(k => k.Ed25519PrivateKey is not null);
        return new BinanceCredentials(k.ApiKey, ed25519PrivateKey: Convert.FromBase64String(k.Ed25519PrivateKey!));
    }

    /// <param name="proxyWsApi">Route the WS API (only) through a <see cref="Fathom.Testing.StallingTcpProxy"/> (<see cref="Proxy"/>).</param>
    /// <param name="time">The gateway's clock (the simulator keeps real time); default the system clock.</param>
    public static async Task<GatewayRig> StartAsync(bool ed25519 = false, Func<BinanceOrderGatewayOptions, BinanceOrderGatewayOptions>? options = null,
        bool proxyWsApi = false, TimeProvider? time = null)
    {
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 10;
        var sim = ExchangeSimulator.Create(config, TimeProvider.System);
        var server = await SimulatorServer.StartAsync(sim.Api, System.Net.IPAddress.Loopback, 0);
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var sink = new RecordingSink();
        var baseOptions = BinanceOrderGatewayOptions.Local(server.BaseAddress);
        var proxy = proxyWsApi ? new Fathom.Testing.StallingTcpProxy(server.BaseAddress) : null;
        var o = new BinanceOrderGatewayOptions
        {
            RestBase = baseOptions.RestBase,
            WsApiUrl = proxy?.Through(baseOptions.WsApiUrl) ?? baseOptions.WsApiUrl,
            RequestTimeout = TimeSpan.FromMilliseconds(600),
            ReconnectDelay = TimeSpan.FromMilliseconds(50),
            ControlTimeout = TimeSpan.FromSeconds(5),
        };
        o = options?.Invoke(o) ?? o;
        var gateway = new BinanceOrderGateway(
            [new BinanceOrderInstrument(Btc, "BTCUSDT", "BTC", "USDT"), new BinanceOrderInstrument(1, "ETHUSDT", "ETH", "USDT")],
            ed25519 ? Ed25519Credentials(config) : HmacCredentials(config), Ids, sink, o, http, time ?? TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await gateway.StartAsync(cts.Token);
        return new GatewayRig { Sim = sim, Server = server, Gateway = gateway, Sink = sink, Http = http, Proxy = proxy, Options = o };
    }

    public OrderCommand Place(ClientOrderId id, Core.OrderSide side, long price, long qty, OrderType type = OrderType.Limit) =>
        OrderCommand.From(new PlaceOrderCommand(Btc, id, side, type, new Core.Price(price), new Core.Qty(qty)), 0);

    /// <summary>The simulator's own view: how many orders it holds with this client id (any status).</summary>
    public int VenueOrdersWithClientId(ClientOrderId id)
    {
        string text = Ids.Format(id);
        int n = 0;
        Sim.Api.Run(e =>
        {
            foreach (var a in e.Accounts)
                foreach (var book in e.Books)
                    n += book.OpenOrdersOf(a).Count(o => o.ClientOrderId == text);
        });
        return n;
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        Proxy?.Dispose();
        await Server.DisposeAsync();
        Sim.Dispose();
        Http.Dispose();
    }
}
