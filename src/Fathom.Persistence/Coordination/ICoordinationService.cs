namespace Fathom.Persistence.Coordination;

/// <summary>
/// The coordination service several engine instances share (PostgreSQL, <c>PgCoordination</c>), or the
/// embedded single-instance one (<c>LocalCoordination</c>): leases with fencing epochs per scope,
/// exposure and rate quotas leased in blocks, the instances' resting quotes for the cross-instance
/// self-trade check, and what an operator reads (<see cref="StatusAsync"/>).
/// </summary>
/// <remarks>
/// Every call is one statement or one transaction evaluated on the service's clock (the database's
/// <c>now()</c>, never a caller's wall clock). None sits on the send path: the host's lease keeper calls
/// them on its own thread and hands the results to the core as inputs. A call the service cannot answer
/// throws <see cref="CoordinationUnavailableException"/>; the caller treats the lease as in doubt.
/// </remarks>
public interface ICoordinationService : IAsyncDisposable
{
    /// <summary>Where the service is, for messages (never a user or password).</summary>
    string Describe();

    /// <summary>
    /// Registers (or refreshes) this process as a member: <paramref name="holder"/> is unique per process
    /// start, <paramref name="node"/> the client-id node it sends under. Throws
    /// <see cref="CoordinationConflictException"/> when another live member (heartbeat within
    /// <paramref name="ttl"/>) already uses <paramref name="node"/>: two instances must never share a node.
    /// </summary>
    Task RegisterAsync(string holder, ushort node, string scope, TimeSpan ttl, CancellationToken cancel);

    /// <summary>
    /// Takes the lease of <paramref name="scope"/> when it is free or expired on the service's clock (or already
    /// held by <paramref name="holder"/>), with a new epoch that is strictly greater than every epoch ever
    /// granted by this service (a global sequence, so an epoch names one lease of one scope), valid for
    /// <paramref name="ttl"/> from the service's now. Null when another holder's lease is still live.
    /// </summary>
    Task<LeaseGrant?> TryAcquireAsync(string scope, string holder, ushort node, TimeSpan ttl, CancellationToken cancel);

    /// <summary>
    /// Extends the lease to the service's now + <paramref name="ttl"/> when <paramref name="holder"/> still holds
    /// <paramref name="epoch"/> of <paramref name="scope"/> and it has not expired; false otherwise (lost: never
    /// renewed again, the holder must acquire a fresh lease).
    /// </summary>
    Task<bool> RenewAsync(string scope, string holder, uint epoch, TimeSpan ttl, CancellationToken cancel);

    /// <summary>Ends the lease at once (a clean stop), so a follower need not wait for it to expire. Its quotas end with it.</summary>
    Task ReleaseAsync(string scope, string holder, uint epoch, CancellationToken cancel);

    /// <summary>
    /// Sets this lease's grant of a shared budget (<see cref="QuotaRequest.Resource"/>) toward
    /// <see cref="QuotaRequest.Want"/> in one transaction: a decrease is granted as asked; an increase only as
    /// far as <see cref="QuotaRequest.Limit"/> minus what other live leases hold of it. Grants of a lease that
    /// expired or was released count for nothing. Returns the grant now held (never above the limit in sum).
    /// </summary>
    Task<long> SetQuotaAsync(QuotaRequest request, CancellationToken cancel);

    /// <summary>
    /// Publishes this lease's best resting bid and ask per symbol (0: none) and returns the other live
    /// leases' best resting bid (highest) and ask (lowest) per symbol, in one round trip.
    /// </summary>
    Task<IReadOnlyList<PeerQuote>> ExchangeQuotesAsync(string scope, uint epoch, IReadOnlyList<PeerQuote> mine, CancellationToken cancel);

    /// <summary>Adds <paramref name="count"/> to the zombies (older-epoch orders cancelled) counted for <paramref name="scope"/>.</summary>
    Task AddZombiesAsync(string scope, long count, CancellationToken cancel);

    /// <summary>Leases, members and quotas as the service sees them now.</summary>
    Task<ClusterStatus> StatusAsync(CancellationToken cancel);
}

/// <summary>A granted lease: its epoch, how long the previous holder's lease still had to live on the service's
/// clock when taken (zero when it had expired), and every epoch the scope was ever granted under (the
/// takeover cancels orders of the older ones, wherever they came from).</summary>
public sealed record LeaseGrant(string Scope, uint Epoch, TimeSpan PreviousRemaining, string? PreviousHolder, IReadOnlyList<LeaseEpoch> History);

/// <summary>One grant of a scope: its epoch and the node that held it.</summary>
public readonly record struct LeaseEpoch(uint Epoch, ushort Node);

/// <summary>A request for a share of a budget shared by every instance on an account.</summary>
/// <param name="Account">The account (e.g. the venue and key id) the limit is per.</param>
/// <param name="Resource">What is budgeted, e.g. <c>position:BTCUSDT</c> (base qty, raw) or <c>orders</c> (order rate budget).</param>
public sealed record QuotaRequest(string Account, string Resource, string Scope, uint Epoch, long Want, long Limit);

/// <summary>A lease's best resting prices on a symbol (raw, 0: none).</summary>
public readonly record struct PeerQuote(string Symbol, long BidRaw, long AskRaw);

/// <summary>What <see cref="ICoordinationService.StatusAsync"/> returns.</summary>
public sealed record ClusterStatus(IReadOnlyList<LeaseStatus> Leases, IReadOnlyList<MemberStatus> Members, IReadOnlyList<QuotaStatus> Quotas);

public sealed record LeaseStatus(string Scope, string Holder, ushort Node, uint Epoch, TimeSpan ExpiresIn, bool Live, long Takeovers, long ZombiesCancelled);

public sealed record MemberStatus(string Holder, ushort Node, string Scope, TimeSpan LastSeen, bool Live);

public sealed record QuotaStatus(string Account, string Resource, string Scope, uint Epoch, long Granted, bool Live);

/// <summary>The coordination service could not be reached or did not answer: the lease is in doubt.</summary>
public sealed class CoordinationUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The request conflicts with another live member (e.g. the same node).</summary>
public sealed class CoordinationConflictException(string message) : Exception(message);
