using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Venues.Okx;

namespace Fathom.Hosting;

/// <summary>
/// OKX v5 (production, demo trading, or a server speaking its protocol): the <c>/ws/v5/public</c> feed with REST
/// <c>market/books</c> snapshots for market data. Order entry is not available yet: <see cref="CreateOrderEntry"/>
/// refuses (issue 19; the OKX order gateway is being written), and <c>fathom run</c> refuses an OKX config when it
/// validates it, before anything connects.
/// </summary>
public sealed class OkxVenue(string name, OkxEndpoints endpoints, HttpClient http, TimeProvider time, OkxFeedOptions? feed = null) : IVenue
{
    /// <summary>The refusal <see cref="CreateOrderEntry"/> throws and <c>fathom run</c> reports.</summary>
    public const string OrderEntryUnavailable = "OKX order entry: issue 19, in progress";

    /// <summary>False until the OKX order gateway is composed here; <c>fathom run</c> checks it at config validation.</summary>
    public static bool SupportsOrderEntry => false;

    public string Name { get; } = name;
    public OkxEndpoints Endpoints { get; } = endpoints;

    public IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer)
    {
        ArgumentNullException.ThrowIfNull(specs);
        foreach (var spec in specs)
            if (spec.Venue != Venue.Okx)
                throw new ArgumentException($"{spec.Symbol} is a {spec.Venue} instrument; the OKX feed needs specs from OKX's instrument list (venue Okx)", nameof(specs));
        return new OkxMarketDataFeed(specs, Endpoints, http, time, feed, observer, coreLock: coreLock);
    }

    /// <exception cref="NotSupportedException">Always, for now: see <see cref="OrderEntryUnavailable"/>.</exception>
    public IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency) =>
        throw new NotSupportedException(OrderEntryUnavailable);

    public CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog) => CoreWarmup.RunOkx(setup, frames, catalog);
}
