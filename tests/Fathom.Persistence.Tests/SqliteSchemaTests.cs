using Fathom.Core;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>SQLite's schema versions: migration from a version 1 file, a new file, a file from a newer build. What every record kind reads back is <see cref="TradeStoreContract"/>.</summary>
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
    public async Task Open_VersionOneFile_MigratesToTheLatestKeepingFillsBySymbol()
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
            var fills = store.Load().Fills;
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
        Assert.Equal(SqliteTradeStore.SchemaVersion, Scalar(DbPath, "SELECT version FROM schema_version")); // through version 2 to the latest
        Assert.Equal(1, Scalar(DbPath, "SELECT COUNT(*) FROM order_transitions WHERE symbol = 'BTCUSDT'"));

        // Opening again is a no-op migration: nothing is duplicated or lost.
        await using (var again = SqliteTradeStore.Open(DbPath, Symbols))
            Assert.Equal(3, again.Load().Fills.Count);
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
}
