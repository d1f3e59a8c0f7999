using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Fathom.Venues.Okx;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// The pieces of a core on several venues without sockets: <see cref="MultiVenueOrderGateway"/> (commands, reports,
/// queries and order-entry health across venues) and <see cref="MultiVenueFeedCore"/> (one lock, global books, the
/// journal refusal). <see cref="TwoVenueCoreTests"/> runs them end to end.
/// </summary>
public sealed class MultiVenueTests
{
    /// <summary>A venue gateway double: keeps what it was sent and the sink it reports into.</summary>
    private sealed class FakeGateway(IReportSink sink) : IOrderGateway
    {
        public IReportSink Sink { get; } = sink;
        public List<OrderCommand> Sent { get; } = [];
        public List<int> CancelAlls { get; } = [];
        public List<int> Queried { get; } = [];
        public List<OrderCommand> Rehearsed { get; } = [];
        public int HandedOver { get; private set; }
        public bool IsReady { get; set; } = true;
        public void Rehearse(in OrderCommand command) => Rehearsed.Add(command);
        public void CommandsHandedOver() => HandedOver++;
        public bool Disposed { get; private set; }
        public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
        public void Send(in OrderCommand command) => Sent.Add(command);
        public void CancelAll(int instrumentId, ClientOrderId cancelId) => CancelAlls.Add(instrumentId);

        public Task<IReadOnlyList<VenueOpenOrder>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel)
        {
            Queried.Add(instrumentId);
            return Task.FromResult<IReadOnlyList<VenueOpenOrder>>([new VenueOpenOrder(
                new OrderStatusReport(instrumentId, new ClientOrderId(1, 1, 7), VenueOrderStatus.New, 70, Qty.Zero, 1), Fathom.Core.OrderSide.Buy, Gateway.Abstractions.OrderType.Limit, new Price(1), new Qty(1))]);
        }

        public Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel)
        {
            Queried.Add(instrumentId);
            return Task.FromResult<IReadOnlyList<FillReport>>([new FillReport(instrumentId, new ClientOrderId(1, 1, 7), 70, fromTradeIdExclusive + 1,
                Fathom.Core.OrderSide.Buy, new Price(1), new Qty(1), new Qty(1), 0, Qty.Zero, true, 1)]);
        }

        public Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel) =>
            Task.FromResult<IReadOnlyList<VenueBalance>>([new VenueBalance("BTC", 100, 0)]);

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The engine's side: every report as it arrived.</summary>
    private sealed class RecordingSink : IReportSink
    {
        public List<int> Acks { get; } = [];
        public List<int> Fills { get; } = [];
        public List<int> Rejects { get; } = [];
        public List<int> Canceled { get; } = [];
        public List<int> Unknown { get; } = [];
        public List<VenueHealthReport> Health { get; } = [];
        public void OnAck(in AckReport report) => Acks.Add(report.InstrumentId);
        public void OnReject(in RejectReport report) => Rejects.Add(report.InstrumentId);
        public void OnFill(in FillReport report) => Fills.Add(report.InstrumentId);
        public void OnCanceled(in CanceledReport report) => Canceled.Add(report.InstrumentId);
        public void OnExpired(in ExpiredReport report) => Canceled.Add(report.InstrumentId);
        public void OnAmended(in AmendedReport report) => Acks.Add(report.InstrumentId);
        public void OnStatusUnknown(in StatusUnknownReport report) => Unknown.Add(report.InstrumentId);
        public void OnOrderStatus(in OrderStatusReport report) => Acks.Add(report.InstrumentId);
        public void OnVenueHealth(in VenueHealthReport report) => Health.Add(report);
    }

    /// <summary>Venue 0 owns global instruments 2 and 0 (local 0 and 1), venue 1 owns global 1.</summary>
    private static (MultiVenueOrderGateway Gateway, FakeGateway[] Venues, RecordingSink Sink) Compose()
    {
        var sink = new RecordingSink();
        var venues = new FakeGateway[2];
        var gateway = new MultiVenueOrderGateway([[2, 0], [1]], sink, (v, venueSink) => venues[v] = new FakeGateway(venueSink));
        return (gateway, venues, sink);
    }

    [Fact]
    public void Send_EachKind_GoesToTheOwningVenueWithItsLocalId_EverythingElseKept()
    {
        var (gateway, venues, _) = Compose();
        var id = new ClientOrderId(1, 1, 42);
        var orig = new ClientOrderId(1, 1, 41);
        OrderCommand place = OrderCommand.From(new PlaceOrderCommand(0, id, Fathom.Core.OrderSide.Sell, Gateway.Abstractions.OrderType.LimitMaker, new Price(123), new Qty(4)), 99);
        gateway.Send(place, 5);
        gateway.Send(OrderCommand.From(new CancelOrderCommand(1, id, orig, 77), 100));
        gateway.Send(OrderCommand.From(new CancelReplaceCommand(2, id, orig, 77, new ClientOrderId(1, 1, 43), Fathom.Core.OrderSide.Buy, Gateway.Abstractions.OrderType.Limit, new Price(5), new Qty(6)), 101));
        gateway.Send(OrderCommand.From(new AmendQtyCommand(1, id, orig, 77, new Qty(2)), 102));
        gateway.Send(OrderCommand.From(new QueryOrderCommand(0, orig), 103));
        gateway.CancelAll(1, id);
        gateway.CancelAll(2, id);

        Assert.Equal([1, 0, 1], venues[0].Sent.Select(c => c.InstrumentId));
        Assert.Equal([CommandKind.Place, CommandKind.CancelReplace, CommandKind.Query], venues[0].Sent.Select(c => c.Kind));
        Assert.Equal(OrderCommand.From(new PlaceOrderCommand(1, id, Fathom.Core.OrderSide.Sell, Gateway.Abstractions.OrderType.LimitMaker, new Price(123), new Qty(4)), 99), venues[0].Sent[0]);
        Assert.Equal(new ClientOrderId(1, 1, 43), venues[0].Sent[1].NewClientOrderId);
        Assert.Equal([0, 0], venues[1].Sent.Select(c => c.InstrumentId));
        Assert.Equal([CommandKind.Cancel, CommandKind.AmendQty], venues[1].Sent.Select(c => c.Kind));
        Assert.Equal(77, venues[1].Sent[0].VenueOrderId);
        Assert.Equal(new Qty(2), venues[1].Sent[1].Qty);
        Assert.Equal([0], venues[1].CancelAlls);
        Assert.Equal([0], venues[0].CancelAlls);
        Assert.Throws<ArgumentOutOfRangeException>(() => gateway.Send(OrderCommand.From(new QueryOrderCommand(3, orig), 1)));
    }

    [Fact]
    public void Rehearse_GoesToTheOwningVenueInItsNumbering_AndEveryVenueHearsTheHandOver()
    {
        var (gateway, venues, _) = Compose();
        var id = new ClientOrderId(1, 1, 42);
        OrderCommand place = OrderCommand.From(new PlaceOrderCommand(2, id, Fathom.Core.OrderSide.Buy, Gateway.Abstractions.OrderType.LimitMaker, new Price(7), new Qty(1)), 9);
        ((IOrderEntry)gateway).Rehearse(place);
        ((IOrderEntry)gateway).CommandsHandedOver();

        OrderCommand rehearsed = Assert.Single(venues[0].Rehearsed);
        Assert.Equal(OrderCommand.From(new PlaceOrderCommand(0, id, Fathom.Core.OrderSide.Buy, Gateway.Abstractions.OrderType.LimitMaker, new Price(7), new Qty(1)), 9), rehearsed);
        Assert.Empty(venues[1].Rehearsed);
        Assert.Empty(venues[0].Sent);
        Assert.Equal((1, 1), (venues[0].HandedOver, venues[1].HandedOver));
    }

    [Fact]
    public void Reports_FromEachVenue_ReachTheEngineWithGlobalIds()
    {
        var (_, venues, sink) = Compose();
        var id = new ClientOrderId(1, 1, 1);
        venues[0].Sink.OnAck(new AckReport(1, id, 5, 0));    // venue 0 local 1 = global 0
        venues[0].Sink.OnAck(new AckReport(0, id, 5, 0));    // venue 0 local 0 = global 2
        venues[1].Sink.OnFill(new FillReport(0, id, 5, 9, Fathom.Core.OrderSide.Buy, new Price(1), new Qty(1), new Qty(1), 0, Qty.Zero, true, 0));
        venues[1].Sink.OnCanceled(new CanceledReport(0, id, 0));
        venues[0].Sink.OnReject(new RejectReport(1, id, CommandKind.Place, RejectReason.Other, 0, null, 0));
        venues[1].Sink.OnStatusUnknown(new StatusUnknownReport(0, id, CommandKind.Place, UnknownCause.Timeout, 0));
        venues[1].Sink.OnVenueHealth(VenueHealthReport.Instrument(0, InstrumentStatus.Halt, 0));

        Assert.Equal([0, 2], sink.Acks);
        Assert.Equal([1], sink.Fills);
        Assert.Equal([1], sink.Canceled);
        Assert.Equal([0], sink.Rejects);
        Assert.Equal([1], sink.Unknown);
        Assert.Equal(1, Assert.Single(sink.Health).InstrumentId);
        // A gateway reporting an instrument it does not have is a bug, refused where it happens.
        Assert.Throws<InvalidOperationException>(() => venues[1].Sink.OnAck(new AckReport(1, id, 5, 0)));
    }

    [Fact]
    public void OrderEntryHealth_DownWhileAnyVenueIsDown_UpOnlyWhenNoneIs()
    {
        var (gateway, venues, sink) = Compose();
        venues[0].Sink.OnVenueHealth(VenueHealthReport.OrderEntry(false, 1));
        venues[1].Sink.OnVenueHealth(VenueHealthReport.OrderEntry(true, 2)); // venue 0 is still down
        venues[1].Sink.OnVenueHealth(VenueHealthReport.OrderEntry(false, 3));
        venues[0].Sink.OnVenueHealth(VenueHealthReport.OrderEntry(true, 4)); // venue 1 is still down
        venues[1].Sink.OnVenueHealth(VenueHealthReport.OrderEntry(true, 5));
        venues[0].Sink.OnVenueHealth(VenueHealthReport.Probe(1_000, 6));

        Assert.Equal([VenueHealthKind.OrderEntryDown, VenueHealthKind.OrderEntryDown, VenueHealthKind.OrderEntryDown, VenueHealthKind.OrderEntryDown,
            VenueHealthKind.OrderEntryUp, VenueHealthKind.ProbeRoundTrip], sink.Health.Select(h => h.Kind));
        Assert.True(gateway.IsReady);
        venues[1].IsReady = false;
        Assert.False(gateway.IsReady);
    }

    [Fact]
    public async Task Queries_GoToTheOwningVenue_AndAnswerWithGlobalIds()
    {
        var (gateway, venues, _) = Compose();
        var open = Assert.Single(await gateway.GetOpenOrdersAsync(0, CancellationToken.None));
        Assert.Equal(0, open.InstrumentId);
        var fill = Assert.Single(await gateway.GetTradesAsync(1, 10, CancellationToken.None));
        Assert.Equal(1, fill.InstrumentId);
        Assert.Equal(11, fill.TradeId);
        Assert.Equal([1], venues[0].Queried);
        Assert.Equal([0], venues[1].Queried);
        // Balances of both accounts: reconciliation adds an asset up across venues.
        Assert.Equal(2, (await gateway.GetBalancesAsync(CancellationToken.None)).Count(b => b.Asset == "BTC"));
        await gateway.DisposeAsync();
        Assert.True(venues[0].Disposed && venues[1].Disposed);
    }

    [Fact]
    public void FeedCore_VenueCoreOnItsOwnLock_IsRefused()
    {
        var coreLock = new Lock();
        var own = new BinanceFeedCore([Specs.Btc]);
        var shared = new BinanceFeedCore([Specs.Eth], coreLock: coreLock);
        var ex = Assert.Throws<ArgumentException>(() => new MultiVenueFeedCore(coreLock, [(shared, [1]), (own, [0])]));
        Assert.Contains("one core lock", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FeedCore_BooksInGlobalOrder_HookAndJournalOnEveryVenue()
    {
        var coreLock = new Lock();
        var eth = new BinanceFeedCore([Specs.Eth], coreLock: coreLock);
        var okx = new OkxFeedCore([Specs.Btc with { Symbol = "BTC-USDT", Venue = Venue.Okx }], coreLock: coreLock);
        var core = new MultiVenueFeedCore(coreLock, [(okx, [1]), (eth, [0])]);
        Assert.Same(eth.Books[0], core.Books[0]);
        Assert.Same(okx.Books[0], core.Books[1]);
        Assert.Equal((1, 0), (core.VenueOf(0), core.LocalOf(0)));
        Action<long> hook = _ => { };
        core.AfterApply = hook;
        Assert.Same(hook, eth.AfterApply);
        Assert.Same(hook, okx.AfterApply);
    }

    [Fact]
    public void Journal_OfACoreOnTwoVenues_IsRefusedByReplay_EvenWhenBothAreBinance()
    {
        // Two Binance venues (two accounts, say): the specs name one venue kind, so only the meta record can tell.
        string path = Path.Combine(Path.GetTempPath(), $"fathom-multivenue-{Guid.NewGuid():N}.journal");
        try
        {
            var coreLock = new Lock();
            var a = new BinanceFeedCore([Specs.Btc], coreLock: coreLock);
            var b = new BinanceFeedCore([Specs.Eth], coreLock: coreLock);
            var core = new MultiVenueFeedCore(coreLock, [(a, [0]), (b, [1])]);
            CoreSetup setup = CoreRig.Setup([Specs.Btc, Specs.Eth], new StrategySetup(StrategyCatalog.MarketMaker, [0], new Dictionary<string, string?> { ["quoteQty"] = "0.001", ["maxPosition"] = "0.01" }));
            var journal = CoreJournal.Create(path);
            var parts = CoreComposition.Build(core, setup, new MonotonicClock(new ManualTimeProvider()), new InMemorySequenceReservation(), journal: journal);
            lock (coreLock)
                b.ApplySnapshot(0, 1000, "{\"lastUpdateId\":5,\"bids\":[[\"100.00\",\"1\"]],\"asks\":[[\"101.00\",\"1\"]]}"u8, 1, 1);
            Assert.Same(journal, b.Journal);
            CoreComposition.DetachJournal(core, parts.Engine);
            journal.Dispose();

            var ex = Assert.Throws<InvalidDataException>(() => JournalReplay.Run(path));
            Assert.Contains("multi-venue journal is not supported", ex.Message, StringComparison.Ordinal);
            Assert.Throws<NotSupportedException>(() => core.Replay(default));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
