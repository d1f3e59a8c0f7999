using Fathom.Hosting.Cluster;
using Fathom.Persistence.Coordination;
using Fathom.Venues.Binance;
using Microsoft.Extensions.Configuration;

namespace Fathom.Hosting.Run;

/// <summary>
/// What <c>fathom cluster status --config</c> shows: the leases, members and quotas of the coordination service a
/// run config names, as the service's own <see cref="ICoordinationService.StatusAsync"/> reads them on its clock.
/// Nothing here contacts the venue or reads an API key; the connection string is read from the variable
/// <c>store.connectionStringVariable</c> names and never kept in the report (<see cref="Service"/> is
/// <see cref="ICoordinationService.Describe"/>).
/// </summary>
/// <remarks>
/// <para>PostgreSQL: the service is opened as a run opens it (<see cref="PgCoordination.OpenAsync(string, CancellationToken)"/>,
/// which creates the <c>fathom_cluster</c> schema when missing: a database no instance has coordinated in yet reads
/// as an empty cluster).</para>
/// <para>Local: the lease lives in the running process's memory; nothing is shared to read. The report carries
/// the last epoch recorded in the state directory's epoch file instead, read without taking its lock, so it
/// never disturbs a running instance or one that is starting.</para>
/// <para>Quotas of <c>position:SYMBOL</c> are raw base quantities at the symbol's quantity decimals. Every venue a
/// run config names is Binance's API, whose instruments all use <see cref="BinanceSymbol.WireDecimals"/>
/// (<see cref="QtyDecimals"/>), so they can be shown as decimals without the venue's exchange info.</para>
/// </remarks>
internal sealed record ClusterReport
{
    public required string ConfigPath { get; init; }
    public required CoordinationKind Kind { get; init; }
    /// <summary>The config's own lease scope and quota account (to mark its rows).</summary>
    public required string Scope { get; init; }
    public required string Account { get; init; }
    /// <summary>Where the service is (<see cref="ICoordinationService.Describe"/> or the epoch file): never a user or password.</summary>
    public required string Service { get; init; }
    /// <summary>PostgreSQL: what the service returned. Local: empty.</summary>
    public required ClusterStatus Status { get; init; }
    /// <summary>Local: the epoch file, and the last epoch it records (0: none granted yet, or no file). Null for PostgreSQL.</summary>
    public string? EpochFile { get; init; }
    public uint? LastEpoch { get; init; }
    public const int QtyDecimals = BinanceSymbol.WireDecimals;

    /// <summary>
    /// Reads the status of the service <paramref name="configPath"/> names. Throws <see cref="RunConfigException"/> for a
    /// bad config, <see cref="HostInputException"/> when the connection string variable is unset or malformed, and
    /// <see cref="ClusterUnreadableException"/> when the service cannot be reached or read (or the local epoch file is corrupt).
    /// </summary>
    public static async Task<ClusterReport> ReadAsync(string configPath, IConfiguration? configuration, Func<string, string?> getVariable,
        CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(getVariable);
        RunConfig config = RunConfig.Load(configPath, StrategyCatalog.CreateDefault(), configuration);
        var empty = new ClusterStatus([], [], []);
        if (config.Cluster.Kind == CoordinationKind.Local)
        {
            string file = Path.GetFullPath(config.LeaseEpochPath);
            uint last;
            try
            {
                last = LocalCoordination.ReadLastEpoch(file);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                throw new ClusterUnreadableException($"the local lease epoch file {file} cannot be read: {ex.Message}", ex);
            }
            return new ClusterReport
            {
                ConfigPath = config.SourcePath,
                Kind = CoordinationKind.Local,
                Scope = config.Cluster.Scope,
                Account = config.Cluster.Account,
                Service = $"local ({file})",
                Status = empty,
                EpochFile = file,
                LastEpoch = last,
            };
        }

        TradeStoreOptions store = config.StoreOptions(getVariable);
        // The coordination tables are in the database's fathom_cluster schema, not the store's per-scope schema.
        string where = TradeStoreOptions.Postgres(store.ConnectionString!).Describe();
        PgCoordination service;
        try
        {
            service = await PgCoordination.OpenAsync(store.ConnectionString!, cancel).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            // Npgsql's message names the bad keyword, never a value.
            throw new HostInputException($"{config.SourcePath}: the connection string in ${config.Store.ConnectionStringVariable} is malformed: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is CoordinationUnavailableException or InvalidOperationException)
        {
            // InvalidOperationException: a coordination schema written by a newer build.
            throw new ClusterUnreadableException($"the coordination service at {where} cannot be opened: {Cause(ex)}", ex);
        }
        await using (service.ConfigureAwait(false))
        {
            ClusterStatus status;
            try
            {
                status = await service.StatusAsync(cancel).ConfigureAwait(false);
            }
            catch (CoordinationUnavailableException ex)
            {
                throw new ClusterUnreadableException($"the coordination service at {where} cannot be read: {Cause(ex)}", ex);
            }
            return new ClusterReport
            {
                ConfigPath = config.SourcePath,
                Kind = CoordinationKind.Postgres,
                Scope = config.Cluster.Scope,
                Account = config.Cluster.Account,
                Service = service.Describe(),
                Status = status,
            };
        }
    }

    /// <summary>
    /// What went wrong, without the service's own framing (which names the location again and speaks of a lease in
    /// doubt, true for a run, not for a reader). Npgsql's messages name the host, never a password.
    /// </summary>
    private static string Cause(Exception ex) => ex switch
    {
        CoordinationUnavailableException { InnerException: OperationCanceledException or TimeoutException or { InnerException: TimeoutException } } =>
            $"it did not answer within {PgCoordination.DefaultCommandTimeout.TotalSeconds:F0} s",
        CoordinationUnavailableException { InnerException: { } inner } => inner.Message,
        _ => ex.Message,
    };

    /// <summary>The symbol of a <c>position:SYMBOL</c> quota (a raw base quantity), or null for another resource (<c>orders</c>: a count).</summary>
    public static string? PositionSymbol(string resource) =>
        resource.StartsWith("position:", StringComparison.Ordinal) ? resource["position:".Length..] : null;
}
