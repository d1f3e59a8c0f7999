using Fathom.Journal;
using Fathom.MarketData;

namespace Fathom.Hosting;

/// <summary>
/// One core's market data from several venues: each venue's own feed core (its parser, router and books, numbered
/// locally 0..n-1) behind the core's global instrument ids, the setup's spec order. Instrument <c>g</c> is local
/// instrument <see cref="LocalOf"/>(g) of venue <see cref="VenueOf"/>(g).
/// </summary>
/// <remarks>
/// Invariants: every venue core was built on this core's <see cref="CoreLock"/> (the single writer: each venue's
/// threads apply their inputs under the one lock, so inputs from all venues are serialized through one door);
/// every global id belongs to exactly one venue. <see cref="AfterApply"/> and <see cref="Journal"/> are set on every
/// venue core, so the engine runs after each input of any venue and every input is journaled, in the order the
/// lock admitted them. The venue cores journal their records untagged (local instrument ids, connection ids), so
/// such a journal cannot be replayed: <see cref="CoreComposition"/> marks it in the meta record and
/// <c>fathom replay</c> refuses it, and <see cref="Replay"/> refuses too.
/// </remarks>
public sealed class MultiVenueFeedCore : IFeedCore
{
    private readonly IFeedCore[] _venues;
    private readonly BookSync[] _books;
    private readonly int[] _venueOf;
    private readonly int[] _localOf;
    private Action<long>? _afterApply;
    private CoreJournal? _journal;

    /// <param name="coreLock">The core's lock; every venue core must hold this same lock.</param>
    /// <param name="venues">Each venue's feed core with the global ids of its instruments (local i is <c>Instruments[i]</c>).</param>
    public MultiVenueFeedCore(Lock coreLock, IReadOnlyList<(IFeedCore Core, IReadOnlyList<int> Instruments)> venues)
    {
        if (coreLock is null)
            throw new ArgumentNullException(nameof(coreLock));
        ArgumentNullException.ThrowIfNull(venues);
        if (venues.Count == 0)
            throw new ArgumentException("at least one venue is required", nameof(venues));
        int count = venues.Sum(v => v.Instruments.Count);
        _venues = new IFeedCore[venues.Count];
        _books = new BookSync[count];
        _venueOf = new int[count];
        _localOf = new int[count];
        Array.Fill(_venueOf, -1);
        for (int v = 0; v < venues.Count; v++)
        {
            (IFeedCore core, IReadOnlyList<int> instruments) = venues[v];
            ArgumentNullException.ThrowIfNull(core);
            if (core.CoreLock != coreLock)
                throw new ArgumentException($"venue {v}'s feed core has its own lock: every venue must apply its inputs under the one core lock", nameof(venues));
            if (core.Books.Count != instruments.Count)
                throw new ArgumentException($"venue {v}'s feed core has {core.Books.Count} books for {instruments.Count} instruments", nameof(venues));
            for (int local = 0; local < instruments.Count; local++)
            {
                int g = instruments[local];
                if ((uint)g >= (uint)count)
                    throw new ArgumentException($"venue {v} names instrument {g}; the core has instruments 0..{count - 1}", nameof(venues));
                if (_venueOf[g] >= 0)
                    throw new ArgumentException($"instrument {g} is given to venues {_venueOf[g]} and {v}; each instrument has one venue", nameof(venues));
                _venueOf[g] = v;
                _localOf[g] = local;
                _books[g] = core.Books[local];
            }
            _venues[v] = core;
        }
        CoreLock = coreLock;
    }

    public Lock CoreLock { get; }

    /// <summary>Global instrument g's book (the owning venue core's book of its local instrument).</summary>
    public IReadOnlyList<BookSync> Books => _books;

    /// <summary>The venue cores, in the order given.</summary>
    public IReadOnlyList<IFeedCore> Venues => _venues;

    /// <summary>The venue (index into <see cref="Venues"/>) that owns global instrument <paramref name="instrumentId"/>.</summary>
    public int VenueOf(int instrumentId) => _venueOf[instrumentId];

    /// <summary>Global instrument <paramref name="instrumentId"/>'s id in its venue's core.</summary>
    public int LocalOf(int instrumentId) => _localOf[instrumentId];

    /// <summary>Hangs the handler on the owning venue core's router, at the local id its parser emits.</summary>
    public void SetHandler(int instrumentId, IMarketDataHandler handler)
    {
        if ((uint)instrumentId >= (uint)_books.Length)
            throw new ArgumentOutOfRangeException(nameof(instrumentId), instrumentId, $"the core has instruments 0..{_books.Length - 1}");
        _venues[_venueOf[instrumentId]].SetHandler(_localOf[instrumentId], handler);
    }

    /// <summary>Set on every venue core: the engine runs after each input, whichever venue it came from.</summary>
    public Action<long>? AfterApply
    {
        get => _afterApply;
        set
        {
            _afterApply = value;
            foreach (IFeedCore venue in _venues)
                venue.AfterApply = value;
        }
    }

    /// <summary>Set on every venue core: one journal, inputs in the order the core lock admitted them (not replayable, see the remarks).</summary>
    public CoreJournal? Journal
    {
        get => _journal;
        set
        {
            _journal = value;
            foreach (IFeedCore venue in _venues)
                venue.Journal = value;
        }
    }

    /// <summary>Always refuses: a multi-venue journal's market-data records do not say which venue they came from.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public bool Replay(in JournalEntry entry) =>
        throw new NotSupportedException(CoreComposition.MultiVenueReplayRefusal);
}
