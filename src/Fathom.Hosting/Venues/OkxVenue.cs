using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Venues.Okx;

namespace Fathom.Hosting;

/// <summary>
/// OKX v5 spot (production, demo trading, or a server speaking its protocol, like <c>fathom sim</c>'s OKX front):
/// the <c>/ws/v5/public</c> feed with REST <c>market/books</c> snapshots for market data, the private WebSocket
/// (<c>/ws/v5/private</c>) with signed REST for order entry (<see cref="OkxOrderGateway"/>).
/// </summary>
/// <param name="instruments">
/// Instrument i of the engine is <c>instruments[i]</c> (its InstrumentId must be i), with the <c>instIdCode</c> read
/// from <c>GET /api/v5/public/instruments</c>.
/// </param>
public sealed class OkxVenue(
    string name,
    OkxEndpoints endpoints,
    OkxOrderGatewayOptions orderEntry,
    OkxCredentials credentials,
    IReadOnlyList<OkxOrderInstrument> instruments,
    HttpClient http,
    TimeProvider time,
    OkxFeedOptions? feed = null) : IVenue
{
    private OkxOrderGateway? _gateway;
    private OkxMarketDataFeed? _feed;

    public string Name { get; } = name;
    public OkxEndpoints Endpoints { get; } = endpoints;
    public IReadOnlyList<OkxOrderInstrument> Instruments { get; } = instruments;

    /// <summary>
    /// Why the last order gateway created here stopped trying (a login refused for good: a wrong key, secret or
    /// passphrase, a blocked or restricted account), or null. Order entry stays reported down; the host turns this
    /// into a visible halt with the reason.
    /// </summary>
    public Exception? OrderEntryFault => Volatile.Read(ref _gateway)?.Fault;

    /// <summary>
    /// While the last order gateway created here is reconnecting: why its last attempt failed (a refused handshake, a
    /// timeout, a login refused as busy, with OKX's code), or null once it is connected
    /// (<see cref="OkxOrderGateway.LastConnectError"/>). The host reports each new reason once.
    /// </summary>
    public Exception? OrderEntryReconnectError => Volatile.Read(ref _gateway)?.LastConnectError;
    public ClockSyncFailures OrderEntryClockSyncFailures => Volatile.Read(ref _gateway)?.ClockSync.Snapshot ?? default;

    public IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer)
    {
        ArgumentNullException.ThrowIfNull(specs);
        foreach (var spec in specs)
            if (spec.Venue != Venue.Okx)
                throw new ArgumentException($"{spec.Symbol} is a {spec.Venue} instrument; the OKX feed needs specs from OKX's instrument list (venue Okx)", nameof(specs));
        if (specs.Count != Instruments.Count || Instruments.Where((x, i) => x.InstrumentId != i || x.InstId != specs[i].Symbol).Any())
            throw new ArgumentException("the venue's instruments and the core's specs must match, instrument i having InstrumentId i and the same instId", nameof(specs));
        var created = new OkxMarketDataFeed(specs, Endpoints, http, time, feed, observer, coreLock: coreLock);
        Volatile.Write(ref _feed, created);
        return created;
    }

    public IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency)
    {
        // OKX's connection-attempt limit is per IP: the gateway's attempts count in the feed's window (when there is one).
        OkxOrderGatewayOptions options = Volatile.Read(ref _feed) is { } marketData && orderEntry.ConnectGate is null
            ? orderEntry with { ConnectGate = marketData.Gate }
            : orderEntry;
        var gateway = new OkxOrderGateway(Instruments, credentials, format, sink, options, http, time);
        if (latency is not null)
        {
            // Every OKX order frame is written by the gateway's send thread: its tick-to-wire is the queued kind.
            gateway.TickToWireQueued = latency.TickToWireQueued;
            gateway.CommandToAck = latency.CommandToAck;
            gateway.TickToAck = latency.TickToAck;
        }
        Volatile.Write(ref _gateway, gateway);
        return gateway;
    }

    public CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog) => CoreWarmup.RunOkx(setup, frames, catalog);

    /// <summary>
    /// The order gateway's options for <paramref name="endpoints"/>: REST and the private WebSocket from the
    /// endpoints, demo trading's <c>x-simulated-trading</c> header when they are OKX's demo.
    /// </summary>
    public static OkxOrderGatewayOptions OrderEntryOptions(OkxEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new OkxOrderGatewayOptions { RestBase = endpoints.RestBase, PrivateWsUrl = endpoints.PrivateWs, SimulatedTrading = endpoints.Simulated };
    }
}
