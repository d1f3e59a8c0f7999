using Fathom.Core;

namespace Fathom.Execution;

/// <summary>Execution settings, validated before use (<see cref="Validate"/>). Times in nanoseconds.</summary>
public sealed record ExecutionOptions
{
    /// <summary>Orders with a command in flight or an unknown fate, per instrument; new work waits beyond it.</summary>
    public int MaxInFlightPerInstrument { get; init; } = 4;
    public int MaxLiveOrdersPerInstrument { get; init; } = 16;
    /// <summary>Power of two; late reports for orders older than this many sequence numbers are "unknown order".</summary>
    public int OrderTableCapacity { get; init; } = 4096;
    public int FillDedupCapacity { get; init; } = 1 << 14;
    public int CommandQueueCapacity { get; init; } = 1024;

    /// <summary>A resting quote within this many ticks of its target is kept (queue priority is worth more).</summary>
    public long RepriceToleranceTicks { get; init; } = 1;
    /// <summary>A size increase up to this many steps is ignored; beyond it the quote is replaced.</summary>
    public long QtyToleranceSteps { get; init; }
    /// <summary>Use keep-priority amends for size reductions (the symbol must allow them: Binance <c>amendAllowed</c>).</summary>
    public bool AmendAllowed { get; init; } = true;

    /// <summary>First query after a command's fate became unknown; doubles per "not found" up to the max.</summary>
    public long QueryDelayNs { get; init; } = 500_000_000;
    public long MaxQueryBackoffNs { get; init; } = 8_000_000_000;
    /// <summary>
    /// "Does not exist" proves a new order never arrived only once this long has passed since it was
    /// sent: past the venue's receive window (Binance recvWindow, 5 s by default) plus margin it could no
    /// longer be accepted. Earlier, the order may still be in the venue's queue. A composition that sends
    /// a longer recvWindow must raise it: <see cref="WithReceiveWindow"/>.
    /// </summary>
    public long UnknownProofWindowNs { get; init; } = 15_000_000_000;

    /// <summary>
    /// What <see cref="UnknownProofWindowNs"/> must exceed the venue's receive window by: the request's
    /// time in our queue and on the wire, and clock offset between us and the venue (Binance checks
    /// recvWindow against our timestamp on its clock).
    /// </summary>
    public const long UnknownProofMarginNs = 10_000_000_000;

    /// <summary>
    /// These options with <see cref="UnknownProofWindowNs"/> raised, if needed, to the venue's receive
    /// window + <see cref="UnknownProofMarginNs"/>. Hazard: a window shorter than recvWindow declares an
    /// order that is still in the venue's queue never placed; the venue then accepts it and it rests
    /// untracked (a 60 s recvWindow against the 15 s default did exactly that).
    /// </summary>
    public ExecutionOptions WithReceiveWindow(TimeSpan receiveWindow)
    {
        long needed = receiveWindow.Ticks * TimeSpan.NanosecondsPerTick + UnknownProofMarginNs;
        return needed <= UnknownProofWindowNs ? this : this with { UnknownProofWindowNs = needed };
    }

    /// <summary>
    /// Wait after a rejected cancel (or cancel-replace, or amend) of an order before the next one for it
    /// goes; doubles per consecutive reject of that order up to <see cref="MaxCancelBackoffNs"/>. Without
    /// it every input re-sent a rate-limited cancel at once, and on Binance that ends in an IP ban.
    /// </summary>
    public long CancelRetryDelayNs { get; init; } = 50_000_000;
    public long MaxCancelBackoffNs { get; init; } = 4_000_000_000;
    /// <summary>
    /// A ban (<see cref="Fathom.Gateway.Abstractions.RejectReason.Banned"/>, Binance HTTP 418) without a
    /// Retry-After holds every command this long: Binance bans last from 2 minutes up to 3 days.
    /// </summary>
    public long BanHoldNs { get; init; } = 120_000_000_000;
    /// <summary>
    /// Restart: an adopted resting quote is kept as its side's quote until the strategy quotes the
    /// instrument (then it is kept, repriced or cancelled like any quote). If no quote target comes within
    /// this long of the adoption (a taking strategy, or none owns the instrument), it is cancelled.
    /// </summary>
    public long AdoptGraceNs { get; init; } = 5_000_000_000;

    public ExecutionOptions Validate()
    {
        if (MaxInFlightPerInstrument < 2)
            Fail(nameof(MaxInFlightPerInstrument), "must be ≥ 2 (a cancel-replace holds two orders)");
        if (MaxLiveOrdersPerInstrument < 2)
            Fail(nameof(MaxLiveOrdersPerInstrument), "must be ≥ 2");
        if (OrderTableCapacity < 16 || (OrderTableCapacity & (OrderTableCapacity - 1)) != 0)
            Fail(nameof(OrderTableCapacity), "must be a power of two ≥ 16");
        if (FillDedupCapacity < 16 || (FillDedupCapacity & (FillDedupCapacity - 1)) != 0)
            Fail(nameof(FillDedupCapacity), "must be a power of two ≥ 16");
        if (CommandQueueCapacity < 16)
            Fail(nameof(CommandQueueCapacity), "must be ≥ 16");
        if (RepriceToleranceTicks < 0 || QtyToleranceSteps < 0)
            Fail(nameof(RepriceToleranceTicks), "tolerances must not be negative");
        if (QueryDelayNs <= 0 || MaxQueryBackoffNs < QueryDelayNs)
            Fail(nameof(QueryDelayNs), "needs 0 < delay ≤ max backoff");
        if (UnknownProofWindowNs <= 0)
            Fail(nameof(UnknownProofWindowNs), "must be positive");
        // An hour at most keeps delay << 20 far from overflowing a long.
        if (CancelRetryDelayNs <= 0 || MaxCancelBackoffNs < CancelRetryDelayNs || MaxCancelBackoffNs > 3_600_000_000_000)
            Fail(nameof(CancelRetryDelayNs), "needs 0 < delay ≤ max backoff ≤ 1 h");
        if (BanHoldNs <= 0)
            Fail(nameof(BanHoldNs), "must be positive");
        if (AdoptGraceNs <= 0)
            Fail(nameof(AdoptGraceNs), "must be positive");
        return this;
    }

    private static void Fail(string name, string message) =>
        ThrowHelper.ThrowArgumentOutOfRange(name, $"Execution option {name} {message}.");
}
