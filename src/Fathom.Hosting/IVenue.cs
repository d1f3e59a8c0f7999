using Fathom.Journal;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;

namespace Fathom.Hosting;

/// <summary>
/// A venue as the host composes it: market data applied to the core's books under the core's lock, and
/// order entry reporting into a sink. Everything above this seam (book sync, signals, strategies,
/// execution, risk, the engine, the store, the metrics and control server) is the same for every venue.
/// </summary>
public interface IVenue
{
    /// <summary>Shown in logs and status lines, e.g. <c>binance-testnet</c>.</summary>
    string Name { get; }

    /// <summary>
    /// The live feed of <paramref name="specs"/> (instrument i is <c>specs[i]</c>), applying its inputs under
    /// <paramref name="coreLock"/>; <paramref name="observer"/> sees every book sync transition (on the core thread).
    /// </summary>
    IMarketDataFeed CreateMarketData(IReadOnlyList<InstrumentSpec> specs, Lock coreLock, Action<SyncTransition>? observer);

    /// <summary>
    /// Order entry for the same instruments, reporting into <paramref name="sink"/>; it records tick-to-wire into
    /// <paramref name="latency"/> when given. Not connected until <see cref="IOrderEntry.StartAsync"/>.
    /// </summary>
    IOrderGateway CreateOrderEntry(IReportSink sink, ClientOrderIdFormat format, EngineLatency? latency);

    /// <summary>
    /// Runs the core's composition on a throwaway core with <paramref name="frames"/> synthetic frames per
    /// instrument in this venue's wire format, so the JIT has compiled the hot path before the live core sees a frame.
    /// </summary>
    /// <paramref name="catalog"/> builds the setup's strategies (the built-in ones when null).
    CoreWarmup.Result WarmUp(CoreSetup setup, int frames, StrategyCatalog? catalog);

    /// <summary>
    /// Why the order entry created here stopped trying for good (its key or login refused: it does not heal without a
    /// person), or null. Order entry stays reported down; the host halts trading with this reason (<see cref="OrderEntryWatch"/>).
    /// </summary>
    Exception? OrderEntryFault { get; }

    /// <summary>
    /// While the order entry created here is reconnecting: why its last attempt failed, or null once it is up. The
    /// host reports each new reason once (<see cref="OrderEntryWatch"/>).
    /// </summary>
    Exception? OrderEntryReconnectError { get; }

    /// <summary>
    /// The clock re-syncs the order entry created here tried after the venue refused a timestamp and failed: how many,
    /// and why the last one failed. Orders may keep being refused until a sync succeeds; the host reports the failures
    /// (<see cref="OrderEntryWatch"/>).
    /// </summary>
    ClockSyncFailures OrderEntryClockSyncFailures { get; }
}

