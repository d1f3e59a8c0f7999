using BenchmarkDotNet.Attributes;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Venues.Binance;

namespace Fathom.Gateway.Benchmarks;

/// <summary>
/// Command → bytes on the wire: <see cref="BinanceOrderEncoder.TryEncodeWs"/> for a place and a
/// cancel-replace as the gateway's send thread calls it with an HMAC key (params sorted, HMAC-SHA256
/// over them, hex signature, the whole <c>{"id","method","params"}</c> frame), and on a logged-on session
/// (no signature: the frame written directly, as the inline send does). No socket.
/// </summary>
[Config(typeof(EncodeBenchmarkConfig))]
public class EncodeBenchmarks
{
    // The public Binance documentation key pair (EXCHANGES.md §5.2), as the simulator's demo account uses.
    private const string ApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    private const string Secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    private readonly byte[] _frame = new byte[BinanceOrderEncoder.MaxFrameLength];
    private BinanceOrderEncoder _encoder = null!;
    private OrderCommand _place, _cancelReplace;
    private long _id;

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new BinanceOrderEncoder([new BinanceOrderInstrument(0, "BTCUSDT", "BTC", "USDT")], new ClientOrderIdFormat("fx"),
            new BinanceCredentials(ApiKey, Secret), recvWindowMs: 5000);
        _place = OrderCommand.From(new PlaceOrderCommand(0, new ClientOrderId(1, 1, 123_456), OrderSide.Buy, OrderType.Limit,
            new Price(6_012_345_000_000), new Qty(150_000)), 0);
        _cancelReplace = OrderCommand.From(new CancelReplaceCommand(0, new ClientOrderId(1, 1, 123_457), new ClientOrderId(1, 1, 123_456),
            28_457_112, new ClientOrderId(1, 1, 123_458), OrderSide.Buy, OrderType.Limit, new Price(6_012_346_000_000), new Qty(150_000)), 0);
        if (!_encoder.TryEncodeWs(_place, 1, 1_700_000_000_000, false, _frame, out _)
            || !_encoder.TryEncodeWs(_cancelReplace, 2, 1_700_000_000_000, false, _frame, out _))
            throw new InvalidOperationException("encoder refused the benchmark commands");
    }

    [GlobalCleanup]
    public void Cleanup() => _encoder.Dispose();

    [Benchmark(Baseline = true, Description = "place (WS API, HMAC)")]
    public int PlaceWsHmac() => Encode(_place, sessionLoggedOn: false);

    [Benchmark(Description = "cancel-replace (WS API, HMAC)")]
    public int CancelReplaceWsHmac() => Encode(_cancelReplace, sessionLoggedOn: false);

    [Benchmark(Description = "place (WS API, logged-on session)")]
    public int PlaceWsSession() => Encode(_place, sessionLoggedOn: true);

    [Benchmark(Description = "cancel-replace (WS API, logged-on session)")]
    public int CancelReplaceWsSession() => Encode(_cancelReplace, sessionLoggedOn: true);

    // A fresh request id and timestamp per call, as the gateway sends them.
    private int Encode(in OrderCommand command, bool sessionLoggedOn)
    {
        _encoder.TryEncodeWs(command, ++_id, 1_700_000_000_000 + _id, sessionLoggedOn, _frame, out int written);
        return written;
    }
}
