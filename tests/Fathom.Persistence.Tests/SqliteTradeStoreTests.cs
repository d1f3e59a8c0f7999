using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>What only the SQLite store has (the contract both stores keep is <see cref="SqliteTradeStoreContractTests"/>).</summary>
public sealed class SqliteTradeStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-store").FullName;
    private string DbPath => Path.Combine(_dir, "fathom.db");
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT"];

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Database_IsInWalMode()
    {
        await using (var store = SqliteTradeStore.Open(DbPath, Symbols))
        {
            store.TryAppend(new FillReport(0, new ClientOrderId(1, 1, 1), 101, 1, OrderSide.Buy, new Price(6_000_000_000_000), new Qty(1_000),
                new Qty(1_000), 12, Qty.Zero, IsMaker: true, TimeNs: 1_001));
            await store.FlushAsync(TimeSpan.FromSeconds(10));
        }
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)cmd.ExecuteScalar()!);
    }
}
