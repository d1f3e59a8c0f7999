using BenchmarkDotNet.Attributes;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Simulator;
using Fathom.Venues.Binance;
using OrderSide = Fathom.Core.OrderSide;
using OrderType = Fathom.Gateway.Abstractions.OrderType;

namespace Fathom.Gateway.Benchmarks;

/// <summary>
/// Loopback round trip to ack: <see cref="BinanceOrderGateway.Send"/> of a place (IOC buy far below the
/// book, so nothing rests or trades and the book stays as seeded) through a started gateway (HMAC key,
/// WS API) to an in-process <see cref="SimulatorServer"/> on 127.0.0.1, until the <see cref="AckReport"/>
/// for that order reaches the sink (the first of the two: the WS API answer, normally). The caller
/// spins (no sleep) on a flag the sink sets. Venue rate limits are raised so thousands of orders fit.
/// </summary>
[Config(typeof(RoundTripBenchmarkConfig))]
public class RoundTripBenchmarks
{
    private ExchangeSimulator _sim = null!;
    private SimulatorServer _server = null!;
    private HttpClient _http = null!;
    private BinanceOrderGateway _gateway = null!;
    private readonly AckSink _sink = new();
    private long _seq;

    [GlobalSetup]
    public void Setup()
    {
        var config = SimulatorConfig.Demo();
        config.SeedLevels = 10;
        config.RateLimits = new RateLimitSettings { OrdersPer10Seconds = 1_000_000, OrdersPerDay = 100_000_000, RequestWeightPerMinute = 10_000_000 };
        _sim = ExchangeSimulator.Create(config, TimeProvider.System);
        _server = SimulatorServer.StartAsync(_sim.Api, System.Net.IPAddress.Loopback, 0).GetAwaiter().GetResult();
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var key = config.Accounts[0].Keys.First(k => k.Secret is not null);
        _gateway = new BinanceOrderGateway([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")],
            new BinanceCredentials(key.ApiKey, key.Secret), new ClientOrderIdFormat("fx"), _sink,
            BinanceOrderGatewayOptions.Local(_server.BaseAddress), _http, TimeProvider.System);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        _gateway.StartAsync(cts.Token).GetAwaiter().GetResult();
        if (!_gateway.IsReady)
            throw new InvalidOperationException("gateway not ready");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gateway.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sim.Dispose();
        _http.Dispose();
        if (_sink.Failures > 0)
            throw new InvalidOperationException($"{_sink.Failures} round trips ended without an ack");
    }

    [Benchmark(Description = "place → AckReport (loopback WS API, HMAC)")]
    public void PlaceToAck()
    {
        long seq = ++_seq;
        var id = new ClientOrderId(1, 1, seq);
        _sink.Expect(id);
        _gateway.Send(OrderCommand.From(new PlaceOrderCommand(0, id, OrderSide.Buy, OrderType.LimitIoc,
            new Price(5_000_000_000_000), new Qty(100_000)), 0));
        _sink.Wait();
    }

    private sealed class AckSink : IReportSink
    {
        private ClientOrderId _expected;
        private volatile bool _done;
        public int Failures;

        public void Expect(ClientOrderId id)
        {
            _expected = id;
            _done = false;
        }

        public void Wait()
        {
            var spin = new SpinWait();
            long deadline = Environment.TickCount64 + 5_000;
            while (!_done)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                if (Environment.TickCount64 > deadline)
                {
                    Failures++;
                    return;
                }
            }
        }

        public void OnAck(in AckReport report)
        {
            if (report.ClientOrderId == _expected)
                _done = true;
        }

        public void OnReject(in RejectReport report)
        {
            if (report.ClientOrderId == _expected)
            {
                Failures++;
                _done = true;
            }
        }

        public void OnFill(in FillReport report) { }
        public void OnCanceled(in CanceledReport report) { }
        public void OnExpired(in ExpiredReport report) { }
        public void OnAmended(in AmendedReport report) { }
        public void OnOrderStatus(in OrderStatusReport report) { }
        public void OnVenueHealth(in VenueHealthReport report) { }

        public void OnStatusUnknown(in StatusUnknownReport report)
        {
            if (report.ClientOrderId == _expected)
            {
                Failures++;
                _done = true;
            }
        }
    }
}
