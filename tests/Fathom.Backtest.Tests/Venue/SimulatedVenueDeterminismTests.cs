using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;
using static Fathom.Backtest.Tests.Venue.VenueRig;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>A seeded random market and order flow: the same inputs give the same reports, and no fill breaks an order's terms.</summary>
public sealed class SimulatedVenueDeterminismTests
{
    [Theory]
    [InlineData(QueueKind.RiskAverse, 1)]
    [InlineData(QueueKind.PowerProbability, 2)]
    [InlineData(QueueKind.LogProbability, 3)]
    public void RandomFlow_SameInputsTwice_GivesIdenticalReports_AndFillsKeepEachOrdersTerms(QueueKind kind, int seed)
    {
        var (first, orders) = Run(kind, seed);
        var (second, _) = Run(kind, seed);
        Assert.Equal(first.Count, second.Count);
        Assert.Equal(first, second);

        Assert.Contains(first, d => d.Report is AmendedReport);
        Assert.Contains(first, d => d.Report is CanceledReport);
        // One connection back: delivery times never go back, and no order's fill reaches the core before its ack.
        Assert.Equal(first.Select(d => d.DeliveredNs).Order(), first.Select(d => d.DeliveredNs));
        var acked = new HashSet<ClientOrderId>();
        foreach (var report in first.Select(d => d.Report))
        {
            if (report is AckReport ack)
                acked.Add(ack.ClientOrderId);
            else if (report is FillReport f)
                Assert.Contains(orders[f.ClientOrderId].Root, acked);
        }
        var fills = first.Select(d => d.Report).OfType<FillReport>().ToList();
        Assert.True(fills.Count > 20, $"only {fills.Count} fills: the scenario does not exercise matching");
        // An amended order keeps its fills: group by the order's first id.
        foreach (var group in fills.GroupBy(f => orders[f.ClientOrderId].Root))
        {
            var (side, limit, qty, _) = orders[group.Key];
            Assert.Equal(group.Sum(f => f.Qty.Raw), group.Last().CumulativeQty.Raw);
            Assert.True(group.Last().CumulativeQty.Raw <= qty, $"{group.Key} overfilled");
            Assert.All(group, f => Assert.True(side == OrderSide.Buy ? f.Price <= limit : f.Price >= limit, $"{group.Key} filled through its limit"));
            Assert.All(group, f => Assert.True(f.IsMaker ? f.Price == limit : true));
        }
    }

    private static (List<Delivered> Reports, Dictionary<ClientOrderId, (OrderSide Side, Price Limit, long Qty, ClientOrderId Root)> Orders) Run(QueueKind kind, int seed)
    {
        var rig = new VenueRig(new QueueModel(kind, 2), fees: new FeeRates(0.0001m, 0.0005m),
            entry: LatencyModel.Empirical([1 * Ms, 2 * Ms, 7 * Ms], (ulong)seed), response: LatencyModel.Empirical([1 * Ms, 4 * Ms], (ulong)seed + 1));
        var random = new Random(seed);
        var orders = new Dictionary<ClientOrderId, (OrderSide Side, Price Limit, long Qty, ClientOrderId Root)>();
        var open = new List<ClientOrderId>();
        long mid = 10_000; // ticks
        long now = T0;
        for (int step = 0; step < 3_000; step++)
        {
            now += random.Next(1, 3) * Ms;
            rig.At(now);
            mid += random.Next(-1, 2);
            switch (random.Next(6))
            {
                case 0:
                case 1:
                {
                    long tick = mid - random.Next(1, 4);
                    rig.Venue.OnLevel(0, OrderSide.Buy, Ticks(tick), new Qty(random.Next(0, 6) * 100_000L), now);
                    rig.Venue.OnLevel(0, OrderSide.Sell, Ticks(mid + random.Next(1, 4)), new Qty(random.Next(0, 6) * 100_000L), now);
                    break;
                }
                case 2:
                {
                    var aggressor = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
                    long tick = aggressor == OrderSide.Buy ? mid + random.Next(0, 3) : mid - random.Next(0, 3);
                    rig.Venue.OnTrade(0, aggressor, Ticks(tick), new Qty(random.Next(1, 8) * 50_000L), now);
                    break;
                }
                case 3:
                {
                    var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
                    long tick = side == OrderSide.Buy ? mid - random.Next(-2, 4) : mid + random.Next(-2, 4);
                    var type = random.Next(4) switch { 0 => OrderType.LimitIoc, 1 => OrderType.LimitMaker, _ => OrderType.Limit };
                    long qty = random.Next(2, 6) * 100_000L;
                    var id = rig.NextId();
                    orders[id] = (side, Ticks(tick), qty, id);
                    open.Add(id);
                    rig.Venue.Send(OrderCommand.From(new PlaceOrderCommand(0, id, side, type, Ticks(tick), new Qty(qty)), now));
                    break;
                }
                case 4 when open.Count > 0:
                    rig.Cancel(open[random.Next(open.Count)]);
                    break;
                case 5 when open.Count > 0:
                {
                    var id = open[random.Next(open.Count)];
                    var amendId = rig.Amend(id, 0.001m);
                    orders[amendId] = orders[id];
                    open.Add(amendId);
                    break;
                }
            }
        }
        rig.At(now + 1_000 * Ms);
        return (rig.Sink.All, orders);
    }

    private static Price Ticks(long ticks) => new(ticks * Specs.Btc.TickSize.Raw);
}
