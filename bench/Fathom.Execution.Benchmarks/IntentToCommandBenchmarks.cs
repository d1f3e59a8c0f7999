using BenchmarkDotNet.Attributes;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;

namespace Fathom.Execution.Benchmarks;

/// <summary>
/// Intent → risk-checked command through <see cref="ExecutionEngine.Submit"/>, in a steady state: every
/// command is answered at once with the reports a venue would send (acks, cancels, expiries, fills), so
/// the next intent is actionable again and nothing piles up. Each operation is
/// <see cref="IntentsPerOp"/> intents, so the figures are <b>ns per intent, including the reports it
/// needs</b>. The composition's drain (walking <see cref="ExecutionEngine.Commands"/> and clearing it) is
/// measured too. Virtual time advances 1 ms per intent. <see cref="Setup"/> first runs every scenario for
/// several thousand intents and throws unless each intent produced exactly the expected commands with
/// no refusal, deferral by cap, illegal transition or full table.
/// </summary>
[Config(typeof(ExecutionBenchmarkConfig))]
[MemoryDiagnoser]
public class IntentToCommandBenchmarks
{
    public const int IntentsPerOp = 1_000;
    private const long Mid = 6_000_000;   // 60 000.00 (price 2 dp)
    private const long OneBtc = 1_000;    // 1.000 (qty 3 dp)
    private const long StepNs = 1_000_000;

    private static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT", PriceDecimals = 2, QtyDecimals = 3, TickSize = new Price(1), StepSize = new Qty(1), MinQty = new Qty(1),
    }.Validate();

    private ExecutionEngine _reprice = null!;
    private ExecutionEngine _kept = null!;
    private ExecutionEngine _takeExpired = null!;
    private ExecutionEngine _takeFilled = null!;
    private long _now = 1_000_000_000;
    private long _repriceFlip;
    private long _takeFlip;
    private long _tradeId;

    /// <summary>
    /// The test harness's limits with the rate limits raised (2 000 new orders per second of virtual time
    /// are sent here, and the venue budget counts over 10 s): every other rule is checked as configured.
    /// </summary>
    private static RiskLimits Limits() => new()
    {
        Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(5 * OneBtc), MaxOrderQty = new Qty(2 * OneBtc), MaxOrderNotional = 200_000L * 100_000_000 }],
        MaxTotalNotional = 1_000_000L * 100_000_000,
        MarkoutLossLimit = 100L * 100_000_000,
        MaxDailyLoss = 1_000L * 100_000_000,
        MaxNewOrdersPerSecond = 100_000,
        OrderBudget = 10_000_000,
        CancelHeadroom = 10,
        MaxInFlightAgeNs = 2_000_000_000,
    };

    private ExecutionEngine NewEngine()
    {
        var risk = new RiskManager(Limits(), [Btc]);
        var engine = new ExecutionEngine([Btc], new ExecutionOptions(), risk,
            new ClientOrderIdGenerator(7, 3, new InMemorySequenceReservation()));
        engine.OnMarket(0, new Price(Mid - 50), new Price(Mid + 50), bookLive: true, _now);
        return engine;
    }

    [GlobalSetup]
    public void Setup()
    {
        _reprice = NewEngine();
        _kept = NewEngine();
        _takeExpired = NewEngine();
        _takeFilled = NewEngine();

        // Rest two quotes (two places, acked) on the quoting engines.
        Expect(QuoteStep(_reprice, 0), 2, CommandKind.Place, _reprice);
        Expect(QuoteStep(_kept, 0), 2, CommandKind.Place, _kept);

        // Several thousand intents each, past the order table's ring (4 096 slots) and an id block.
        for (int i = 0; i < 5_000; i++)
        {
            Expect(RepriceStep(), 2, CommandKind.CancelReplace, _reprice);
            Expect(KeptStep(), 0, CommandKind.None, _kept);
            Expect(TakeExpiredStep(), 1, CommandKind.Place, _takeExpired);
            Expect(TakeFilledStep(), 1, CommandKind.Place, _takeFilled);
        }
        Check(_reprice, nameof(_reprice));
        Check(_kept, nameof(_kept));
        Check(_takeExpired, nameof(_takeExpired));
        Check(_takeFilled, nameof(_takeFilled));
        if (_reprice.Counters.CancelReplaces != 10_000 || _kept.Counters.QuotesKept < 10_000 || _kept.Counters.CancelReplaces != 0 ||
            _takeExpired.Counters.Places != 5_000 || _takeFilled.Counters.Places != 5_000 || _takeFilled.Counters.Fills < 5_000 || _takeFilled.Position(0).Position.Raw is < 0 or > 10)
            throw new InvalidOperationException("The scenarios did not exercise the paths they claim to.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (name, e) in new[] { ("reprice", _reprice), ("kept", _kept), ("take/expired", _takeExpired), ("take/filled", _takeFilled) })
        {
            var c = e.Counters;
            Console.WriteLine($"// {name}: intents {c.Intents}, places {c.Places}, cancel-replaces {c.CancelReplaces}, kept {c.QuotesKept}, " +
                $"fills {c.Fills}, risk checks {e.Risk.Counters.Checks}, risk refusals {c.RiskRefusals}, deferred by cap {c.DeferredByCap}, " +
                $"illegal {c.IllegalTransitions}, table full {c.TableFull}");
        }
    }

    /// <summary>
    /// Both quote prices move 5 ticks (tolerance 1): two risk checks, two <c>CancelReplace</c> commands,
    /// then per side the old leg's Canceled and the new leg's Ack (four reports, each re-applying the target).
    /// </summary>
    [Benchmark(Description = "quote moved → 2 cancel-replace (+4 reports)", OperationsPerInvoke = IntentsPerOp)]
    public long QuoteMoved()
    {
        long n = 0;
        for (int i = 0; i < IntentsPerOp; i++)
            n += RepriceStep();
        return n;
    }

    /// <summary>Same quote again: both resting orders kept, no command, no report.</summary>
    [Benchmark(Description = "quote unchanged → kept, no command", OperationsPerInvoke = IntentsPerOp)]
    public long QuoteUnchanged()
    {
        long n = 0;
        for (int i = 0; i < IntentsPerOp; i++)
            n += KeptStep();
        return n;
    }

    /// <summary>Take 0.010 BTC, buy and sell alternately: one risk check, one IOC place, then Ack and Expired (no fill).</summary>
    [Benchmark(Description = "take → IOC place (+ack, expired)", OperationsPerInvoke = IntentsPerOp)]
    public long TakeExpired()
    {
        long n = 0;
        for (int i = 0; i < IntentsPerOp; i++)
            n += TakeExpiredStep();
        return n;
    }

    /// <summary>As above, but the IOC fills in full at mid: Ack, then a fill (position, PnL, markout, risk evaluation).</summary>
    [Benchmark(Description = "take → IOC place (+ack, fill)", OperationsPerInvoke = IntentsPerOp)]
    public long TakeFilled()
    {
        long n = 0;
        for (int i = 0; i < IntentsPerOp; i++)
            n += TakeFilledStep();
        return n;
    }

    // ---------------------------------------------------------------- one intent each

    private int RepriceStep() => QuoteStep(_reprice, (++_repriceFlip & 1) * 5);

    private int KeptStep() => QuoteStep(_kept, 0);

    private int QuoteStep(ExecutionEngine engine, long offTicks)
    {
        long now = _now += StepNs;
        engine.Submit(Intent.Quote(0, new Price(Mid - 100 - offTicks), new Qty(OneBtc), new Price(Mid + 100 + offTicks), new Qty(OneBtc)), now);
        var cmds = engine.Commands.Commands;
        for (int k = 0; k < cmds.Length; k++)
        {
            ref readonly var c = ref cmds[k];
            switch (c.Kind)
            {
                case CommandKind.Place:
                    engine.OnAck(new AckReport(0, c.ClientOrderId, 1 + c.ClientOrderId.Sequence, now), now);
                    break;
                case CommandKind.CancelReplace:
                    engine.OnCanceled(new CanceledReport(0, c.OrigClientOrderId, now), now);
                    engine.OnAck(new AckReport(0, c.NewClientOrderId, 1 + c.NewClientOrderId.Sequence, now), now);
                    break;
            }
        }
        int count = engine.Commands.Count;
        engine.Commands.Clear();
        return count;
    }

    private int TakeExpiredStep()
    {
        var engine = _takeExpired;
        long now = _now += StepNs;
        var side = (++_takeFlip & 1) == 0 ? OrderSide.Buy : OrderSide.Sell;
        engine.Submit(Intent.Take(0, side, new Qty(10), new Price(side == OrderSide.Buy ? Mid + 50 : Mid - 50)), now);
        var cmds = engine.Commands.Commands;
        for (int k = 0; k < cmds.Length; k++)
        {
            ref readonly var c = ref cmds[k];
            engine.OnAck(new AckReport(0, c.ClientOrderId, 1 + c.ClientOrderId.Sequence, now), now);
            engine.OnExpired(new ExpiredReport(0, c.ClientOrderId, now), now);
        }
        int count = engine.Commands.Count;
        engine.Commands.Clear();
        return count;
    }

    private int TakeFilledStep()
    {
        var engine = _takeFilled;
        long now = _now += StepNs;
        // Buy then sell the same 0.010 BTC at mid: flat every second intent, no PnL, no fee, so no rule trips.
        var side = engine.Position(0).Position.Raw == 0 ? OrderSide.Buy : OrderSide.Sell;
        engine.Submit(Intent.Take(0, side, new Qty(10), new Price(side == OrderSide.Buy ? Mid + 50 : Mid - 50)), now);
        var cmds = engine.Commands.Commands;
        for (int k = 0; k < cmds.Length; k++)
        {
            ref readonly var c = ref cmds[k];
            long venueId = 1 + c.ClientOrderId.Sequence;
            engine.OnAck(new AckReport(0, c.ClientOrderId, venueId, now), now);
            engine.OnFill(new FillReport(0, c.ClientOrderId, venueId, ++_tradeId, c.Side, new Price(Mid), c.Qty, c.Qty, 0, Qty.Zero, false, now), now);
        }
        int count = engine.Commands.Count;
        engine.Commands.Clear();
        return count;
    }

    // ---------------------------------------------------------------- validation (setup only)

    private static void Expect(int count, int expected, CommandKind kind, ExecutionEngine engine)
    {
        if (count != expected)
            throw new InvalidOperationException($"Expected {expected} × {kind} per intent, got {count} commands " +
                $"(risk refusals {engine.Counters.RiskRefusals}, last decision {engine.LastRiskDecision}).");
    }

    private static void Check(ExecutionEngine e, string name)
    {
        var c = e.Counters;
        if (c.RiskRefusals != 0 || c.DeferredByCap != 0 || c.IllegalTransitions != 0 || c.TableFull != 0 || c.FilterRefusals != 0 || e.Risk.State != RiskState.Active)
            throw new InvalidOperationException($"{name}: refusals {c.RiskRefusals}, deferred by cap {c.DeferredByCap}, illegal {c.IllegalTransitions}, " +
                $"table full {c.TableFull}, filter {c.FilterRefusals}, risk {e.Risk.State}.");
        if (e.LiveOrderCount(0) > 2 || e.InFlight(0) != 0)
            throw new InvalidOperationException($"{name}: {e.LiveOrderCount(0)} live, {e.InFlight(0)} in flight after the feedback.");
    }
}
