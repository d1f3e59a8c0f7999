using System.Buffers.Binary;
using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Persistence.Coordination;

/// <summary>
/// The embedded single-instance <see cref="ICoordinationService"/>: the same leases, epochs, quotas and peer
/// quotes as the PostgreSQL service, in memory, on this process's monotonic clock (<see cref="TimeProvider.GetTimestamp"/>).
/// </summary>
/// <remarks>
/// <para>Epochs come from a durable counter, the epoch file: 8 bytes of the last epoch granted and 8 bytes of
/// check, replaced with write-to-temp, fsync, rename and a directory fsync (<see cref="DurableFile.Replace"/>)
/// <b>before</b> an epoch is returned, so every grant, in this process or any later start on the same file, gets
/// a greater epoch than every grant before it. A missing file starts at epoch 1; an empty, truncated or corrupt
/// one throws <see cref="InvalidDataException"/> naming the file (guessing could reissue an epoch whose orders
/// still rest at the venue). Epochs are the 4 base-36 digits of a client order id, so at most
/// <see cref="ClientOrderIdFormat.MaxEpoch"/> (1 679 615): a grant past it throws
/// <see cref="InvalidOperationException"/>, never wraps.</para>
/// <para>One process uses an epoch file at a time: the constructor takes an exclusive lock on
/// <c>&lt;file&gt;.lock</c> (held until <see cref="DisposeAsync"/>) and throws
/// <see cref="CoordinationConflictException"/> when another instance holds it.</para>
/// <para>A lease's <see cref="LeaseGrant.History"/> lists the grants this instance made for the scope; grants of
/// earlier process starts are all older epochs (lower numbers), which the takeover cancels as older-epoch orders.</para>
/// <para>Thread-safe: every call takes one lock for its whole effect (the "one transaction" of the contract).</para>
/// </remarks>
public sealed class LocalCoordination : ICoordinationService
{
    private const ulong CheckMask = 0xE90C_4C0A_0000_0017UL;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly string _epochFile;
    private readonly FileStream _fileLock;
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LeaseEpoch>> _history = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Account, string Resource, string Scope), Grant> _quotas = [];
    private readonly Dictionary<string, Published> _quotes = new(StringComparer.Ordinal);
    private uint _lastEpoch;
    private bool _disposed;

    /// <summary>Opens the service with its epoch counter in <paramref name="epochFile"/> (created on the first grant), on <paramref name="time"/> (the system's by default).</summary>
    /// <exception cref="InvalidDataException">The epoch file is corrupt (the message names it).</exception>
    /// <exception cref="CoordinationConflictException">Another instance uses the epoch file.</exception>
    public LocalCoordination(string epochFile, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(epochFile);
        _epochFile = Path.GetFullPath(epochFile);
        _time = time ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
        if (Path.GetDirectoryName(_epochFile) is { } dir)
            Directory.CreateDirectory(dir);
        try
        {
            _fileLock = new FileStream(_epochFile + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new CoordinationConflictException(
                $"the epoch file {_epochFile} is in use by another instance ({e.Message}): two instances on one file could reissue an epoch; give each its own file, or use the PostgreSQL service");
        }
        try
        {
            _lastEpoch = ReadLastEpoch(_epochFile);
        }
        catch
        {
            _fileLock.Dispose();
            throw;
        }
    }

    /// <summary>The last epoch granted, by this instance or an earlier one on the same file (0: none yet).</summary>
    public uint LastEpoch { get { lock (_gate) return _lastEpoch; } }

    // The service's clock: this process's monotonic time since the service opened.
    private TimeSpan Now => _time.GetElapsedTime(_origin);

    /// <inheritdoc/>
    public string Describe() => $"local ({_epochFile})";

    /// <inheritdoc/>
    public Task RegisterAsync(string holder, ushort node, string scope, TimeSpan ttl, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        ArgumentNullException.ThrowIfNull(scope);
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            foreach (var (other, m) in _members)
                if (m.Node == node && other != holder && now - m.LastSeen < ttl)
                    throw new CoordinationConflictException(
                        $"node {node} is already used by live member {other} (seen {(now - m.LastSeen).TotalMilliseconds:F0} ms ago, scope {m.Scope}); " +
                        $"{holder} must not send under the same node: give each instance its own node");
            _members[holder] = new Member(node, scope, now, ttl);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Every epoch up to <see cref="ClientOrderIdFormat.MaxEpoch"/> has been granted.</exception>
    public Task<LeaseGrant?> TryAcquireAsync(string scope, string holder, ushort node, TimeSpan ttl, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(scope);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            _leases.TryGetValue(scope, out var previous);
            if (previous is not null && previous.Expires > now && previous.Holder != holder)
                return Task.FromResult<LeaseGrant?>(null);
            uint epoch = NextEpoch();
            var remaining = previous is null || previous.Expires <= now ? TimeSpan.Zero : previous.Expires - now;
            var lease = new Lease(holder, node, epoch, now + ttl)
            {
                Takeovers = (previous?.Takeovers ?? 0) + (previous is not null && previous.Holder != holder ? 1 : 0),
                Zombies = previous?.Zombies ?? 0,
            };
            _leases[scope] = lease;
            if (!_history.TryGetValue(scope, out var history))
                _history[scope] = history = [];
            history.Add(new LeaseEpoch(epoch, node));
            return Task.FromResult<LeaseGrant?>(new LeaseGrant(scope, epoch, remaining, previous?.Holder, history.ToArray()));
        }
    }

    /// <inheritdoc/>
    public Task<bool> RenewAsync(string scope, string holder, uint epoch, TimeSpan ttl, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            if (!_leases.TryGetValue(scope, out var lease) || lease.Holder != holder || lease.Epoch != epoch || lease.Expires <= now)
                return Task.FromResult(false);
            lease.Expires = now + ttl;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(string scope, string holder, uint epoch, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            if (!_leases.TryGetValue(scope, out var lease) || lease.Holder != holder || lease.Epoch != epoch)
                return Task.CompletedTask;
            var now = Now;
            if (lease.Expires > now)
                lease.Expires = now;
            List<(string, string, string)>? ended = null;
            foreach (var (key, grant) in _quotas)
                if (key.Scope == scope && grant.Epoch == epoch)
                    (ended ??= []).Add(key);
            if (ended is not null)
                foreach (var key in ended)
                    _quotas.Remove(key);
            if (_quotes.TryGetValue(scope, out var published) && published.Epoch == epoch)
                _quotes.Remove(scope);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<long> SetQuotaAsync(QuotaRequest request, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Want);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Limit);
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            // A stale instance (its epoch is not the scope's live lease) cannot hold or grab budget.
            if (!IsLive(request.Scope, request.Epoch, now))
                return Task.FromResult(0L);
            long others = 0;
            long current = 0;
            foreach (var (key, grant) in _quotas)
            {
                if (key.Account != request.Account || key.Resource != request.Resource)
                    continue;
                if (key.Scope == request.Scope)
                    current = grant.Epoch == request.Epoch ? grant.Granted : 0; // an older epoch's grant is void
                else if (IsLive(key.Scope, grant.Epoch, now))
                    others += grant.Granted;
            }
            long granted = QuotaMath.Grant(current, request.Want, request.Limit, others);
            _quotas[(request.Account, request.Resource, request.Scope)] = new Grant(request.Epoch, granted);
            return Task.FromResult(granted);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<PeerQuote>> ExchangeQuotesAsync(string scope, uint epoch, IReadOnlyList<PeerQuote> mine, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(mine);
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            if (IsLive(scope, epoch, now))
            {
                var prices = new Dictionary<string, (long Bid, long Ask)>(mine.Count, StringComparer.Ordinal);
                foreach (var q in mine)
                    if (!prices.TryAdd(q.Symbol, (q.BidRaw, q.AskRaw)))
                        throw new ArgumentException($"each symbol is published at most once per call: {q.Symbol} twice", nameof(mine));
                _quotes[scope] = new Published(epoch, prices);
            }
            var best = new Dictionary<string, (long Bid, long Ask)>(StringComparer.Ordinal);
            foreach (var (otherScope, published) in _quotes)
            {
                if (otherScope == scope || !IsLive(otherScope, published.Epoch, now))
                    continue;
                foreach (var (symbol, (bid, ask)) in published.Prices)
                {
                    best.TryGetValue(symbol, out var b);
                    best[symbol] = (Math.Max(b.Bid, bid), ask > 0 && (b.Ask == 0 || ask < b.Ask) ? ask : b.Ask);
                }
            }
            var result = new List<PeerQuote>(best.Count);
            foreach (var (symbol, (bid, ask)) in best)
                if (bid > 0 || ask > 0)
                    result.Add(new PeerQuote(symbol, bid, ask));
            result.Sort((a, b) => string.CompareOrdinal(a.Symbol, b.Symbol));
            return Task.FromResult<IReadOnlyList<PeerQuote>>(result);
        }
    }

    /// <inheritdoc/>
    public Task AddZombiesAsync(string scope, long count, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            if (_leases.TryGetValue(scope, out var lease))
                lease.Zombies += count;
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ClusterStatus> StatusAsync(CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ThrowIfDisposed();
            var now = Now;
            var leases = new List<LeaseStatus>(_leases.Count);
            foreach (var (scope, l) in _leases)
                leases.Add(new LeaseStatus(scope, l.Holder, l.Node, l.Epoch, l.Expires - now, l.Expires > now, l.Takeovers, l.Zombies));
            leases.Sort((a, b) => string.CompareOrdinal(a.Scope, b.Scope));
            var members = new List<MemberStatus>(_members.Count);
            foreach (var (holder, m) in _members)
                members.Add(new MemberStatus(holder, m.Node, m.Scope, now - m.LastSeen, now - m.LastSeen < m.Ttl));
            members.Sort((a, b) => a.Node != b.Node ? a.Node.CompareTo(b.Node) : string.CompareOrdinal(a.Holder, b.Holder));
            var quotas = new List<QuotaStatus>(_quotas.Count);
            foreach (var (key, g) in _quotas)
                quotas.Add(new QuotaStatus(key.Account, key.Resource, key.Scope, g.Epoch, g.Granted, IsLive(key.Scope, g.Epoch, now)));
            quotas.Sort((a, b) => string.CompareOrdinal($"{a.Account}/{a.Resource}/{a.Scope}", $"{b.Account}/{b.Resource}/{b.Scope}"));
            return Task.FromResult(new ClusterStatus(leases, members, quotas));
        }
    }

    /// <summary>Releases the epoch file's lock. Leases simply end with the process.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
                return ValueTask.CompletedTask;
            _disposed = true;
        }
        _fileLock.Dispose();
        return ValueTask.CompletedTask;
    }

    private bool IsLive(string scope, uint epoch, TimeSpan now) =>
        _leases.TryGetValue(scope, out var lease) && lease.Epoch == epoch && lease.Expires > now;

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    // Called under the lock. The epoch is on disk before anyone sees it, so a crash right after cannot reissue it.
    private uint NextEpoch()
    {
        if (_lastEpoch >= ClientOrderIdFormat.MaxEpoch)
            throw new InvalidOperationException(
                $"every lease epoch up to {ClientOrderIdFormat.MaxEpoch} (the 4 base-36 digits of a client order id) has been granted from {_epochFile}: " +
                "epochs never wrap (an old epoch's orders could be taken for this one's); a new client-order-id prefix or node is needed before the file is reset");
        uint next = _lastEpoch + 1;
        Span<byte> record = stackalloc byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(record, next);
        BinaryPrimitives.WriteUInt64LittleEndian(record[8..], next ^ CheckMask);
        try
        {
            DurableFile.Replace(_epochFile, record);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CoordinationUnavailableException($"could not record epoch {next} in {_epochFile}: {e.Message}", e);
        }
        _lastEpoch = next;
        return next;
    }

    /// <summary>
    /// The last epoch <paramref name="path"/> records (0: no file, no grant yet), read without opening the service:
    /// no lock is taken, so an operator can read it while a run holds the file (each write is an atomic rename,
    /// so the value is whole, if possibly one grant old).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is empty, truncated or corrupt (the message names it).</exception>
    public static uint ReadLastEpoch(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            return 0;
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length != 16)
            throw Corrupt(path, $"has {bytes.Length} bytes, expected 16 (empty, truncated or not written by fathom)");
        long epoch = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        ulong check = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8));
        if (((ulong)epoch ^ CheckMask) != check)
            throw Corrupt(path, "fails its check (corrupt, or not written by fathom)");
        if (epoch is < 0 or > ClientOrderIdFormat.MaxEpoch)
            throw Corrupt(path, $"holds an epoch out of range ({epoch})");
        return (uint)epoch;
    }

    private static InvalidDataException Corrupt(string path, string what) =>
        new($"the lease epoch file {path} {what}: refusing to guess the last epoch, which could reissue an epoch whose orders " +
            "may still rest at the venue; restore the file, or remove it only if no order of this instance can be open");

    private sealed class Lease(string holder, ushort node, uint epoch, TimeSpan expires)
    {
        public string Holder { get; } = holder;
        public ushort Node { get; } = node;
        public uint Epoch { get; } = epoch;
        public TimeSpan Expires { get; set; } = expires;
        public long Takeovers { get; init; }
        public long Zombies { get; set; }
    }

    private readonly record struct Member(ushort Node, string Scope, TimeSpan LastSeen, TimeSpan Ttl);

    private readonly record struct Grant(uint Epoch, long Granted);

    private sealed record Published(uint Epoch, Dictionary<string, (long Bid, long Ask)> Prices);
}

/// <summary>The quota rule both services apply (PostgreSQL in SQL, the same arithmetic).</summary>
internal static class QuotaMath
{
    /// <summary>
    /// A decrease (<paramref name="want"/> at or below <paramref name="current"/>) is granted as asked; an increase
    /// only up to <paramref name="limit"/> minus what <paramref name="others"/> hold, and never below <paramref name="current"/>.
    /// </summary>
    public static long Grant(long current, long want, long limit, long others) =>
        want <= current ? want : Math.Max(current, Math.Min(want, limit - others));
}
