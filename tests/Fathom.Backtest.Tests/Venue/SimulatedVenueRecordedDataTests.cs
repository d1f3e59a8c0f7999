using System.Text.Json;
using Fathom.Backtest.Venue;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>
/// The simulated venue on recorded Binance BTCUSDT data (hftbacktest's sample, 2024-08-08, about six minutes): a fixed
/// schedule of post-only quotes at the recorded best bid and ask, cancelled a while later, run under each queue model.
/// </summary>
public sealed class SimulatedVenueRecordedDataTests
{
    private enum Kind : byte { Clear, Level, Trade, Top }

    private readonly record struct Recorded(Kind Kind, OrderSide Side, long Price, long Qty, long TimeNs, long Ask = 0);

    private static readonly Lazy<Recorded[]> s_events = new(Load);

    [Fact]
    public void RecordedDay_PowerLawFillsAtLeastWhatRiskAverseFills_PerOrder_AndEveryFillKeepsItsOrdersTerms()
    {
        var (riskAverse, placed) = Run(new QueueModel(QueueKind.RiskAverse));
        var (power, _) = Run(new QueueModel(QueueKind.PowerProbability, 3));

        var averseFills = riskAverse.OfType<FillReport>().ToList();
        var powerFills = power.OfType<FillReport>().ToList();
        Assert.NotEmpty(averseFills);
        Assert.True(powerFills.Count > 0);
        Assert.DoesNotContain(power, r => r is RejectReport { Reason: not RejectReason.UnknownOrder and not RejectReason.WouldTake });
        foreach (var (id, (side, price, qty)) in placed)
        {
            long a = averseFills.Where(f => f.ClientOrderId == id).Sum(f => f.Qty.Raw);
            long p = powerFills.Where(f => f.ClientOrderId == id).Sum(f => f.Qty.Raw);
            // Every decrease the risk-averse model puts behind us, the probabilistic one splits: never further back.
            Assert.True(p >= a, $"{id}: power-law filled {p}, risk-averse {a}");
            Assert.True(p <= qty);
        }
        Assert.True(powerFills.Sum(f => f.Qty.Raw) > averseFills.Sum(f => f.Qty.Raw), "the models should differ on a real day");
        Assert.All(powerFills, f => Assert.True(f.IsMaker && f.Price == placed[f.ClientOrderId].Price));
    }

    [Fact]
    public void RecordedDay_SameModelTwice_GivesIdenticalReports()
    {
        var model = new QueueModel(QueueKind.LogProbability);
        Assert.Equal(Run(model).Reports, Run(model).Reports);
    }

    private static (List<object> Reports, Dictionary<ClientOrderId, (OrderSide Side, Price Price, long Qty)> Placed) Run(QueueModel queue)
    {
        var sink = new RecordingSink();
        var model = new VenueModel(LatencyModel.Empirical([2_000_000, 3_000_000, 9_000_000], 11), LatencyModel.Constant(2_000_000), queue,
            [new FeeRates(0.0002m, 0.001m)], new VenueLimits());
        var venue = new SimulatedVenue([Specs.BtcUsdt], model, sink);
        sink.Venue = venue;
        var placed = new Dictionary<ClientOrderId, (OrderSide, Price, long)>();
        var cancels = new Queue<(int At, ClientOrderId Id)>();
        long seq = 0, now = 0;
        var events = s_events.Value;
        for (int i = 0; i < events.Length; i++)
        {
            var e = events[i];
            now = Math.Max(now, e.TimeNs);
            venue.AdvanceTo(now);
            switch (e.Kind)
            {
                case Kind.Clear: venue.OnBookCleared(0, now); break;
                case Kind.Level: venue.OnLevel(0, e.Side, new Price(e.Price), new Qty(e.Qty), now); break;
                case Kind.Trade: venue.OnTrade(0, e.Side, new Price(e.Price), new Qty(e.Qty), now); break;
                case Kind.Top when i % 200 == 0:
                    // Quote 0.001 BTC post-only at the recorded best bid and ask; cancel each 3 000 events later.
                    foreach (var (side, price) in new[] { (OrderSide.Buy, e.Price), (OrderSide.Sell, e.Ask) })
                    {
                        var id = new ClientOrderId(1, 1, ++seq);
                        placed[id] = (side, new Price(price), 100_000);
                        venue.Send(OrderCommand.From(new PlaceOrderCommand(0, id, side, OrderType.LimitMaker, new Price(price), new Qty(100_000)), now));
                        cancels.Enqueue((i + 3_000, id));
                    }
                    break;
            }
            while (cancels.TryPeek(out var c) && c.At <= i)
                venue.Send(OrderCommand.From(new CancelOrderCommand(0, new ClientOrderId(2, 1, ++seq), cancels.Dequeue().Id, 0), now));
        }
        venue.AdvanceTo(now + 1_000_000_000);
        return (sink.All.Select(d => d.Report).ToList(), placed);
    }

    /// <summary>Depth diffs synced to the snapshot by Binance's rule (drop u ≤ lastUpdateId), trades after it, bookTicker as the quote source.</summary>
    private static Recorded[] Load()
    {
        var events = new List<Recorded>();
        long lastUpdateId = -1, exchangeNs = 0;
        int lineNo = 0;
        string path = SharedData.BinanceSpotDays[0];
        foreach (byte[] line in SharedData.ReadLines(path))
        {
            lineNo++;
            int space = Array.IndexOf(line, (byte)' ');
            using var doc = JsonDocument.Parse(line.AsMemory(space + 1));
            var root = doc.RootElement;
            if (root.TryGetProperty("lastUpdateId", out var snapshotId))
            {
                lastUpdateId = snapshotId.GetInt64();
                events.Add(new Recorded(Kind.Clear, OrderSide.Buy, 0, 0, exchangeNs));
                AddLevels(events, root.GetProperty("bids"), OrderSide.Buy, exchangeNs);
                AddLevels(events, root.GetProperty("asks"), OrderSide.Sell, exchangeNs);
                continue;
            }
            var data = root.GetProperty("data");
            string stream = root.GetProperty("stream").GetString() ?? throw new InvalidDataException($"{path}:{lineNo}: no stream name");
            if (data.TryGetProperty("E", out var e))
                exchangeNs = Math.Max(exchangeNs, e.GetInt64() * 1_000_000);
            if (lastUpdateId < 0)
                continue;
            if (stream.EndsWith("@depth@100ms", StringComparison.Ordinal))
            {
                if (data.GetProperty("u").GetInt64() <= lastUpdateId)
                    continue;
                AddLevels(events, data.GetProperty("b"), OrderSide.Buy, exchangeNs);
                AddLevels(events, data.GetProperty("a"), OrderSide.Sell, exchangeNs);
            }
            else if (stream.EndsWith("@trade", StringComparison.Ordinal))
            {
                var aggressor = data.GetProperty("m").GetBoolean() ? OrderSide.Sell : OrderSide.Buy;
                events.Add(new Recorded(Kind.Trade, aggressor, Raw(data.GetProperty("p")), Raw(data.GetProperty("q")), data.GetProperty("T").GetInt64() * 1_000_000));
            }
            else if (stream.EndsWith("@bookTicker", StringComparison.Ordinal))
            {
                events.Add(new Recorded(Kind.Top, OrderSide.Buy, Raw(data.GetProperty("b")), 0, exchangeNs, Raw(data.GetProperty("a"))));
            }
        }
        Assert.True(events.Count > 10_000, $"{path}: only {events.Count} events after the snapshot");
        return [.. events];
    }

    private static void AddLevels(List<Recorded> events, JsonElement levels, OrderSide side, long timeNs)
    {
        foreach (var level in levels.EnumerateArray())
            events.Add(new Recorded(Kind.Level, side, Raw(level[0]), Raw(level[1]), timeNs));
    }

    private static long Raw(JsonElement text) => (long)(decimal.Parse(text.GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 100_000_000m);
}
