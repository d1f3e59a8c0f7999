using BenchmarkDotNet.Attributes;
using Fathom.Core;

namespace Fathom.Simulator.Benchmarks;

/// <summary>
/// Matching throughput through <see cref="MatchingEngine"/> directly (no API, no HTTP): a book seeded
/// with 50 levels per side (4 house orders of 1.000 each per level), then a deterministic stream of
/// <see cref="Commands"/> commands from three trader accounts: 55% passive GTC limits 1 to 20 ticks
/// behind the touch, 25% crossing limits (half GTC, half IOC) up to 2 ticks through the opposite touch,
/// 20% cancels of one of the stream's own resting orders. Prices are taken relative to the live touch,
/// so the mix stays the same as the book moves. Every iteration starts from a freshly built and seeded
/// engine (<c>[IterationSetup]</c>, not measured): the engine keeps every order ever accepted (GET order
/// needs them), so reusing one engine would let its state grow from iteration to iteration.
/// </summary>
[Config(typeof(MatchingBenchmarkConfig))]
public class MatchingThroughputBenchmarks
{
    public const int Commands = 50_000;
    private const int SeedLevels = 50, OrdersPerLevel = 4;
    private const long Mid = 100_000; // 1000.00 at 2 decimals
    private const long U = Assets.One;

    private enum Kind : byte { Passive, Cross, Cancel }

    private readonly record struct Command(Kind Kind, int Trader, OrderSide Side, long Ticks, long Qty, TimeInForce Tif, int Pick);

    private Command[] _stream = [];
    private MatchingEngine _engine = null!;
    private SymbolBook _book = null!;
    private SimAccount[] _traders = [];
    private SimOrder?[] _resting = [];
    private int _restingCount;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _stream = BuildStream(seed: 42);
        _resting = new SimOrder?[Commands];
        // One unmeasured pass: check the stream does what it says and leaves a valid engine.
        IterationSetup();
        var stats = Run();
        _engine.AssertInvariants();
        if (stats.Rejected != 0)
            throw new InvalidOperationException($"{stats.Rejected} orders were rejected: the stream is wrong");
        Console.WriteLine($"// stream: {Commands} commands: {stats.Passive} passive, {stats.Cross} crossing, {stats.Cancels} cancels " +
            $"({stats.CancelMisses} of an already filled order); {stats.Fills} fills; at the end {_book.BidLevels} bid / {_book.AskLevels} ask levels, " +
            $"{_restingCount} stream orders resting");
    }

    [IterationSetup]
    public void IterationSetup()
    {
        var symbol = new SimSymbol
        {
            Spec = new InstrumentSpec
            {
                Symbol = "BENCH",
                Venue = Venue.BinanceSpot,
                PriceDecimals = 2,
                QtyDecimals = 3,
                TickSize = new Price(1),
                StepSize = new Qty(1),
                MinQty = new Qty(1),
                MaxQty = new Qty(1_000_000_000),
                MinPrice = new Price(1),
                MaxPrice = new Price(100_000_000),
            },
            BaseAsset = "BASE",
            QuoteAsset = "QUOTE",
            MaxNumOrders = 1_000_000,
        };
        _engine = new MatchingEngine([symbol], new MonotonicClock(TimeProvider.System), seed: 7);
        _book = _engine.Book("BENCH");
        var house = Fund(_engine.CreateAccount("house"));
        _traders = [Fund(_engine.CreateAccount("t1")), Fund(_engine.CreateAccount("t2")), Fund(_engine.CreateAccount("t3"))];
        for (int level = 1; level <= SeedLevels; level++)
        {
            for (int i = 0; i < OrdersPerLevel; i++)
            {
                Place(house, OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc, Mid - level, 1000);
                Place(house, OrderSide.Sell, OrderType.Limit, TimeInForce.Gtc, Mid + level, 1000);
            }
        }
        Array.Clear(_resting);
        _restingCount = 0;
    }

    private SimAccount Fund(SimAccount account)
    {
        _engine.Deposit(account, "BASE", 1_000_000 * U);
        _engine.Deposit(account, "QUOTE", 1_000_000_000 * U);
        return account;
    }

    private OrderOutcome Place(SimAccount who, OrderSide side, OrderType type, TimeInForce tif, long price, long qty) =>
        _engine.Place(who, new NewOrder(_book, side, type, tif, price, qty));

    [Benchmark(OperationsPerInvoke = Commands, Description = "mixed limit/cross/cancel, per command")]
    public long MixedStream() => Run().Fills;

    private Stats Run()
    {
        var stats = default(Stats);
        var stream = _stream;
        for (int i = 0; i < stream.Length; i++)
        {
            ref readonly var c = ref stream[i];
            if (c.Kind == Kind.Cancel)
            {
                stats.Cancels++;
                if (_restingCount == 0)
                    continue;
                int k = c.Pick % _restingCount;
                var order = _resting[k]!;
                _resting[k] = _resting[--_restingCount];
                _resting[_restingCount] = null;
                if (!_engine.Cancel(order.Account, _book, order.OrderId, null).Ok)
                    stats.CancelMisses++;
                continue;
            }
            var trader = _traders[c.Trader];
            bool buy = c.Side == OrderSide.Buy;
            bool hasBid = _book.TryBest(OrderSide.Buy, out long bid, out _);
            bool hasAsk = _book.TryBest(OrderSide.Sell, out long ask, out _);
            if (!hasBid)
                bid = hasAsk ? ask - 1 : Mid - 1;
            if (!hasAsk)
                ask = bid + 1;
            long price = c.Kind == Kind.Passive
                ? (buy ? bid - c.Ticks : ask + c.Ticks)
                : (buy ? ask + c.Ticks : bid - c.Ticks);
            var outcome = Place(trader, c.Side, OrderType.Limit, c.Tif, price, c.Qty);
            if (!outcome.Ok)
            {
                stats.Rejected++;
                continue;
            }
            stats.Fills += outcome.Fills.Count;
            if (c.Kind == Kind.Passive) stats.Passive++; else stats.Cross++;
            if (outcome.Order!.IsOpen)
                _resting[_restingCount++] = outcome.Order;
        }
        return stats;
    }

    private struct Stats
    {
        public long Passive, Cross, Cancels, CancelMisses, Rejected, Fills;
    }

    private static Command[] BuildStream(ulong seed)
    {
        ulong state = seed;
        ulong Next()
        {
            // SplitMix64: the same stream on every platform and runtime.
            ulong z = state += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }
        var stream = new Command[Commands];
        for (int i = 0; i < stream.Length; i++)
        {
            int roll = (int)(Next() % 100);
            int trader = (int)(Next() % 3);
            var side = Next() % 2 == 0 ? OrderSide.Buy : OrderSide.Sell;
            stream[i] = roll switch
            {
                < 55 => new Command(Kind.Passive, trader, side, 1 + (long)(Next() % 20), 100 + 100 * (long)(Next() % 19), TimeInForce.Gtc, 0),
                < 80 => new Command(Kind.Cross, trader, side, (long)(Next() % 3), 200 + 100 * (long)(Next() % 19),
                    Next() % 2 == 0 ? TimeInForce.Gtc : TimeInForce.Ioc, 0),
                _ => new Command(Kind.Cancel, 0, side, 0, 0, TimeInForce.Gtc, (int)(Next() % int.MaxValue)),
            };
        }
        return stream;
    }
}
