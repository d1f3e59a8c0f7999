using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>
/// What every <see cref="ITradeStore"/> must do, whatever the database (the invariants on
/// <see cref="ITradeStore"/>): run by one subclass a store (<see cref="SqliteTradeStoreContractTests"/>,
/// <see cref="NpgsqlTradeStoreContractTests"/>), each against a real database of its own per test.
/// </summary>
public abstract class TradeStoreContract : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    protected static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT"];

    /// <summary>Opens a store on this test's database; every call opens the same database (a restart, or a second instance).</summary>
    protected abstract WriteBehindTradeStore Open(IReadOnlyList<string> symbols, int capacity = 1 << 16);

    /// <summary>Makes every write fail until <see cref="HealWritesAsync"/> (a database locked by another process, a stopped server).</summary>
    protected abstract Task BreakWritesAsync();

    protected abstract Task HealWritesAsync();

    /// <summary>Rows in <paramref name="table"/>, counted straight from the database (not through a store).</summary>
    protected abstract long CountRows(string table);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private WriteBehindTradeStore Open(int capacity = 1 << 16) => Open(Symbols, capacity);

    private static FillReport Fill(long tradeId, long venueOrderId, int instrument = 0, long qty = 1_000) =>
        new(instrument, new ClientOrderId(1, 1, venueOrderId - 100), venueOrderId, tradeId, OrderSide.Buy, new Price(6_000_000_000_000), new Qty(qty),
            new Qty(qty), 12, Qty.Zero, IsMaker: true, TimeNs: 1_000 + tradeId);

    private static PersistedFill Stored(long tradeId, long venueOrderId, string symbol = "BTCUSDT", long qty = 1_000) =>
        new(symbol, tradeId, venueOrderId, new ClientOrderId(1, 1, venueOrderId - 100), OrderSide.Buy, new Price(6_000_000_000_000), new Qty(qty),
            12, Qty.Zero, true, 1_000 + tradeId);

    private static OrderTransition Transition(long seq, int instrument, OrderState from, OrderEvent evt, OrderState to, long filled = 0,
        bool illegal = false, long currentSeq = 0) =>
        new OrderTransition(seq, instrument, from, evt, to, illegal, 10 * seq + (long)to) with
        {
            ClientId = new ClientOrderId(2, 9, seq), CurrentClientId = new ClientOrderId(2, 9, currentSeq == 0 ? seq : currentSeq), VenueOrderId = 700 + seq,
            Side = OrderSide.Sell, Type = OrderType.LimitMaker, Price = new Price(6_100_000), Qty = new Qty(500), Filled = new Qty(filled),
        };

    [Fact]
    public async Task Fills_AppendedTwice_AreStoredOnceAndLoadInTheOrderStored()
    {
        await using var store = Open();
        Assert.True(store.TryAppend(Fill(7, 107)));
        Assert.True(store.TryAppend(Fill(7, 107))); // request answer and user stream both reported it
        Assert.True(store.TryAppend(Fill(7, 108))); // a self-trade: same trade id, the other order
        Assert.True(store.TryAppend(Fill(3, 103, instrument: 1, qty: 2_000))); // stored after, though its trade id is lower
        // A fill of an order that is not ours (no client id), with every field away from the defaults.
        Assert.True(store.TryAppend(new FillReport(1, ClientOrderId.None, 555, 4, OrderSide.Sell, new Price(-5), new Qty(3), new Qty(3), -3, new Qty(4),
            IsMaker: false, TimeNs: long.MaxValue)));
        await store.FlushAsync(Patience);
        Assert.True(store.TryAppend(Fill(7, 107))); // and again in a later batch (a reconnect's replay)
        await store.FlushAsync(Patience);

        Assert.Equal(
            [Stored(7, 107), Stored(7, 108), Stored(3, 103, "ETHUSDT", 2_000),
             new PersistedFill("ETHUSDT", 4, 555, ClientOrderId.None, OrderSide.Sell, new Price(-5), new Qty(3), -3, new Qty(4), false, long.MaxValue)],
            store.Load().Fills);
        Assert.Equal(4, store.CountFills());
        Assert.Equal(4, CountRows("fills"));
        Assert.True(store.IsHealthy, store.Failure);
    }

    [Fact]
    public async Task OrderTransitions_UpsertTheOrder_OpenOrdersLoadWithEveryField()
    {
        await using (var store = Open())
        {
            // Order 1: placed, acked, amended (a new client id), partly filled: open. Order 2: placed and cancelled: terminal.
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.New, OrderEvent.Submit, OrderState.PendingNew)));
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted)));
            Assert.True(store.TryAppend(Transition(2, 0, OrderState.New, OrderEvent.Submit, OrderState.PendingNew)));
            Assert.True(store.TryAppend(Transition(2, 0, OrderState.PendingNew, OrderEvent.Canceled, OrderState.Canceled)));
            await store.FlushAsync(Patience);
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.Accepted, OrderEvent.PartialFill, OrderState.PartiallyFilled, filled: 300, currentSeq: 5)));
            // A refused edge is recorded as a transition and changes nothing in the order.
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.PartiallyFilled, OrderEvent.Ack, OrderState.Canceled, illegal: true)));
            await store.FlushAsync(Patience);
            Assert.Equal(6, store.CountTransitions());
        }
        Assert.Equal(2, CountRows("orders"));

        await using var reopened = Open();
        PersistedState state = reopened.Load();
        Assert.Equal(1, state.FirstOrderSeq); // the lowest order sequence stored, terminal or not
        PersistedOrder open = Assert.Single(state.OpenOrders);
        Assert.Equal(new PersistedOrder(1, new ClientOrderId(2, 9, 1), new ClientOrderId(2, 9, 5), 701, "ETHUSDT", OrderSide.Sell, OrderType.LimitMaker,
            new Price(6_100_000), new Qty(500), new Qty(300), OrderState.PartiallyFilled, 10 + (long)OrderState.PartiallyFilled), open);
    }

    [Fact]
    public async Task Load_FillsKeepTheirNode_PositionsAddUpPerNode()
    {
        await using var store = Open();
        Assert.True(store.TryAppend(new FillReport(1, new ClientOrderId(2, 9, 1), 701, 41, OrderSide.Sell, new Price(6_100_000), new Qty(200),
            new Qty(200), 5, Qty.Zero, IsMaker: true, TimeNs: 77)));
        Assert.True(store.TryAppend(new FillReport(1, new ClientOrderId(2, 9, 1), 701, 42, OrderSide.Sell, new Price(6_100_000), new Qty(100),
            new Qty(300), 5, Qty.Zero, IsMaker: true, TimeNs: 78)));
        Assert.True(store.TryAppend(new FillReport(1, new ClientOrderId(4, 1, 3), 702, 43, OrderSide.Buy, new Price(6_000_000), new Qty(50),
            new Qty(50), 5, Qty.Zero, IsMaker: true, TimeNs: 79))); // another instance's order
        await store.FlushAsync(Patience);
        PersistedState s = store.Load();
        Assert.Equal([new ClientOrderId(2, 9, 1), new ClientOrderId(2, 9, 1), new ClientOrderId(4, 1, 3)], s.Fills.Select(f => f.ClientId));
        Assert.Equal(-300, s.PositionOf("ETHUSDT", node: 2, priceDecimals: 2, qtyDecimals: 3).Position.Raw);
        Assert.Equal(50, s.PositionOf("ETHUSDT", node: 4, priceDecimals: 2, qtyDecimals: 3).Position.Raw); // another node's fills are not ours
        Assert.Equal(0, s.PositionOf("BTCUSDT", node: 2, priceDecimals: 2, qtyDecimals: 3).Position.Raw);
    }

    [Fact]
    public async Task Load_LastTradeIdPerSymbol_IsTheHighestStored()
    {
        await using var store = Open();
        Assert.Empty(store.Load().LastTradeIds);
        Assert.True(store.TryAppend(Fill(41, 141)));
        Assert.True(store.TryAppend(Fill(40, 140)));
        Assert.True(store.TryAppend(Fill(9, 109, instrument: 1)));
        await store.FlushAsync(Patience);
        PersistedState state = store.Load();
        Assert.Equal(new Dictionary<string, long> { ["BTCUSDT"] = 41, ["ETHUSDT"] = 9 }, state.LastTradeIds);
    }

    [Fact]
    public async Task RiskDayAndHalt_AreReplacedAndLoaded()
    {
        await using (var store = Open())
        {
            PersistedState empty = store.Load();
            Assert.Null(empty.Day);
            Assert.Null(empty.Halt);
            Assert.Equal(0, empty.FirstOrderSeq);
            Assert.True(store.TryAppend(new RiskDayRecord(20_000, -1_234, 90)));
            Assert.True(store.TryAppend(new RiskHaltRecord(true, "operator halt", 95)));
            Assert.True(store.TryAppend(new RiskDayRecord(20_001, -2_000, 96))); // a new day replaces the stored one
            Assert.True(store.TryAppend(new RiskHaltRecord(true, "trade store: disk full", 99))); // and a halt the previous halt
            await store.FlushAsync(Patience);
        }
        Assert.Equal(1, CountRows("risk_day"));
        Assert.Equal(1, CountRows("risk_halt"));
        await using (var reopened = Open())
        {
            PersistedState s = reopened.Load();
            Assert.Equal(new RiskDayRecord(20_001, -2_000, 96), s.Day);
            Assert.Equal(new RiskHaltRecord(true, "trade store: disk full", 99), s.Halt);

            Assert.True(reopened.TryAppend(new RiskHaltRecord(false, null, 120))); // an operator resumed
            await reopened.FlushAsync(Patience);
            Assert.Equal(new RiskHaltRecord(false, null, 120), reopened.Load().Halt);
        }
    }

    [Fact]
    public async Task RiskEvents_AreAppendedInOrder_AndTheLatestLoadWithSymbolTriggerAndReasons()
    {
        await using (var store = Open())
        {
            // A kill switch trips on BTCUSDT, an account-wide halt follows, then more than Load returns.
            Assert.True(store.TryAppend(new Fathom.Risk.RiskTransition(Fathom.Risk.RiskState.Active, Fathom.Risk.RiskState.Reducing,
                Fathom.Risk.RiskTrigger.Reduce, Fathom.Risk.RiskReason.FeedLag, 0, false, 10)));
            Assert.True(store.TryAppend(new Fathom.Risk.RiskTransition(Fathom.Risk.RiskState.Reducing, Fathom.Risk.RiskState.Halted,
                Fathom.Risk.RiskTrigger.Halt, Fathom.Risk.RiskReason.FeedLag | Fathom.Risk.RiskReason.DailyDrawdown, -1, false, 20)));
            await store.FlushAsync(TimeSpan.FromSeconds(30));
            var events = store.Load().RiskEvents;
            Assert.Equal(2, events.Count);
            Assert.Equal(new StoredRiskEvent("BTCUSDT", Fathom.Risk.RiskState.Active, Fathom.Risk.RiskState.Reducing, Fathom.Risk.RiskTrigger.Reduce,
                Fathom.Risk.RiskReason.FeedLag, false, 10), events[0]);
            Assert.Equal(new StoredRiskEvent(null, Fathom.Risk.RiskState.Reducing, Fathom.Risk.RiskState.Halted, Fathom.Risk.RiskTrigger.Halt,
                Fathom.Risk.RiskReason.FeedLag | Fathom.Risk.RiskReason.DailyDrawdown, false, 20), events[1]);
            for (int i = 0; i < PersistedState.RiskEventsLoaded + 5; i++)
                Assert.True(store.TryAppend(new Fathom.Risk.RiskTransition(Fathom.Risk.RiskState.Halted, Fathom.Risk.RiskState.Active,
                    Fathom.Risk.RiskTrigger.Release, Fathom.Risk.RiskReason.None, 0, false, 100 + i)));
            await store.FlushAsync(TimeSpan.FromSeconds(30));
        }
        Assert.Equal(PersistedState.RiskEventsLoaded + 7, CountRows("risk_events"));
        await using var reopened = Open();
        var latest = reopened.Load().RiskEvents;
        Assert.Equal(PersistedState.RiskEventsLoaded, latest.Count);
        Assert.Equal(Enumerable.Range(0, PersistedState.RiskEventsLoaded).Select(i => 105L + i), latest.Select(e => e.TimeNs));
    }

    [Fact]
    public async Task Records_KeyedBySymbol_SurviveAChangedSymbolOrder()
    {
        await using (var store = Open(["BTCUSDT", "ETHUSDT"]))
        {
            Assert.True(store.TryAppend(Fill(11, 111, instrument: 1))); // ETHUSDT
            Assert.True(store.TryAppend(Transition(3, 0, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted))); // BTCUSDT
            Assert.True(store.TryAppend(Fill(12, 112, instrument: 5))); // an index the list does not have: kept, named by it
            await store.FlushAsync(Patience);
        }
        // The config lists the symbols the other way round now: instrument 0 is ETHUSDT.
        await using var reordered = Open(["ETHUSDT", "BTCUSDT"]);
        PersistedState before = reordered.Load();
        Assert.Equal(["ETHUSDT", "#5"], before.Fills.Select(f => f.Symbol));
        Assert.Equal("BTCUSDT", Assert.Single(before.OpenOrders).Symbol);
        Assert.True(reordered.TryAppend(Fill(13, 113, instrument: 0)));
        await reordered.FlushAsync(Patience);
        PersistedState after = reordered.Load();
        Assert.Equal(["ETHUSDT", "#5", "ETHUSDT"], after.Fills.Select(f => f.Symbol));
        Assert.Equal(13, after.LastTradeIds["ETHUSDT"]);
        Assert.False(after.LastTradeIds.ContainsKey("BTCUSDT"));
    }

    [Fact]
    public async Task Reopened_SeesEverythingThePreviousInstanceCommitted_EvenWithoutAFlush()
    {
        await using (var store = Open())
        {
            Assert.True(store.TryAppend(Fill(1, 101)));
            Assert.True(store.TryAppend(Fill(2, 102, qty: 2_000)));
            Assert.True(store.TryAppend(Transition(1, 0, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted)));
            Assert.True(store.TryAppend(new RiskDayRecord(7, 8, 9)));
            // No flush: dispose drains the queue.
        }
        await using var reopened = Open();
        PersistedState s = reopened.Load();
        Assert.Equal([Stored(1, 101), Stored(2, 102, qty: 2_000)], s.Fills);
        Assert.Single(s.OpenOrders);
        Assert.Equal(new RiskDayRecord(7, 8, 9), s.Day);
        Assert.Equal(1, reopened.CountTransitions());
    }

    [Fact]
    public async Task Load_SeesWhatAnotherOpenInstanceCommitted()
    {
        await using var writer = Open();
        await using var reader = Open();
        Assert.True(writer.TryAppend(Fill(1, 101)));
        await writer.FlushAsync(Patience);
        Assert.Equal([Stored(1, 101)], reader.Load().Fills);
    }

    [Fact]
    public async Task FlushAsync_ReturnsWhenEverythingAppendedIsCommitted()
    {
        await using var store = Open();
        for (int i = 1; i <= 500; i++)
        {
            Assert.True(store.TryAppend(Fill(i, 1_000 + i)));
            Assert.True(store.TryAppend(Transition(i, 0, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted)));
        }
        await store.FlushAsync(Patience);
        Assert.Equal(1_000, store.Written);
        Assert.Equal(500, CountRows("fills"));
        Assert.Equal(500, CountRows("order_transitions"));
        Assert.Equal(500, CountRows("orders"));
        Assert.True(store.IsHealthy);
    }

    [Fact]
    public async Task FullQueue_RefusesInsteadOfDropping()
    {
        await using var store = Open(capacity: 2);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++)
            if (store.TryAppend(Fill(i, 1_000 + i)))
                accepted++;
        // The writer drains concurrently, so some fit; what did not was refused, and counted.
        Assert.True(store.Refused > 0, "a 2-slot queue must refuse some of 10,000 instant appends");
        Assert.Equal(10_000, accepted + store.Refused);
        await store.FlushAsync(Patience);
        Assert.Equal(accepted, store.CountFills()); // everything accepted was written
    }

    [Fact]
    public async Task WritesFailingThenRecovering_SetFailureTellTheObserverOnceAndLoseNothing()
    {
        await using var store = Open();
        var told = new List<string>();
        store.FaultObserver = reason => { lock (told) told.Add(reason); };
        Assert.True(store.TryAppend(Fill(1, 101)));
        await store.FlushAsync(Patience);

        await BreakWritesAsync();
        try
        {
            for (int i = 2; i <= 50; i++)
            {
                Assert.True(store.TryAppend(Fill(i, 100 + i)));
                Assert.True(store.TryAppend(Transition(i, 0, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted)));
            }
            Assert.True(store.TryAppend(new RiskHaltRecord(true, "trade store failing", 5)));
            // Several failed attempts, one failing spell: the observer hears of it once.
            Assert.True(await WaitUntil(() => store.WriteFailures >= 2), $"writes did not fail: {store.WriteFailures}");
            Assert.False(store.IsHealthy);
            Assert.StartsWith($"write to {store.Location} failed: ", store.Failure);
            lock (told) // Failure follows the latest attempt; the observer heard the first
                Assert.StartsWith($"write to {store.Location} failed: ", Assert.Single(told));
            Assert.True(store.Written < store.Appended);
        }
        finally
        {
            await HealWritesAsync();
        }

        await store.FlushAsync(Patience);
        Assert.True(store.IsHealthy, store.Failure);
        Assert.Null(store.Failure);
        PersistedState s = store.Load();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => Stored(i, 100 + i)), s.Fills);
        Assert.Equal(49, s.OpenOrders.Count);
        Assert.Equal(new RiskHaltRecord(true, "trade store failing", 5), s.Halt);
        Assert.Equal(49, CountRows("order_transitions"));
        Assert.Equal(0, store.Refused);
        lock (told)
            Assert.Single(told);
    }

    [Fact]
    public async Task FlushAsync_WhileWritesFail_TimesOutSayingWhy()
    {
        await using var store = Open();
        await BreakWritesAsync();
        try
        {
            Assert.True(store.TryAppend(Fill(1, 101)));
            Assert.True(await WaitUntil(() => store.Failure is not null), "writes did not fail");
            var ex = await Assert.ThrowsAsync<TimeoutException>(() => store.FlushAsync(TimeSpan.FromMilliseconds(200)));
            Assert.Contains("0/1 records written", ex.Message, StringComparison.Ordinal);
            Assert.Contains(store.Failure!, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            await HealWritesAsync();
        }
        await store.FlushAsync(Patience);
        Assert.Equal(1, store.CountFills());
    }

    private static async Task<bool> WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                return false;
            await Task.Delay(20);
        }
        return true;
    }
}
