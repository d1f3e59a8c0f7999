using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Persistence;
using Fathom.Venues.Binance;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Fathom.Hosting.Run;

/// <summary>One symbol's position as this instance's stored fills add it up (<see cref="PersistedState.PositionOf"/>).</summary>
internal sealed record StoredPosition(string Symbol, PositionLedger Ledger, int Fills, int OtherFills, long? LastTradeId);

/// <summary>The stored risk day, with the day's realized loss so far (start PnL minus the realized PnL of the stored fills).</summary>
internal sealed record StoredDay(RiskDayRecord Record, DateTimeOffset StartsUtc, bool IsToday, long RealizedPnl, long LossSoFar, long MaxDailyLoss);

/// <summary>
/// What <c>fathom state --config</c> shows: the trade store a run config names, read offline. Nothing here
/// contacts the venue or reads a credential; the store is opened as a run opens it (which migrates an older
/// schema) and never created: a missing file is a <see cref="HostInputException"/>.
/// </summary>
/// <remarks>
/// Positions are <see cref="PersistedState.PositionOf"/> over the fills of the config's instance id, exactly as
/// a restart rebuilds them. Amounts are raw fixed point at Binance's wire precision
/// (<see cref="BinanceSymbol.WireDecimals"/>: every Binance instrument's price and quantity decimals, the
/// venue's tick and step are not needed to read them) and money at the risk limits' money decimals.
/// Stored times are the engine's monotonic clock (nanoseconds since an arbitrary origin, the boot on
/// Linux), not dates: <see cref="MonotonicNowNs"/> lets a reader say how long ago they were, if the
/// machine has not restarted since.
/// </remarks>
internal sealed record StateReport
{
    public required string ConfigPath { get; init; }
    public required string StorePath { get; init; }
    public required ushort InstanceId { get; init; }
    public required ClientOrderIdFormat IdFormat { get; init; }
    public required int PriceDecimals { get; init; }
    public required int QtyDecimals { get; init; }
    public required int MoneyDecimals { get; init; }
    /// <summary>The config's symbols in its order, then any other symbol the store holds fills or orders of.</summary>
    public required IReadOnlyList<StoredPosition> Positions { get; init; }
    /// <summary>The orders whose last stored state is not terminal (every instance's).</summary>
    public required IReadOnlyList<PersistedOrder> OpenOrders { get; init; }
    public required StoredDay? Day { get; init; }
    public required RiskHaltRecord? Halt { get; init; }
    /// <summary>The latest stored risk state changes (kill-switch trips and releases, halts), oldest first.</summary>
    public IReadOnlyList<StoredRiskEvent> RiskEvents { get; init; } = [];
    /// <summary>The monotonic clock when the store was read (to age the stored times).</summary>
    public required long MonotonicNowNs { get; init; }

    /// <summary>
    /// Reads the store <paramref name="configPath"/> names. Throws <see cref="RunConfigException"/> for a bad config,
    /// <see cref="HostInputException"/> when there is no store at its path, <see cref="TradeStoreUnreadableException"/>
    /// when the file cannot be read as a trade store.
    /// </summary>
    public static async Task<StateReport> ReadAsync(string configPath, IConfiguration? configuration = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        RunConfig config = RunConfig.Load(configPath, StrategyCatalog.CreateDefault(), configuration);
        TradeStoreOptions options = config.StoreOptions(Environment.GetEnvironmentVariable);
        string path = options.Kind == TradeStoreKind.Postgres ? "the PostgreSQL store" : config.StorePath;
        // Opening creates a missing database: an empty store would read as "flat, no halt", which it is not.
        if (options.Kind == TradeStoreKind.Sqlite && !File.Exists(path))
            throw new HostInputException($"no trade store at {path} (the state directory {config.StateDirectory} of {config.SourcePath} holds none): " +
                "nothing was stored there yet, or the config's stateDirectory points elsewhere");
        string[] symbols = [.. config.Symbols.Select(s => s.Symbol)];
        PersistedState state;
        try
        {
            // As a run opens it: its symbols key a version 1 store's migration, its instance owns that store's fills.
            await using var store = options.Open(symbols, config.InstanceId);
            state = store.Load();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException or System.Data.Common.DbException)
        {
            // InvalidOperationException: a store written by a newer build (its schema is refused, never rewritten).
            throw new TradeStoreUnreadableException($"the trade store {path} cannot be read: {ex.Message}", ex);
        }

        const int px = BinanceSymbol.WireDecimals, qx = BinanceSymbol.WireDecimals;
        ushort node = config.InstanceId;
        var names = symbols.Concat(state.Fills.Select(f => f.Symbol)).Concat(state.OpenOrders.Select(o => o.Symbol))
            .Distinct(StringComparer.Ordinal).ToList();
        var positions = new List<StoredPosition>(names.Count);
        int money = config.Risk.MoneyDecimals;
        long realized = 0;
        foreach (string symbol in names)
        {
            PositionLedger ledger = state.PositionOf(symbol, node, px, qx);
            int ours = state.Fills.Count(f => f.Symbol == symbol && !f.ClientId.IsNone && f.ClientId.Node == node);
            int others = state.Fills.Count(f => f.Symbol == symbol) - ours;
            positions.Add(new StoredPosition(symbol, ledger, ours, others,
                state.LastTradeIds.TryGetValue(symbol, out long last) ? last : null));
            realized += FixedPoint.Rescale(ledger.RealizedPnl, px, money);
        }

        StoredDay? day = null;
        if (state.Day is RiskDayRecord d)
        {
            long offset = config.Risk.TradingDayStartOffsetNs;
            var starts = DateTimeOffset.UnixEpoch + TimeSpan.FromDays(d.DayIndex) + TimeSpan.FromTicks(offset / 100);
            bool today = TradingDay.IndexOf(time.GetUtcNow(), offset) == d.DayIndex;
            day = new StoredDay(d, starts, today, realized, d.StartPnl - realized, config.Risk.MaxDailyLoss);
        }
        return new StateReport
        {
            ConfigPath = config.SourcePath,
            StorePath = path,
            InstanceId = node,
            IdFormat = new ClientOrderIdFormat(config.ClientOrderIdPrefix),
            PriceDecimals = px,
            QtyDecimals = qx,
            MoneyDecimals = money,
            Positions = positions,
            OpenOrders = state.OpenOrders,
            Day = day,
            Halt = state.Halt,
            RiskEvents = state.RiskEvents,
            MonotonicNowNs = new MonotonicClock(time).NowNanos(),
        };
    }

    /// <summary>An order's client id as the venue knows it (the config's prefix), or its fields when out of the format's range.</summary>
    public string FormatId(ClientOrderId id) => ClientOrderIdFormat.IsValid(id) ? IdFormat.Format(id) : id.ToString();
}
