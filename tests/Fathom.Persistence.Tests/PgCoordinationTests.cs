using System.Diagnostics;
using Fathom.Gateway.Abstractions;
using Fathom.Persistence.Coordination;
using Fathom.Testing;
using Npgsql;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>The coordination contract on a real PostgreSQL server (one database a test), and what only the PostgreSQL service has.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PgCoordinationTests(PostgresFixture fixture) : CoordinationContract
{
    private string _cs = "";

    public override async Task InitializeAsync()
    {
        // A test before this one may have left the shared server stopped if it failed half-way.
        await fixture.Server.RestartAsync();
        _cs = await fixture.Server.CreateDatabaseAsync("coord");
        await base.InitializeAsync();
    }

    protected override async Task<ICoordinationService> OpenAsync() => await PgCoordination.OpenAsync(_cs, CancellationToken.None);

    // The database's clock decides: wait (polling, never a fixed sleep) until the service itself says the lease has expired.
    protected override async Task ExpireAsync(string scope, TimeSpan ttl)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var lease = Assert.Single((await Service.StatusAsync(CancellationToken.None)).Leases, l => l.Scope == scope);
            if (!lease.Live)
                return;
            Assert.True(deadline.Elapsed < ttl + TimeSpan.FromSeconds(20), $"the lease of {scope} is still live {deadline.Elapsed} later");
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(lease.ExpiresIn.TotalMilliseconds, 5, 200)));
        }
    }

    protected override async Task<long> StoredLiveGrantsAsync(string account, string resource) =>
        (long)(await ScalarAsync($"""
            SELECT coalesce(sum(q.granted), 0)::bigint FROM fathom_cluster.quotas q
            JOIN fathom_cluster.leases l ON l.scope = q.scope AND l.epoch = q.epoch AND l.expires_at > clock_timestamp()
            WHERE q.account = '{account}' AND q.resource = '{resource}'
            """))!;

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(_cs);
        await using var cmd = dataSource.CreateCommand(sql);
        return await cmd.ExecuteScalarAsync();
    }

    [Fact]
    public async Task OpenAsync_SeveralInstancesAtOnce_CreateTheSchemaOnce()
    {
        string cs = await fixture.Server.CreateDatabaseAsync("coord_open");
        var opens = Enumerable.Range(0, 6).Select(_ => Task.Run(() => PgCoordination.OpenAsync(cs, TimeSpan.FromSeconds(10)))).ToArray();
        foreach (var service in await Task.WhenAll(opens))
            await service.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(cs);
        await using var cmd = dataSource.CreateCommand(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'fathom_cluster'");
        Assert.Equal("lease_history,leases,members,quotas,quotes,schema_version", await cmd.ExecuteScalarAsync());
        await using var version = dataSource.CreateCommand("SELECT count(*) FROM fathom_cluster.schema_version");
        Assert.Equal(1L, await version.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Describe_NamesServerAndDatabase_NeverTheUserOrPassword()
    {
        await using var service = await PgCoordination.OpenAsync(_cs + ";Password=hunter2-secret", CancellationToken.None);
        Assert.StartsWith($"postgresql://127.0.0.1:{fixture.Server.Port}/coord_", service.Describe());
        Assert.DoesNotContain("hunter2", service.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain("@", service.Describe(), StringComparison.Ordinal); // no user@host
    }

    [Fact]
    public async Task TryAcquire_FollowerPollingALiveLease_DrawsNoEpoch()
    {
        var a = await Service.TryAcquireAsync("s", "a", 1, TimeSpan.FromMinutes(5), CancellationToken.None);
        for (int i = 0; i < 5; i++)
            Assert.Null(await Service.TryAcquireAsync("s", "b", 2, TimeSpan.FromMinutes(5), CancellationToken.None));
        var next = await Service.TryAcquireAsync("t", "b", 2, TimeSpan.FromMinutes(5), CancellationToken.None);
        // Epochs are a budget of 1 679 615 for the cluster's life: a refused poll must not spend one.
        Assert.Equal(a!.Epoch + 1, next!.Epoch);
    }

    [Fact]
    public async Task TryAcquire_EpochsExhausted_ThrowsSayingEpochsNeverWrap()
    {
        await ScalarAsync($"ALTER SEQUENCE fathom_cluster.epochs RESTART WITH {ClientOrderIdFormat.MaxEpoch}");
        var last = await Service.TryAcquireAsync("s1", "a", 1, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Equal(ClientOrderIdFormat.MaxEpoch, last!.Epoch);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => Service.TryAcquireAsync("s2", "b", 2, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Contains("1679615", ex.Message.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("never wrap", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await Service.StatusAsync(CancellationToken.None)).Leases, l => l.Scope == "s2");
    }

    [Fact]
    public async Task Calls_DatabaseStopsAnswering_FailWithinTheCommandTimeoutAsUnavailable()
    {
        using var proxy = new StallingTcpProxy("127.0.0.1", fixture.Server.Port);
        string through = new NpgsqlConnectionStringBuilder(_cs) { Port = proxy.Port, Pooling = false }.ConnectionString;
        var timeout = TimeSpan.FromMilliseconds(800);
        await using var service = await PgCoordination.OpenAsync(through, timeout);
        var lease = await service.TryAcquireAsync("s", "a", 1, TimeSpan.FromMinutes(5), CancellationToken.None);

        proxy.Stall(); // a partition: connections stay open, nothing answers
        var elapsed = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<CoordinationUnavailableException>(() => service.RenewAsync("s", "a", lease!.Epoch, TimeSpan.FromMinutes(5), CancellationToken.None));
        elapsed.Stop();

        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(3), $"a stalled database held the caller {elapsed.Elapsed}");
        Assert.Contains(service.Describe(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("in doubt", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.InnerException);

        proxy.Resume();
        Assert.True(await service.RenewAsync("s", "a", lease!.Epoch, TimeSpan.FromMinutes(5), CancellationToken.None));
    }

    [Fact]
    public async Task Calls_CallerCancels_ThrowOperationCanceledNotUnavailable()
    {
        using var proxy = new StallingTcpProxy("127.0.0.1", fixture.Server.Port);
        string through = new NpgsqlConnectionStringBuilder(_cs) { Port = proxy.Port, Pooling = false }.ConnectionString;
        await using var service = await PgCoordination.OpenAsync(through, TimeSpan.FromSeconds(30));
        proxy.Stall();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.StatusAsync(cancel.Token));
    }
}

/// <summary>An outage of a dedicated server (the collection's is shared): calls fail fast as unavailable, and work again after a restart.</summary>
public sealed class PgCoordinationOutageTests : IAsyncLifetime
{
    private PostgresServer? _server;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }

    [Fact]
    public async Task Calls_ServerStopped_FailFastAsUnavailable_AndWorkAfterRestart()
    {
        string cs = await _server!.CreateDatabaseAsync("outage");
        await using var service = await PgCoordination.OpenAsync(cs, CancellationToken.None);
        var lease = await service.TryAcquireAsync("s", "a", 1, TimeSpan.FromMinutes(5), CancellationToken.None);

        await _server.StopAsync();
        var elapsed = Stopwatch.StartNew();
        var renew = await Assert.ThrowsAsync<CoordinationUnavailableException>(() => service.RenewAsync("s", "a", lease!.Epoch, TimeSpan.FromMinutes(5), CancellationToken.None));
        await Assert.ThrowsAsync<CoordinationUnavailableException>(() => service.TryAcquireAsync("t", "b", 2, TimeSpan.FromMinutes(5), CancellationToken.None));
        await Assert.ThrowsAsync<CoordinationUnavailableException>(() => service.SetQuotaAsync(new QuotaRequest("acct", "orders", "s", lease!.Epoch, 1, 1), CancellationToken.None));
        await Assert.ThrowsAsync<CoordinationUnavailableException>(() => service.StatusAsync(CancellationToken.None));
        elapsed.Stop();
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(8), $"four calls to a stopped server took {elapsed.Elapsed}");
        Assert.Contains(service.Describe(), renew.Message, StringComparison.Ordinal);
        Assert.NotNull(renew.InnerException);

        await _server.RestartAsync();
        Assert.True(await service.RenewAsync("s", "a", lease!.Epoch, TimeSpan.FromMinutes(5), CancellationToken.None)); // the lease lived on in the database
        Assert.Null(await service.TryAcquireAsync("s", "b", 2, TimeSpan.FromMinutes(5), CancellationToken.None));
    }
}
