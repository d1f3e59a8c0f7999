using Fathom.Journal;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Hosting;

/// <summary>
/// Binance spot (or a venue speaking its protocol, like <c>fathom sim</c>): the combined-stream WebSocket
/// with REST snapshots for market data, the WebSocket API with signed REST fallback for order entry.
/// </summary>
/// <param name="instruments">Instrument i of the engine is <c>instruments[i]</c> (its InstrumentId must be i).</param>
public sealed class BinanceVenue(
    string name,
    BinanceEndpoints marketData,
    BinanceOrderGatewayOptions orderEntry,
    BinanceCredentials credentials,
    IReadOnlyList<BinanceOrderInstrument> instruments,
    HttpClient http,
    TimeProvider time,
    BinanceFeedOptions? feed = null) : IVenue
{
    private BinanceOrderGateway? _gateway;

    public string Name { get; } = name;
    public IReadOnlyList<BinanceOrderInstrument> Instruments { get; } = instruments;

    /// <summary>
    /// Why the last order gateway created here stopped reconnecting (the key refused: deleted, its IP or permissions
    /// changed, a wrong secret), or null (<see cref="BinanceOrderGateway.Fault"/>). Order entry stays reported down; the
    /// host turns this into a visible halt with the reason.
    /// </summary>
    public Exception? OrderEntryFault => Volatile.Read(ref _gateway)?.Fault;

    /// <summary>
    /// While the last order gateway created here is reconnecting: why its last attempt failed (a refused or timed-out
    /// connection, a 5xx or rate-limited reconciliation), or null once order entry is up
    /// (<see cref="BinanceOrderGateway.LastConnectError"/>). The host reports each new reason once.
    /// </summary>
    public Exception? OrderEntryReconnectError => Volatile.Read(ref _gateway)?.LastConnectError;
    public ClockSyncFailures OrderEntryClockSyncFailures => Volatile.Read(ref _gateway)?.ClockSync.Snapshot ?? default;

    public IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (specs.Count != Instruments.Count || Instruments.Where((x, i) => x.InstrumentId != i || x.Symbol != specs[i].Symbol).Any())
            throw new ArgumentException("the venue's instruments and the core's specs must match, instrument i having InstrumentId i and the same symbol", nameof(specs));
        return new BinanceMarketDataFeed(specs, marketData, http, time, feed ?? new BinanceFeedOptions(), observer: observer, coreLock: coreLock);
    }

    public IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency)
    {
        var gateway = new BinanceOrderGateway(Instruments, credentials, format, sink, orderEntry, http, time);
        if (latency is not null)
        {
            gateway.TickToWire = latency.TickToWire;
            gateway.TickToWireQueued = latency.TickToWireQueued;
            gateway.CommandToAck = latency.CommandToAck;
            gateway.TickToAck = latency.TickToAck;
        }
        Volatile.Write(ref _gateway, gateway);
        return gateway;
    }

    public CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog) => CoreWarmup.Run(setup, frames, catalog);
}
