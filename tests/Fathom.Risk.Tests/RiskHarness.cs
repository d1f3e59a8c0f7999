using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Risk.Tests;

/// <summary>A risk manager on virtual time over one BTCUSDT-like instrument (price 2 dp, qty 3 dp, money 8 dp).</summary>
internal sealed class RiskHarness
{
    public const long Mid = 6_000_000;   // 60 000.00
    public const long OneBtc = 1_000;
    public const long Usdt = 100_000_000; // one quote unit at 8 dp

    public static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT", PriceDecimals = 2, QtyDecimals = 3, TickSize = new Price(1), StepSize = new Qty(1),
    }.Validate();

    public static RiskLimits Limits => new()
    {
        Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(5 * OneBtc), MaxOrderQty = new Qty(2 * OneBtc), MaxOrderNotional = 100_000 * Usdt }],
        MaxTotalNotional = 240_000 * Usdt,
        MarkoutLossLimit = 100 * Usdt,
        MaxDailyLoss = 1_000 * Usdt,
        MaxNewOrdersPerSecond = 5,
        OrderBudget = 20,
        CancelHeadroom = 5,
        ReleaseCooldownNs = 10_000_000_000,
    };

    public readonly ManualTimeProvider Time = new();
    public readonly MonotonicClock Clock;
    public readonly RiskManager Risk;
    public readonly List<RiskTransition> Log = [];
    private long _seq;

    public RiskHarness(RiskLimits? limits = null)
    {
        Clock = new MonotonicClock(Time);
        Risk = new RiskManager(limits ?? Limits, [Btc], Log.Add);
        Market();
    }

    public long Now => Clock.NowNanos();
    public void Advance(long ms) => Time.Advance(TimeSpan.FromMilliseconds(ms));
    public void Market(long bid = Mid - 50, long ask = Mid + 50, bool live = true) =>
        Risk.OnMarket(0, new Price(bid), new Price(ask), live, Now);

    public RiskDecision Check(OrderSide side, long price, long qty, long open = 0, long ownOpposite = 0) =>
        Risk.CheckNewOrder(new OrderCheck(0, side, new Price(price), new Qty(qty), new Qty(open), new Price(ownOpposite)), Now);

    public RiskDecision Buy(long qty = 100) => Check(OrderSide.Buy, Mid - 100, qty);

    public long Send(CommandKind kind = CommandKind.Place)
    {
        long seq = ++_seq;
        Risk.OnCommandSent(seq, kind, Now);
        return seq;
    }

    public void Position(long qty, long avgEntry, long realized = 0) =>
        Risk.OnPosition(0, new Qty(qty), new Price(avgEntry), realized, Now);
}
