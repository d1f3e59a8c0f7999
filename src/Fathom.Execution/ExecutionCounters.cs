namespace Fathom.Execution;

/// <summary>What execution has done and refused, for metrics and tests. Plain fields: single-threaded core.</summary>
public sealed class ExecutionCounters
{
    public long Intents;
    public long Places;
    public long Cancels;
    public long CancelReplaces;
    public long Amends;
    public long Queries;
    public long QuotesKept;
    /// <summary>Work not done because a command for the order is in flight (re-tried when its report arrives).</summary>
    public long DeferredBusy;
    /// <summary>Work not done because the instrument's in-flight cap was reached.</summary>
    public long DeferredByCap;
    /// <summary>Work not done because the order's back-off after a rejected cancel/replace/amend runs (re-tried when it expires).</summary>
    public long DeferredByBackoff;
    /// <summary>Work not done because the venue's Retry-After or ban holds every command (re-tried when it ends).</summary>
    public long DeferredByVenueHold;
    /// <summary>Rejected cancels, cancel-replaces and amends that started or lengthened an order's back-off.</summary>
    public long ModifyRejects;
    /// <summary>Rejects that carried a Retry-After or a ban and so held every command.</summary>
    public long VenueHolds;
    public long Bans;
    public long RiskRefusals;
    /// <summary>A cancel-replace whose new leg risk refused, sent as a plain cancel instead.</summary>
    public long ReplacesDegradedToCancel;
    public long FilterRefusals;
    public long TableFull;
    public long Transitions;
    public long IllegalTransitions;
    public long DuplicateReports;
    public long DuplicateFills;
    public long Fills;
    /// <summary>Stored fills applied to positions on a restart (<c>ExecutionEngine.RestoreFill</c>); not in <see cref="Fills"/>.</summary>
    public long RestoredFills;
    public long Overfills;
    public long FillsForUnknownOrders;
    public long ForeignReports;
    public long OtherInstanceReports;
    /// <summary>Reports for orders an earlier run (epoch) of this instance placed: not in the table.</summary>
    public long EarlierRunReports;
    /// <summary>Cancels sent for an earlier run's orders found open (orphans) while running.</summary>
    public long OrphanCancels;
    /// <summary>Restart: earlier runs' open orders taken into the table (kept as quotes, or cancelled there).</summary>
    public long AdoptedOrders;
    /// <summary>Restart: adopted orders cancelled (no quote slot for them, trading halted, or no quote target within the grace).</summary>
    public long AdoptedCancels;
    /// <summary>Restart: orders the store held as open that the venue did not list, entered as Unknown for a query.</summary>
    public long RecoveredOrders;
    /// <summary>Query answers and fills that named an order by a later id of ours than its current one (an amend whose answer was lost, or never stored before a crash).</summary>
    public long RenamedByVenue;
    public long UnknownOrderReports;
    public long StaleQueryResults;
    /// <summary>Orders waiting for their place's answer that a reconnect's listing showed open (acked by it: the answer was lost).</summary>
    public long AckedByListing;
    public long NotFoundUnproven;
    public long NeverReachedVenue;
    /// <summary>Query answers (filled, cancelled, expired) that claimed more executed quantity than the fills seen: left Unknown, queried again.</summary>
    public long QueryFillsMissing;
    /// <summary>Query answers saying FILLED for an order held as working whose fills had all arrived (it was smaller than we held it): ended by the answer.</summary>
    public long FilledByAnswer;
    /// <summary>New orders, amends and replacements not sent because the lease's deadline had passed.</summary>
    public long LeaseRefusals;
    /// <summary>Times the lease lapsed or was lost (every order cancelled, quoting stopped).</summary>
    public long LeaseLapses;
    /// <summary>Cancels sent for open orders another holder of this scope placed under an older epoch (zombies).</summary>
    public long ZombieCancels;
    /// <summary>New orders refused because they would reach another instance's resting order (cross-instance self-trade check).</summary>
    public long PeerCrossRefusals;
}
