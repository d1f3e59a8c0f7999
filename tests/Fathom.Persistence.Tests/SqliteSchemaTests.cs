using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>Schema version 2: migration from a version 1 file, and every record kind written and read back.</summary>
public sealed class SqliteSchemaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-schema").FullName;
    private string DbPath => Path.Combine(_dir, "fathom.db");
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The first schema exactly as the first store created it (no schema_version, instrument indices).
    private const string V1Ddl = """
        CREATE TABLE IF NOT EXISTS fills (
          instrument INTEGER NOT NULL, trade_id INTEGER NOT NULL, venue_order_id INTEGER NOT NULL,
          order_seq INTEGER NOT NULL, side INTEGER NOT NULL, price INTEGER NOT NULL, qty INTEGER NOT NULL,
          fee INTEGER NOT NULL, fee_qty INTEGER NOT NULL, is_maker INTEGER NOT NULL, time_ns INTEGER NOT NULL,
          PRIMARY KEY (instrument, trade_id, venue_order_id));
        CREATE TABLE IF NOT EXISTS order_transitions (
          id INTEGER PRIMARY KEY AUTOINCREMENT, order_seq INTEGER NOT NULL, instrument INTEGER NOT NULL,
          from_state INTEGER NOT NULL, event INTEGER NOT NULL, to_state INTEGER NOT NULL, illegal INTEGER NOT NULL,
          time_ns INTEGER NOT NULL);
        CREATE INDEX IF NOT EXISTS order_transitions_order ON order_transitions(order_seq);
        INSERT INTO fills VALUES (0, 11, 501, 7, 0, 6000000, 150, 3, 0, 1, 100);
        INSERT INTO fills VALUES (1, 12, 502, 8, 1, 300000, 200, 4, 0, 0, 200);
        INSERT INTO fills VALUES (5, 13, 503, 0, 0, 100, 1, 0, 0, 0, 300);
        INSERT INTO order_transitions (order_seq, instrument, from_state, event, to_state, illegal, time_ns) VALUES (7, 0, 1, 1, 2, 0, 50);
        """;

    private static long Scalar(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Open_VersionOneFile_MigratesToVersionTwoKeepingFillsBySymbol()
    {
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = V1Ddl;
            cmd.ExecuteNonQuery();
        }

        await using (var store = SqliteTradeStore.Open(DbPath, Symbols, legacyNode: 3))
        {
            var fills = store.LoadFills();
            Assert.Equal(3, fills.Count);
            Assert.Equal(("BTCUSDT", 11L, 501L, new ClientOrderId(3, 0, 7), OrderSide.Buy, 6_000_000L, 150L, 3L, true, 100L),
                (fills[0].Symbol, fills[0].TradeId, fills[0].VenueOrderId, fills[0].ClientId, fills[0].Side, fills[0].Price.Raw, fills[0].Qty.Raw,
                 fills[0].Fee, fills[0].IsMaker, fills[0].TimeNs));
            Assert.Equal(("ETHUSDT", OrderSide.Sell), (fills[1].Symbol, fills[1].Side));
            Assert.Equal("#5", fills[2].Symbol); // an index the symbol list does not have is kept, named by its index
            Assert.True(fills[2].ClientId.IsNone); // a foreign fill stays foreign
            Assert.Equal(1, store.CountTransitions());
            PersistedState state = store.Load();
            Assert.Equal(11, state.LastTradeIds["BTCUSDT"]);
            Assert.Null(state.Day);
            Assert.Null(state.Halt);
        }
        Assert.Equal(2, Scalar(DbPath, "SELECT version FROM schema_version"));
        Assert.Equal(1, Scalar(DbPath, "SELECT COUNT(*) FROM order_transitions WHERE symbol = 'BTCUSDT'"));

        // Opening again is a no-op migration: nothing is duplicated or lost.
        await using (var again = SqliteTradeStore.Open(DbPath, Symbols))
            Assert.Equal(3, again.LoadFills().Count);
    }

    [Fact]
    public async Task Open_NewFile_IsAtTheLatestVersion()
    {
        await using (SqliteTradeStore.Open(DbPath, Symbols)) { }
        Assert.Equal(SqliteTradeStore.SchemaVersion, Scalar(DbPath, "SELECT version FROM schema_version"));
    }

    [Fact]
    public async Task Open_FileFromANewerBuild_Throws()
    {
        await using (SqliteTradeStore.Open(DbPath, Symbols)) { }
        using (var c = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE schema_version SET version = 99";
            cmd.ExecuteNonQuery();
        }
        Assert.Throws<InvalidOperationException>(() => SqliteTradeStore.Open(DbPath, Symbols));
    }

    private static OrderTransition Transition(long seq, int instrument, OrderState from, OrderEvent evt, OrderState to, long filled = 0) =>
        new OrderTransition(seq, instrument, from, evt, to, false, 10 * seq) with
        {
            ClientId = new ClientOrderId(2, 9, seq), CurrentClientId = new ClientOrderId(2, 9, seq), VenueOrderId = 700 + seq,
            Side = OrderSide.Sell, Type = OrderType.LimitMaker, Price = new Price(6_100_000), Qty = new Qty(500), Filled = new Qty(filled),
        };

    [Fact]
    public async Task EveryRecordKind_RoundTripsThroughLoad()
    {
        await using (var store = SqliteTradeStore.Open(DbPath, Symbols))
        {
            Assert.True(store.TryAppend(new FillReport(1, new ClientOrderId(2, 9, 1), 701, 41, OrderSide.Sell, new Price(6_100_000), new Qty(200),
                new Qty(200), 5, Qty.Zero, IsMaker: true, TimeNs: 77)));
            Assert.True(store.TryAppend(new FillReport(1, new ClientOrderId(2, 9, 1), 701, 42, OrderSide.Sell, new Price(6_100_000), new Qty(100),
                new Qty(300), 5, Qty.Zero, IsMaker: true, TimeNs: 78)));
            // Order 1: placed, acked, partly filled (open); order 2: placed and cancelled (terminal).
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.New, OrderEvent.Submit, OrderState.PendingNew)));
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.PendingNew, OrderEvent.Ack, OrderState.Accepted)));
            Assert.True(store.TryAppend(Transition(1, 1, OrderState.Accepted, OrderEvent.PartialFill, OrderState.PartiallyFilled, filled: 300)));
            Assert.True(store.TryAppend(Transition(2, 0, OrderState.New, OrderEvent.Submit, OrderState.PendingNew)));
            Assert.True(store.TryAppend(Transition(2, 0, OrderState.PendingNew, OrderEvent.Canceled, OrderState.Canceled)));
            Assert.True(store.TryAppend(new RiskDayRecord(20_000, -1_234, 90)));
            Assert.True(store.TryAppend(new RiskDayRecord(20_001, -2_000, 95))); // replaces the day
            Assert.True(store.TryAppend(new RiskHaltRecord(true, "trade store: disk full", 99)));
            await store.FlushAsync(TimeSpan.FromSeconds(10));
        }
        await using (var reopened = SqliteTradeStore.Open(DbPath, Symbols))
        {
            PersistedState s = reopened.Load();
            Assert.Equal(2, s.Fills.Count);
            Assert.All(s.Fills, f => Assert.Equal(("ETHUSDT", new ClientOrderId(2, 9, 1)), (f.Symbol, f.ClientId)));
            Assert.Equal(42, s.LastTradeIds["ETHUSDT"]);
            PersistedOrder open = Assert.Single(s.OpenOrders);
            Assert.Equal((1L, new ClientOrderId(2, 9, 1), 701L, "ETHUSDT", OrderSide.Sell, OrderType.LimitMaker, 6_100_000L, 500L, 300L, OrderState.PartiallyFilled),
                (open.OrderSeq, open.ClientId, open.VenueOrderId, open.Symbol, open.Side, open.Type, open.Price.Raw, open.Qty.Raw, open.Filled.Raw, open.State));
            Assert.Equal(new RiskDayRecord(20_001, -2_000, 95), s.Day);
            Assert.Equal(new RiskHaltRecord(true, "trade store: disk full", 99), s.Halt);
            Assert.Equal(2, Scalar(DbPath, "SELECT COUNT(*) FROM orders"));

            PositionLedger position = s.PositionOf("ETHUSDT", node: 2, priceDecimals: 2, qtyDecimals: 3);
            Assert.Equal(-300, position.Position.Raw);
            Assert.Equal(0, s.PositionOf("ETHUSDT", node: 4, priceDecimals: 2, qtyDecimals: 3).Position.Raw); // another node's fills are not ours

            Assert.True(reopened.TryAppend(new RiskHaltRecord(false, null, 120))); // an operator resumed
            await reopened.FlushAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(new RiskHaltRecord(false, null, 120), reopened.Load().Halt);
        }
    }
}
