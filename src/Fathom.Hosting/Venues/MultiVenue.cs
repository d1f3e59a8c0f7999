using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Hosting;

/// <summary>
/// Several venues as one <see cref="IVenue"/>, so one core (one lock, one engine, one strategy set) holds all their
/// instruments and <see cref="EngineHost"/> runs it unchanged: each <see cref="VenueShare"/> names a venue and the
/// setup's instruments it owns. Market data: each venue's own feed on its instruments (numbered locally), composed
/// into a <see cref="MultiVenueFeedCore"/> on the core's lock. Order entry: a <see cref="MultiVenueOrderGateway"/>
/// routing each command by its instrument to the owning venue's gateway.
/// </summary>
/// <remarks>
/// What is not supported: replaying the journal of such a core (refused, see <see cref="CoreComposition.MultiVenueReplayRefusal"/>);
/// two instruments with the same symbol (the trade store keys fills by symbol). Gateway-side latency (tick-to-wire,
/// command-to-ack, tick-to-ack) of the first venue goes to the engine's histograms; each other venue records into its
/// own (<see cref="Latencies"/>), since each venue's gateway writes them from its own threads.
/// </remarks>
public sealed class MultiVenue : IVenue
{
    private readonly VenueShare[] _shares;
    private readonly EngineLatency?[] _latencies;

    public MultiVenue(string name, IReadOnlyList<VenueShare> shares)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
            throw new ArgumentException("at least one venue is required", nameof(shares));
        var seen = new HashSet<int>();
        foreach (VenueShare share in shares)
        {
            ArgumentNullException.ThrowIfNull(share?.Venue, nameof(shares));
            if (share.Instruments.Count == 0)
                throw new ArgumentException($"venue {share.Venue.Name} is given no instrument", nameof(shares));
            foreach (int g in share.Instruments)
                if (g < 0 || !seen.Add(g))
                    throw new ArgumentException($"instrument {g} is negative or given to two venues", nameof(shares));
        }
        if (seen.Count == 0 || seen.Max() != seen.Count - 1)
            throw new ArgumentException($"the venues must share instruments 0..n-1 exactly; got {string.Join(", ", seen.Order())}", nameof(shares));
        Name = name;
        _shares = [.. shares];
        _latencies = new EngineLatency?[_shares.Length];
    }

    public string Name { get; }
    public IReadOnlyList<VenueShare> Shares => _shares;

    /// <summary>The first venue's order-entry fault, in share order (any one halts the core: it trades every venue).</summary>
    public Exception? OrderEntryFault => _shares.Select(s => s.Venue.OrderEntryFault).FirstOrDefault(e => e is not null);

    /// <summary>The first reconnecting venue's reason, in share order.</summary>
    public Exception? OrderEntryReconnectError => _shares.Select(s => s.Venue.OrderEntryReconnectError).FirstOrDefault(e => e is not null);
    /// <summary>Every venue's failures counted together; the reason is the first venue's with one.</summary>
    public ClockSyncFailures OrderEntryClockSyncFailures => new(
        _shares.Sum(s => s.Venue.OrderEntryClockSyncFailures.Count),
        _shares.Select(s => s.Venue.OrderEntryClockSyncFailures.Last).FirstOrDefault(e => e is not null));

    /// <summary>Per venue, the latency histograms its gateway records into (the engine's for venue 0); null before order entry exists.</summary>
    public IReadOnlyList<EngineLatency?> Latencies => _latencies;

    public IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer)
    {
        ArgumentNullException.ThrowIfNull(specs);
        if (coreLock is null)
            throw new ArgumentNullException(nameof(coreLock));
        if (specs.Count != _shares.Sum(s => s.Instruments.Count))
            throw new ArgumentException($"the core has {specs.Count} instruments; the venues share {_shares.Sum(s => s.Instruments.Count)}", nameof(specs));
        string? duplicate = specs.GroupBy(s => s.Symbol, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
            throw new ArgumentException($"symbol {duplicate} appears twice: instruments of one core need distinct symbols (the trade store keys fills by symbol)", nameof(specs));
        var feeds = new List<IMarketDataFeed>(_shares.Length);
        try
        {
            foreach (VenueShare share in _shares)
            {
                int[] ids = [.. share.Instruments];
                // Each venue's books number their instruments locally; the host's observer hears global ids.
                Action<SyncTransition>? mapped = observer is null ? null : t => observer(t with { InstrumentId = ids[t.InstrumentId] });
                feeds.Add(share.Venue.CreateMarketData([.. ids.Select(g => specs[g])], coreLock, mapped));
            }
            var core = new MultiVenueFeedCore(coreLock, [.. feeds.Select((f, v) => (f.Core, (IReadOnlyList<int>)_shares[v].Instruments))]);
            return new MultiVenueMarketDataFeed(core, feeds, [.. _shares.Select(s => s.Venue.Name)]);
        }
        catch
        {
            foreach (IMarketDataFeed feed in feeds)
                feed.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency) =>
        new MultiVenueOrderGateway([.. _shares.Select(s => s.Instruments)], sink, (v, venueSink) =>
        {
            EngineLatency? own = latency is null ? null : v == 0 ? latency : new EngineLatency();
            _latencies[v] = own;
            return _shares[v].Venue.CreateOrderEntry(venueSink, format, own);
        });

    /// <summary>
    /// The composition on a throwaway core with every venue's wire format: each instrument is driven in its own venue's
    /// frames (OKX's for <see cref="Venue.Okx"/> specs, Binance's otherwise), through one <see cref="MultiVenueFeedCore"/>.
    /// </summary>
    public CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog) =>
        CoreWarmup.RunMultiVenue(setup, [.. _shares.Select(s => s.Instruments)], frames, catalog);
}
