using Fathom.MarketData;

namespace Fathom.Journal;

/// <summary>
/// The part of a venue's market-data feed that belongs to the core: each instrument's
/// <see cref="BookSync"/>, the router the analyzers hang on, the hook that runs the engine after every
/// applied input, and the journal every input is written to. No sockets: the venue's feed hands it what
/// the network delivered, a journal replay what the journal recorded.
/// </summary>
/// <remarks>
/// Every input is applied under <see cref="CoreLock"/>, which the composition root creates and hands to
/// both the feed and the engine: the core's lock belongs to the core, not to a venue.
/// </remarks>
public interface IFeedCore
{
    /// <summary>Held while an input is applied; take it to read books consistently.</summary>
    Lock CoreLock { get; }

    /// <summary>Instrument i's book and sync state machine.</summary>
    IReadOnlyList<BookSync> Books { get; }

    /// <summary>
    /// Routes instrument <paramref name="instrumentId"/>'s level changes through <paramref name="handler"/> (the signal
    /// analyzer), which then owns calling the instrument's <see cref="BookSync"/> (<see cref="MarketDataRouter.SetHandler"/>).
    /// </summary>
    void SetHandler(int instrumentId, IMarketDataHandler handler);

    /// <summary>Called under the core lock right after each input was applied, with its monotonic stamp.</summary>
    Action<long>? AfterApply { get; set; }

    /// <summary>Every input, stamped, for deterministic replay; shared with the engine.</summary>
    CoreJournal? Journal { get; set; }

    /// <summary>Re-applies one journaled market-data input; false when the entry is not one of this feed's.</summary>
    bool Replay(in JournalEntry entry);
}

/// <summary>
/// A venue's live market-data feed as the host runs it: it connects, keeps every book in sync (snapshots
/// over REST only to recover) and applies each input to <see cref="Core"/> under the core lock.
/// </summary>
public interface IMarketDataFeed : IAsyncDisposable
{
    /// <summary>The books, router, hook and journal the feed applies its inputs to.</summary>
    IFeedCore Core { get; }

    /// <summary>Runs until <paramref name="cancel"/>: connects, reconnects, resyncs.</summary>
    Task RunAsync(CancellationToken cancel);

    /// <summary>Stream disconnects since the start (planned reconnects excluded where the venue tells them apart).</summary>
    long Disconnects { get; }

    /// <summary>The last unplanned disconnect (when, which connection, why it ended), for the log and operators; null until one happens.</summary>
    string? LastDisconnect { get; }
}
