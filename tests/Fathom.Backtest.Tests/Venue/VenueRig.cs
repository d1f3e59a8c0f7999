using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>
/// A simulated venue on one instrument (BTCUSDT on a 0.01 tick, 0.00001 step, 8 decimals) with a recording sink,
/// and helpers that speak in decimal prices and quantities at a virtual clock starting at <see cref="T0"/>.
/// </summary>
public sealed class VenueRig
{
    /// <summary>2023-11-14 22:13:20 UTC: a multiple of 10 s, so rate-limit windows start here.</summary>
    public const long T0 = 1_700_000_000_000_000_000L;
    public const long Ms = 1_000_000L;

    private long _seq;

    public VenueRig(QueueModel? queue = null, long entryNs = 0, long responseNs = 0, FeeRates? fees = null,
        VenueLimits? limits = null, InstrumentSpec? spec = null, LatencyModel? entry = null, LatencyModel? response = null)
    {
        Spec = spec ?? Specs.Btc;
        Model = new VenueModel(entry ?? LatencyModel.Constant(entryNs), response ?? LatencyModel.Constant(responseNs),
            queue ?? new QueueModel(QueueKind.RiskAverse), [fees ?? new FeeRates(0, 0)], limits ?? new VenueLimits());
        Sink = new RecordingSink();
        Venue = new SimulatedVenue([Spec], Model, Sink);
        Sink.Venue = Venue;
        Venue.AdvanceTo(T0);
    }

    public InstrumentSpec Spec { get; }
    public VenueModel Model { get; }
    public RecordingSink Sink { get; }
    public SimulatedVenue Venue { get; }

    public static Price P(decimal price) => new((long)(price * 100_000_000m));
    public static Qty Q(decimal qty) => new((long)(qty * 100_000_000m));
    public static ClientOrderId Id(long seq) => new(1, 1, seq);

    public ClientOrderId NextId() => Id(++_seq);

    public void At(long ns) => Venue.AdvanceTo(ns);

    public ClientOrderId Buy(decimal price, decimal qty, OrderType type = OrderType.Limit) => Place(OrderSide.Buy, price, qty, type);
    public ClientOrderId Sell(decimal price, decimal qty, OrderType type = OrderType.Limit) => Place(OrderSide.Sell, price, qty, type);

    public ClientOrderId Place(OrderSide side, decimal price, decimal qty, OrderType type = OrderType.Limit)
    {
        var id = NextId();
        Venue.Send(OrderCommand.From(new PlaceOrderCommand(0, id, side, type, P(price), Q(qty)), Venue.NowNs));
        return id;
    }

    public void Cancel(ClientOrderId id) =>
        Venue.Send(OrderCommand.From(new CancelOrderCommand(0, NextId(), id, 0), Venue.NowNs));

    public ClientOrderId Amend(ClientOrderId id, decimal newQty)
    {
        var amendId = NextId();
        Venue.Send(OrderCommand.From(new AmendQtyCommand(0, amendId, id, 0, Q(newQty)), Venue.NowNs));
        return amendId;
    }

    public ClientOrderId CancelReplace(ClientOrderId id, OrderSide side, decimal price, decimal qty)
    {
        var newId = NextId();
        Venue.Send(OrderCommand.From(new CancelReplaceCommand(0, NextId(), id, 0, newId, side, OrderType.Limit, P(price), Q(qty)), Venue.NowNs));
        return newId;
    }

    public void Query(ClientOrderId id) => Venue.Send(OrderCommand.From(new QueryOrderCommand(0, id), Venue.NowNs));

    public void Bid(decimal price, decimal qty, long? at = null) => Venue.OnLevel(0, OrderSide.Buy, P(price), Q(qty), at ?? Venue.NowNs);
    public void Ask(decimal price, decimal qty, long? at = null) => Venue.OnLevel(0, OrderSide.Sell, P(price), Q(qty), at ?? Venue.NowNs);

    /// <summary>A recorded trade whose aggressor sold (hits bids).</summary>
    public void SellTrade(decimal price, decimal qty, long? at = null) => Venue.OnTrade(0, OrderSide.Sell, P(price), Q(qty), at ?? Venue.NowNs);
    /// <summary>A recorded trade whose aggressor bought (lifts asks).</summary>
    /// <summary>A recorded best bid/ask (bookTicker).</summary>
    public void Ticker(decimal bid, decimal bidQty, decimal ask, decimal askQty, long? at = null) =>
        Venue.OnTopOfBook(0, P(bid), Q(bidQty), P(ask), Q(askQty), at ?? Venue.NowNs);

    public void BuyTrade(decimal price, decimal qty, long? at = null) => Venue.OnTrade(0, OrderSide.Buy, P(price), Q(qty), at ?? Venue.NowNs);

    /// <summary>Runs everything due up to the virtual time now + <paramref name="ns"/>.</summary>
    public void Elapse(long ns) => Venue.AdvanceTo(Venue.NowNs + ns);

    public decimal Ahead(ClientOrderId id) =>
        Venue.TryGetQueueAhead(id, out var ahead) ? ahead.Raw / 100_000_000m : throw new InvalidOperationException($"{id} is not open");
}
