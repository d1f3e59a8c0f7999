using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>The trade store against a real SQLite file in a temporary directory.</summary>
public sealed class SqliteTradeStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-store").FullName;
    private string DbPath => Path.Combine(_dir, "fathom.db");
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FillReport Fill(long tradeId, long venueOrderId, long qty = 1_000) =>
        new(0, new ClientOrderId(1, 1, venueOrderId - 100), venueOrderId, tradeId, OrderSide.Buy, new Price(6_000_000_000_000), new Qty(qty),
            new Qty(qty), 12, Qty.Zero, IsMaker: true, TimeNs: 1_000 + tradeId);

    [Fact]
    public async Task FillsAndTransitions_SurviveReopening()
    {
        await using (var store = SqliteTradeStore.Open(DbPath, Symbols))
        {
            Assert.True(store.TryAppend(Fill(1, 101)));
            Assert.True(store.TryAppend(Fill(2, 102, 2_000)));
            Assert.True(store.TryAppend(new OrderTransition(1, 0, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted, false, 5)));
            await store.FlushAsync(TimeSpan.FromSeconds(10));
        }
        await using (var reopened = SqliteTradeStore.Open(DbPath, Symbols))
        {
            var fills = reopened.LoadFills();
            Assert.Equal(2, fills.Count);
            Assert.Equal((1L, 101L, 1_000L, 12L, true), (fills[0].TradeId, fills[0].VenueOrderId, fills[0].Qty.Raw, fills[0].Fee, fills[0].IsMaker));
            Assert.Equal(2_000, fills[1].Qty.Raw);
            Assert.Equal(1, reopened.CountTransitions());
        }
    }

    [Fact]
    public async Task TheSameFillTwice_IsStoredOnce()
    {
        await using var store = SqliteTradeStore.Open(DbPath, Symbols);
        store.TryAppend(Fill(7, 107));
        store.TryAppend(Fill(7, 107)); // request answer and user stream both reported it
        store.TryAppend(Fill(7, 108)); // a self-trade: same trade id, the other order
        await store.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, store.LoadFills().Count);
    }

    [Fact]
    public async Task FullQueue_RefusesInsteadOfDropping()
    {
        await using var store = SqliteTradeStore.Open(DbPath, Symbols, capacity: 2);
        int accepted = 0;
        for (int i = 0; i < 10_000; i++)
            if (store.TryAppend(Fill(i, 1_000 + i)))
                accepted++;
        // The writer drains concurrently, so some fit; what did not was refused, and counted.
        Assert.True(store.Refused > 0, "a 2-slot queue must refuse some of 10,000 instant appends");
        Assert.Equal(10_000, accepted + store.Refused);
        await store.FlushAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(accepted, store.LoadFills().Count); // everything accepted was written
    }

    [Fact]
    public async Task Database_IsInWalMode()
    {
        await using (var store = SqliteTradeStore.Open(DbPath, Symbols))
        {
            store.TryAppend(Fill(1, 101));
            await store.FlushAsync(TimeSpan.FromSeconds(10));
        }
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)cmd.ExecuteScalar()!);
    }
}
