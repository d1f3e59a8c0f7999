using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Strategy.Abstractions;

namespace Fathom.Execution.Tests;

/// <summary>An engine on virtual time over one BTCUSDT-like instrument (price 2 dp, qty 3 dp), with helpers that play the venue.</summary>
internal sealed class Harness
{
    public const long Mid = 6_000_000;     // 60 000.00
    public const long OneBtc = 1_000;      // 1.000

    public static readonly InstrumentSpec Btc = new InstrumentSpec
    {
        Symbol = "BTCUSDT", PriceDecimals = 2, QtyDecimals = 3, TickSize = new Price(1), StepSize = new Qty(1), MinQty = new Qty(1),
    }.Validate();

    public static RiskLimits Limits(long maxPositionBtc = 5) => new()
    {
        Instruments = [new InstrumentRiskLimits { MaxPosition = new Qty(maxPositionBtc * OneBtc), MaxOrderQty = new Qty(2 * OneBtc), MaxOrderNotional = 200_000L * 100_000_000 }],
        MaxTotalNotional = 1_000_000L * 100_000_000,
        MarkoutLossLimit = 100L * 100_000_000,
        MaxDailyLoss = 1_000L * 100_000_000,
        MaxNewOrdersPerSecond = 1_000,
        OrderBudget = 100_000,
        CancelHeadroom = 10,
        MaxInFlightAgeNs = 2_000_000_000,
    };

    public readonly ManualTimeProvider Time = new();
    public readonly MonotonicClock Clock;
    public readonly RiskManager Risk;
    public readonly ExecutionEngine Engine;
    public readonly List<OrderTransition> Transitions = [];
    public readonly InMemorySequenceReservation Reservation = new();
    /// <summary>The engine's id generator (node 7, epoch 3): tests add lease scope nodes to it.</summary>
    public readonly ClientOrderIdGenerator Ids;
    private long _tradeId = 1000;
    private long _venueId = 500;

    public Harness(ExecutionOptions? options = null, RiskLimits? limits = null, bool observe = true)
    {
        Clock = new MonotonicClock(Time);
        Risk = new RiskManager(limits ?? Limits(), [Btc]);
        Ids = new ClientOrderIdGenerator(7, 3, Reservation, 64);
        Engine = new ExecutionEngine([Btc], options ?? new ExecutionOptions(), Risk, Ids, observe ? Transitions.Add : null);
        Market();
    }

    public long Now => Clock.NowNanos();
    public void Advance(long ms) => Time.Advance(TimeSpan.FromMilliseconds(ms));

    public void Market(long bid = Mid - 50, long ask = Mid + 50, bool live = true) =>
        Engine.OnMarket(0, new Price(bid), new Price(ask), live, Now);

    public OrderCommand[] Drain()
    {
        var cmds = Engine.Commands.Commands.ToArray();
        Engine.Commands.Clear();
        return cmds;
    }

    public OrderCommand Single(CommandKind kind)
    {
        var cmds = Drain();
        Xunit.Assert.True(cmds.Length == 1 && cmds[0].Kind == kind,
            $"expected one {kind}, got [{string.Join(", ", cmds.Select(c => c.Kind))}]");
        return cmds[0];
    }

    public void Quote(long bid, long bidQty, long ask, long askQty) =>
        Engine.Submit(Intent.Quote(0, new Price(bid), new Qty(bidQty), new Price(ask), new Qty(askQty)), Now);

    /// <summary>The order a command created or acts on (place: its own id; cancel/amend/replace: the original).</summary>
    public static ClientOrderId OrderOf(in OrderCommand c) => c.Kind == CommandKind.Place ? c.ClientOrderId : c.OrigClientOrderId;

    public long VenueId(ClientOrderId id) => 500 + id.Sequence;

    public void Ack(ClientOrderId id) => Engine.OnAck(new AckReport(0, id, VenueId(id), Now), Now);
    public void Canceled(ClientOrderId id) => Engine.OnCanceled(new CanceledReport(0, id, Now), Now);
    public void Expired(ClientOrderId id) => Engine.OnExpired(new ExpiredReport(0, id, Now), Now);
    public void Reject(ClientOrderId id, CommandKind cmd, RejectReason reason = RejectReason.Other) =>
        Engine.OnReject(new RejectReport(0, id, cmd, reason, -2010, null, Now), Now);
    public void Unknown(ClientOrderId id, CommandKind cmd) =>
        Engine.OnStatusUnknown(new StatusUnknownReport(0, id, cmd, UnknownCause.Timeout, Now), Now);
    public void Status(ClientOrderId id, VenueOrderStatus status) =>
        Engine.OnOrderStatus(new OrderStatusReport(0, id, status, VenueId(id), Qty.Zero, Now), Now);

    public FillReport Fill(ClientOrderId id, OrderSide side, long price, long qty, long cum, long? tradeId = null, long fee = 0) =>
        new(0, id, VenueId(id), tradeId ?? ++_tradeId, side, new Price(price), new Qty(qty), new Qty(cum), fee, Qty.Zero, false, Now);

    public void Apply(in FillReport f) => Engine.OnFill(f, Now);

    public OrderState StateOf(ClientOrderId id) =>
        Engine.TryGetOrder(id.Sequence, out var v) ? v.State : throw new InvalidOperationException($"order {id} not found");

    public long NextTradeId() => ++_tradeId;
    public long NextVenueId() => ++_venueId;
}
