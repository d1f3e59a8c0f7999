using System.Globalization;
using System.Net.Sockets;
using Fathom.Gateway.Abstractions;
using Fathom.Persistence.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Fathom.Persistence.Coordination;

/// <summary>
/// The <see cref="ICoordinationService"/> several engine instances share: leases, epochs, members, quotas and
/// peer quotes in the PostgreSQL schema <c>fathom_cluster</c>, every rule evaluated on the database's clock
/// (<c>clock_timestamp()</c>), never a caller's.
/// </summary>
/// <remarks>
/// <para>Entry point: <see cref="OpenAsync(string, TimeSpan, CancellationToken)"/> creates the schema idempotently
/// under a transaction-scoped advisory lock (instances may open at once). Every call is one statement, or one
/// batch of statements in one implicit transaction and one round trip.</para>
/// <para>Epochs: the global sequence <c>fathom_cluster.epochs</c> (from 1, <c>MAXVALUE</c> 1 679 615 =
/// <see cref="ClientOrderIdFormat.MaxEpoch"/>, the 4 base-36 digits of a client order id, <c>NO CYCLE</c>). An
/// acquisition only draws an epoch when the lease is free, expired or the caller's, so followers polling a live
/// lease burn none. Exhausting it throws <see cref="InvalidOperationException"/>: an epoch never wraps.</para>
/// <para>Failures: any Npgsql or socket error, and a call that takes longer than the command timeout (2 s by
/// default, opening the connection included), throws <see cref="CoordinationUnavailableException"/> with the
/// cause inside, so a dead database never holds the lease keeper longer than a lease margin.</para>
/// </remarks>
public sealed class PgCoordination : ICoordinationService
{
    /// <summary>The schema holding the service's tables.</summary>
    public const string Schema = "fathom_cluster";

    /// <summary>The default bound on one call, connection included.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(2);

    private const int SchemaVersion = 1;
    // Advisory lock keys: a bigint for schema creation; (class, key) pairs for nodes and quotas (a separate key space).
    private const long SchemaLockKey = 0x46_61_74_68_43_6C; // "FathCl"
    private const int NodeLockClass = 0x46_4E_4F_44;   // "FNOD"
    private const int QuotaLockClass = 0x46_51_54_41;  // "FQTA"
    private const string SequenceExhausted = "2200H";  // sequence_generator_limit_exceeded

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _location;
    private readonly TimeSpan _commandTimeout;

    private PgCoordination(NpgsqlDataSource dataSource, string location, TimeSpan commandTimeout)
    {
        _dataSource = dataSource;
        _location = location;
        _commandTimeout = commandTimeout;
    }

    private static readonly string CreateSchemaSql = $"""
        CREATE SCHEMA IF NOT EXISTS fathom_cluster;
        CREATE SEQUENCE IF NOT EXISTS fathom_cluster.epochs AS bigint START 1 MINVALUE 1 MAXVALUE {ClientOrderIdFormat.MaxEpoch.ToString(CultureInfo.InvariantCulture)} NO CYCLE;
        CREATE TABLE IF NOT EXISTS fathom_cluster.schema_version (version integer NOT NULL);
        CREATE TABLE IF NOT EXISTS fathom_cluster.leases (
          scope text PRIMARY KEY, holder text NOT NULL, node integer NOT NULL, epoch bigint NOT NULL,
          expires_at timestamptz NOT NULL, acquired_at timestamptz NOT NULL,
          takeovers bigint NOT NULL DEFAULT 0, zombies bigint NOT NULL DEFAULT 0,
          prev_holder text, prev_remaining interval NOT NULL DEFAULT '0');
        CREATE TABLE IF NOT EXISTS fathom_cluster.lease_history (
          epoch bigint PRIMARY KEY, scope text NOT NULL, node integer NOT NULL, holder text NOT NULL, acquired_at timestamptz NOT NULL);
        CREATE INDEX IF NOT EXISTS lease_history_scope ON fathom_cluster.lease_history(scope, epoch);
        CREATE TABLE IF NOT EXISTS fathom_cluster.members (
          holder text PRIMARY KEY, node integer NOT NULL, scope text NOT NULL, last_seen timestamptz NOT NULL, ttl interval NOT NULL);
        CREATE INDEX IF NOT EXISTS members_node ON fathom_cluster.members(node);
        CREATE TABLE IF NOT EXISTS fathom_cluster.quotas (
          account text NOT NULL, resource text NOT NULL, scope text NOT NULL, epoch bigint NOT NULL, granted bigint NOT NULL,
          PRIMARY KEY (account, resource, scope));
        CREATE TABLE IF NOT EXISTS fathom_cluster.quotes (
          scope text NOT NULL, epoch bigint NOT NULL, symbol text NOT NULL, bid bigint NOT NULL, ask bigint NOT NULL,
          updated_at timestamptz NOT NULL, PRIMARY KEY (scope, symbol));
        """;

    // One statement: takes the lease when free, expired or already ours. The SELECT's WHERE keeps a follower
    // polling a live lease from drawing an epoch (nextval runs only for a row that passes it); ON CONFLICT's
    // WHERE is the rule itself, under the row lock, so two racing takers cannot both win. The previous holder
    // and its remaining life are kept in the row, as RETURNING sees only the new values. The history row goes in
    // the same statement.
    private const string AcquireSql = """
        WITH got AS (
          INSERT INTO fathom_cluster.leases AS l (scope, holder, node, epoch, expires_at, acquired_at, takeovers, zombies, prev_holder, prev_remaining)
          SELECT @scope, @holder, @node, nextval('fathom_cluster.epochs'), clock_timestamp() + @ttl, clock_timestamp(), 0, 0, NULL, interval '0'
          WHERE NOT EXISTS (SELECT 1 FROM fathom_cluster.leases
                            WHERE scope = @scope AND holder <> @holder AND expires_at > clock_timestamp())
          ON CONFLICT (scope) DO UPDATE SET
            holder = excluded.holder, node = excluded.node, epoch = excluded.epoch,
            expires_at = excluded.expires_at, acquired_at = excluded.acquired_at,
            takeovers = l.takeovers + CASE WHEN l.holder <> excluded.holder THEN 1 ELSE 0 END,
            prev_holder = l.holder,
            prev_remaining = greatest(l.expires_at - clock_timestamp(), interval '0')
          WHERE l.expires_at <= clock_timestamp() OR l.holder = excluded.holder
          RETURNING l.scope, l.epoch, l.node, l.holder, l.acquired_at, l.prev_holder, l.prev_remaining),
        hist AS (
          INSERT INTO fathom_cluster.lease_history (epoch, scope, node, holder, acquired_at)
          SELECT epoch, scope, node, holder, acquired_at FROM got)
        SELECT epoch, prev_holder, extract(epoch FROM prev_remaining)::float8 FROM got
        """;

    private const string HistorySql = "SELECT epoch, node FROM fathom_cluster.lease_history WHERE scope = @scope ORDER BY epoch";

    private const string RenewSql = """
        UPDATE fathom_cluster.leases SET expires_at = clock_timestamp() + @ttl
        WHERE scope = @scope AND holder = @holder AND epoch = @epoch AND expires_at > clock_timestamp()
        """;

    private const string ReleaseSql = """
        WITH ended AS (
          UPDATE fathom_cluster.leases SET expires_at = least(expires_at, clock_timestamp())
          WHERE scope = @scope AND holder = @holder AND epoch = @epoch RETURNING scope, epoch),
        q AS (DELETE FROM fathom_cluster.quotas WHERE (scope, epoch) IN (SELECT scope, epoch FROM ended)),
        p AS (DELETE FROM fathom_cluster.quotes WHERE (scope, epoch) IN (SELECT scope, epoch FROM ended))
        SELECT count(*) FROM ended
        """;

    // Statement 2 runs after the node's lock is held, with its own snapshot (read committed): a concurrent
    // registration of the same node has committed or not started.
    private const string RegisterSql = """
        WITH other AS (
          SELECT holder, scope, extract(epoch FROM clock_timestamp() - last_seen)::float8 AS ago FROM fathom_cluster.members
          WHERE node = @node AND holder <> @holder AND last_seen > clock_timestamp() - @ttl
          ORDER BY last_seen DESC LIMIT 1),
        up AS (
          INSERT INTO fathom_cluster.members (holder, node, scope, last_seen, ttl)
          SELECT @holder, @node, @scope, clock_timestamp(), @ttl WHERE NOT EXISTS (SELECT 1 FROM other)
          ON CONFLICT (holder) DO UPDATE SET node = excluded.node, scope = excluded.scope, last_seen = excluded.last_seen, ttl = excluded.ttl)
        SELECT holder, scope, ago FROM other
        """;

    // Statement 2 runs under the (account, resource) lock. Others' grants count only while their (scope, epoch)
    // is the live lease; ours only when our epoch is the live one (a stale instance stores and gets nothing).
    private const string QuotaSql = """
        WITH mine AS (
          SELECT 1 FROM fathom_cluster.leases WHERE scope = @scope AND epoch = @epoch AND expires_at > clock_timestamp()),
        others AS (
          SELECT coalesce(sum(q.granted), 0)::bigint AS held FROM fathom_cluster.quotas q
          JOIN fathom_cluster.leases l ON l.scope = q.scope AND l.epoch = q.epoch AND l.expires_at > clock_timestamp()
          WHERE q.account = @account AND q.resource = @resource AND q.scope <> @scope),
        cur AS (
          SELECT coalesce((SELECT granted FROM fathom_cluster.quotas
                           WHERE account = @account AND resource = @resource AND scope = @scope AND epoch = @epoch), 0)::bigint AS granted),
        g AS (
          SELECT CASE WHEN @want <= cur.granted THEN @want
                      ELSE greatest(cur.granted, least(@want, @limit - others.held)) END AS granted
          FROM cur, others)
        INSERT INTO fathom_cluster.quotas AS q (account, resource, scope, epoch, granted)
        SELECT @account, @resource, @scope, @epoch, g.granted FROM g WHERE EXISTS (SELECT 1 FROM mine)
        ON CONFLICT (account, resource, scope) DO UPDATE SET epoch = excluded.epoch, granted = excluded.granted
        RETURNING q.granted
        """;

    // Publishes (only while our epoch is the live lease, so a stale instance cannot overwrite its successor's
    // quotes) and reads the other live leases' best prices. The sub-statements share one snapshot: the read
    // does not see this call's own writes, which it excludes anyway.
    private const string QuotesSql = """
        WITH live AS (
          SELECT 1 FROM fathom_cluster.leases WHERE scope = @scope AND epoch = @epoch AND expires_at > clock_timestamp()),
        gone AS (
          DELETE FROM fathom_cluster.quotes
          WHERE scope = @scope AND NOT (symbol = ANY(@symbols)) AND EXISTS (SELECT 1 FROM live)),
        up AS (
          INSERT INTO fathom_cluster.quotes (scope, epoch, symbol, bid, ask, updated_at)
          SELECT @scope, @epoch, u.symbol, u.bid, u.ask, clock_timestamp()
          FROM unnest(@symbols, @bids, @asks) AS u(symbol, bid, ask) WHERE EXISTS (SELECT 1 FROM live)
          ON CONFLICT (scope, symbol) DO UPDATE SET epoch = excluded.epoch, bid = excluded.bid, ask = excluded.ask, updated_at = excluded.updated_at)
        SELECT q.symbol, coalesce(max(q.bid) FILTER (WHERE q.bid > 0), 0), coalesce(min(q.ask) FILTER (WHERE q.ask > 0), 0)
        FROM fathom_cluster.quotes q
        JOIN fathom_cluster.leases l ON l.scope = q.scope AND l.epoch = q.epoch AND l.expires_at > clock_timestamp()
        WHERE q.scope <> @scope
        GROUP BY q.symbol
        HAVING max(q.bid) > 0 OR max(q.ask) > 0
        ORDER BY q.symbol
        """;

    private const string StatusLeasesSql = """
        SELECT scope, holder, node, epoch, extract(epoch FROM expires_at - clock_timestamp())::float8,
               expires_at > clock_timestamp(), takeovers, zombies
        FROM fathom_cluster.leases ORDER BY scope
        """;

    private const string StatusMembersSql = """
        SELECT holder, node, scope, extract(epoch FROM clock_timestamp() - last_seen)::float8, last_seen + ttl > clock_timestamp()
        FROM fathom_cluster.members ORDER BY node, holder
        """;

    private const string StatusQuotasSql = """
        SELECT q.account, q.resource, q.scope, q.epoch, q.granted,
               EXISTS (SELECT 1 FROM fathom_cluster.leases l WHERE l.scope = q.scope AND l.epoch = q.epoch AND l.expires_at > clock_timestamp())
        FROM fathom_cluster.quotas q ORDER BY q.account, q.resource, q.scope
        """;

    /// <summary>Opens the service with the default command timeout (<see cref="DefaultCommandTimeout"/>).</summary>
    public static Task<PgCoordination> OpenAsync(string connectionString, CancellationToken cancel) =>
        OpenAsync(connectionString, DefaultCommandTimeout, cancel);

    /// <summary>
    /// Opens the service in the database <paramref name="connectionString"/> names, creating the schema
    /// <c>fathom_cluster</c> when missing. <paramref name="commandTimeout"/> bounds every later call, opening its
    /// connection included (and the connect timeout, unless the string sets <c>Timeout</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The connection string is malformed.</exception>
    /// <exception cref="CoordinationUnavailableException">The server cannot be reached or did not answer.</exception>
    /// <exception cref="InvalidOperationException">The schema is from a newer build.</exception>
    public static async Task<PgCoordination> OpenAsync(string connectionString, TimeSpan commandTimeout, CancellationToken cancel = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(commandTimeout, TimeSpan.Zero);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        int seconds = (int)Math.Ceiling(commandTimeout.TotalSeconds);
        builder.CommandTimeout = seconds;
        builder.Timeout = Math.Min(builder.Timeout, seconds);
        // A call we cancel (our timeout) breaks its connection at once rather than wait for the server to confirm.
        builder.CancellationTimeout = -1;
        var dataSource = NpgsqlDataSource.Create(builder);
        var service = new PgCoordination(dataSource, NpgsqlTradeStore.DescribeLocation(builder), commandTimeout);
        try
        {
            // Schema creation may wait for another opener's lock: allow it more than one call's bound.
            await service.RunAsync("create its schema", TimeSpan.FromTicks(commandTimeout.Ticks * 5), async (connection, ct) =>
            {
                await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
                await using (var lockCmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey.ToString(CultureInfo.InvariantCulture)})", connection, tx))
                    await lockCmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await using (var create = new NpgsqlCommand(CreateSchemaSql, connection, tx))
                    await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                await using (var version = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM fathom_cluster.schema_version", connection, tx))
                {
                    int at = Convert.ToInt32(await version.ExecuteScalarAsync(ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
                    if (at > SchemaVersion)
                        throw new InvalidOperationException(
                            $"the coordination schema at {service._location} is at version {at}; this build knows up to {SchemaVersion}: use a newer build");
                    if (at < SchemaVersion)
                    {
                        await using var set = new NpgsqlCommand(
                            $"DELETE FROM fathom_cluster.schema_version; INSERT INTO fathom_cluster.schema_version VALUES ({SchemaVersion})", connection, tx);
                        await set.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                    }
                }
                await tx.CommitAsync(ct).ConfigureAwait(false);
                return 0;
            }, cancel).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return service;
    }

    /// <inheritdoc/>
    public string Describe() => _location;

    /// <inheritdoc/>
    public Task RegisterAsync(string holder, ushort node, string scope, TimeSpan ttl, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(scope);
        return RunAsync("register", _commandTimeout, async (connection, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection);
            var lockCmd = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@class, @node)");
            lockCmd.Parameters.AddWithValue("class", NodeLockClass);
            lockCmd.Parameters.AddWithValue("node", (int)node);
            batch.BatchCommands.Add(lockCmd);
            var register = new NpgsqlBatchCommand(RegisterSql);
            register.Parameters.AddWithValue("holder", holder);
            register.Parameters.AddWithValue("node", (int)node);
            register.Parameters.AddWithValue("scope", scope);
            register.Parameters.AddWithValue("ttl", ttl);
            batch.BatchCommands.Add(register);
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
                throw new CoordinationConflictException(
                    $"node {node} is already used by live member {reader.GetString(0)} (scope {reader.GetString(1)}, seen {reader.GetDouble(2) * 1000:F0} ms ago on {_location}); " +
                    $"{holder} must not send under the same node: give each instance its own node");
            return 0;
        }, cancel);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Every epoch up to <see cref="ClientOrderIdFormat.MaxEpoch"/> has been granted.</exception>
    public Task<LeaseGrant?> TryAcquireAsync(string scope, string holder, ushort node, TimeSpan ttl, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return RunAsync<LeaseGrant?>("acquire a lease", _commandTimeout, async (connection, ct) =>
        {
            // One round trip, one implicit transaction: the acquisition (with its history row), then the history.
            await using var batch = new NpgsqlBatch(connection);
            var acquire = new NpgsqlBatchCommand(AcquireSql);
            acquire.Parameters.AddWithValue("scope", scope);
            acquire.Parameters.AddWithValue("holder", holder);
            acquire.Parameters.AddWithValue("node", (int)node);
            acquire.Parameters.AddWithValue("ttl", ttl);
            batch.BatchCommands.Add(acquire);
            var history = new NpgsqlBatchCommand(HistorySql);
            history.Parameters.AddWithValue("scope", scope);
            batch.BatchCommands.Add(history);
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                return null;
            long epoch = reader.GetInt64(0);
            string? previous = reader.IsDBNull(1) ? null : reader.GetString(1);
            var remaining = TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(2)));
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            var epochs = new List<LeaseEpoch>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                epochs.Add(new LeaseEpoch(checked((uint)reader.GetInt64(0)), checked((ushort)reader.GetInt32(1))));
            if (epoch is < 1 or > ClientOrderIdFormat.MaxEpoch)
                throw EpochsExhausted(null); // a sequence created by hand without the bound
            return new LeaseGrant(scope, (uint)epoch, remaining, previous, epochs);
        }, cancel);
    }

    /// <inheritdoc/>
    public Task<bool> RenewAsync(string scope, string holder, uint epoch, TimeSpan ttl, CancellationToken cancel) =>
        RunAsync("renew a lease", _commandTimeout, async (connection, ct) =>
        {
            await using var cmd = new NpgsqlCommand(RenewSql, connection);
            cmd.Parameters.AddWithValue("scope", scope);
            cmd.Parameters.AddWithValue("holder", holder);
            cmd.Parameters.AddWithValue("epoch", (long)epoch);
            cmd.Parameters.AddWithValue("ttl", ttl);
            return await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
        }, cancel);

    /// <inheritdoc/>
    public Task ReleaseAsync(string scope, string holder, uint epoch, CancellationToken cancel) =>
        RunAsync("release a lease", _commandTimeout, async (connection, ct) =>
        {
            await using var cmd = new NpgsqlCommand(ReleaseSql, connection);
            cmd.Parameters.AddWithValue("scope", scope);
            cmd.Parameters.AddWithValue("holder", holder);
            cmd.Parameters.AddWithValue("epoch", (long)epoch);
            await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancel);

    /// <inheritdoc/>
    public Task<long> SetQuotaAsync(QuotaRequest request, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Want);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        return RunAsync("set a quota", _commandTimeout, async (connection, ct) =>
        {
            // The lock serializes every grant of one (account, resource) for the rest of the implicit transaction,
            // so two increases cannot both see the same headroom.
            await using var batch = new NpgsqlBatch(connection);
            var lockCmd = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(@class, hashtext(@account || '/' || @resource))");
            lockCmd.Parameters.AddWithValue("class", QuotaLockClass);
            lockCmd.Parameters.AddWithValue("account", request.Account);
            lockCmd.Parameters.AddWithValue("resource", request.Resource);
            batch.BatchCommands.Add(lockCmd);
            var grant = new NpgsqlBatchCommand(QuotaSql);
            grant.Parameters.AddWithValue("account", request.Account);
            grant.Parameters.AddWithValue("resource", request.Resource);
            grant.Parameters.AddWithValue("scope", request.Scope);
            grant.Parameters.AddWithValue("epoch", (long)request.Epoch);
            grant.Parameters.AddWithValue("want", request.Want);
            grant.Parameters.AddWithValue("limit", request.Limit);
            batch.BatchCommands.Add(grant);
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? reader.GetInt64(0) : 0L;
        }, cancel);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PeerQuote>> ExchangeQuotesAsync(string scope, uint epoch, IReadOnlyList<PeerQuote> mine, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(mine);
        var symbols = new string[mine.Count];
        var bids = new long[mine.Count];
        var asks = new long[mine.Count];
        for (int i = 0; i < mine.Count; i++)
            (symbols[i], bids[i], asks[i]) = (mine[i].Symbol, mine[i].BidRaw, mine[i].AskRaw);
        // One row per symbol: a duplicate would fail the upsert as a database error, i.e. look like an outage.
        if (symbols.Distinct(StringComparer.Ordinal).Count() != symbols.Length)
            throw new ArgumentException($"each symbol is published at most once per call: [{string.Join(", ", symbols)}]", nameof(mine));
        return RunAsync<IReadOnlyList<PeerQuote>>("exchange quotes", _commandTimeout, async (connection, ct) =>
        {
            await using var cmd = new NpgsqlCommand(QuotesSql, connection);
            cmd.Parameters.AddWithValue("scope", scope);
            cmd.Parameters.AddWithValue("epoch", (long)epoch);
            cmd.Parameters.AddWithValue("symbols", NpgsqlDbType.Array | NpgsqlDbType.Text, symbols);
            cmd.Parameters.AddWithValue("bids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, bids);
            cmd.Parameters.AddWithValue("asks", NpgsqlDbType.Array | NpgsqlDbType.Bigint, asks);
            await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var peers = new List<PeerQuote>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                peers.Add(new PeerQuote(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            return peers;
        }, cancel);
    }

    /// <inheritdoc/>
    public Task AddZombiesAsync(string scope, long count, CancellationToken cancel) =>
        RunAsync("count zombies", _commandTimeout, async (connection, ct) =>
        {
            await using var cmd = new NpgsqlCommand("UPDATE fathom_cluster.leases SET zombies = zombies + @count WHERE scope = @scope", connection);
            cmd.Parameters.AddWithValue("scope", scope);
            cmd.Parameters.AddWithValue("count", count);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancel);

    /// <inheritdoc/>
    /// <remarks>A lease's <see cref="LeaseStatus.ExpiresIn"/> is negative once it has expired (how long ago).</remarks>
    public Task<ClusterStatus> StatusAsync(CancellationToken cancel) =>
        RunAsync("read the status", _commandTimeout, async (connection, ct) =>
        {
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands = { new(StatusLeasesSql), new(StatusMembersSql), new(StatusQuotasSql) },
            };
            await using var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var leases = new List<LeaseStatus>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                leases.Add(new LeaseStatus(reader.GetString(0), reader.GetString(1), (ushort)reader.GetInt32(2), (uint)reader.GetInt64(3),
                    TimeSpan.FromSeconds(reader.GetDouble(4)), reader.GetBoolean(5), reader.GetInt64(6), reader.GetInt64(7)));
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            var members = new List<MemberStatus>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                members.Add(new MemberStatus(reader.GetString(0), (ushort)reader.GetInt32(1), reader.GetString(2),
                    TimeSpan.FromSeconds(reader.GetDouble(3)), reader.GetBoolean(4)));
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            var quotas = new List<QuotaStatus>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                quotas.Add(new QuotaStatus(reader.GetString(0), reader.GetString(1), reader.GetString(2), (uint)reader.GetInt64(3),
                    reader.GetInt64(4), reader.GetBoolean(5)));
            return new ClusterStatus(leases, members, quotas);
        }, cancel);

    /// <summary>Closes the connection pool. Leases are left to expire (release them first for a clean stop).</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled connection within <paramref name="timeout"/>: every database or
    /// socket failure and the timeout become <see cref="CoordinationUnavailableException"/>; the caller's own
    /// cancellation stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private async Task<T> RunAsync<T>(string what, TimeSpan timeout, Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken cancel)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        bound.CancelAfter(timeout);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(bound.Token).ConfigureAwait(false);
            return await work(connection, bound.Token).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == SequenceExhausted)
        {
            throw EpochsExhausted(e);
        }
        catch (Exception e) when (cancel.IsCancellationRequested && e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            throw new OperationCanceledException($"{what} was cancelled", e, cancel);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new CoordinationUnavailableException(
                $"the coordination service at {_location} did not {what} within {timeout.TotalMilliseconds:F0} ms: the lease is in doubt", e);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            // Npgsql reports our own timeout as a NpgsqlException wrapping a TimeoutException; say which it was.
            string cause = e.InnerException is TimeoutException || e is TimeoutException
                ? $"did not answer within {timeout.TotalMilliseconds:F0} ms"
                : $"failed ({e.Message})";
            throw new CoordinationUnavailableException($"the coordination service at {_location} could not {what}: it {cause}; the lease is in doubt", e);
        }
    }

    private InvalidOperationException EpochsExhausted(Exception? inner) =>
        new($"every lease epoch up to {ClientOrderIdFormat.MaxEpoch} (the 4 base-36 digits of a client order id) has been granted by {_location} " +
            "(sequence fathom_cluster.epochs): epochs never wrap, as an old epoch's orders could be taken for a new one's; " +
            "a new client-order-id prefix or node is needed before the sequence is reset", inner);
}
