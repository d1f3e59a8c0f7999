using Fathom.Persistence.Coordination;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>
/// What every <see cref="ICoordinationService"/> must do: run by one subclass a service
/// (<see cref="PgCoordinationTests"/> on a real PostgreSQL server, <see cref="LocalCoordinationTests"/> in memory).
/// </summary>
public abstract class CoordinationContract : IAsyncLifetime
{
    private static readonly TimeSpan LongTtl = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A lease short enough to wait out, long enough for a few calls on a loaded machine.</summary>
    protected static readonly TimeSpan ShortTtl = TimeSpan.FromSeconds(1);

    /// <summary>The service under test (one per test).</summary>
    protected ICoordinationService Service { get; private set; } = null!;

    /// <summary>Opens the service on this test's own store (database or epoch file).</summary>
    protected abstract Task<ICoordinationService> OpenAsync();

    /// <summary>Lets the service's clock pass <paramref name="ttl"/> of <paramref name="scope"/>'s lease, so it is expired when this returns.</summary>
    protected abstract Task ExpireAsync(string scope, TimeSpan ttl);

    /// <summary>The sum of the grants the service stores for (account, resource), read from its store, not through a grant.</summary>
    protected abstract Task<long> StoredLiveGrantsAsync(string account, string resource);

    public virtual async Task InitializeAsync() => Service = await OpenAsync();

    public virtual async Task DisposeAsync()
    {
        if (Service is not null)
            await Service.DisposeAsync();
    }

    private Task<LeaseGrant?> Acquire(string scope, string holder, ushort node = 1, TimeSpan? ttl = null) =>
        Service.TryAcquireAsync(scope, holder, node, ttl ?? LongTtl, None);

    [Fact]
    public async Task TryAcquire_AnotherHoldersLeaseLive_ReturnsNull()
    {
        var a = await Acquire("acct/BTCUSDT", "holder-a");
        Assert.NotNull(a);
        Assert.Null(await Acquire("acct/BTCUSDT", "holder-b", node: 2));
        Assert.Null(await Acquire("acct/BTCUSDT", "holder-b", node: 2)); // and again: polling does not wear the lease down
        Assert.True(await Service.RenewAsync("acct/BTCUSDT", "holder-a", a.Epoch, LongTtl, None));
        Assert.Null(a.PreviousHolder);
        Assert.Equal(TimeSpan.Zero, a.PreviousRemaining);
    }

    [Fact]
    public async Task TryAcquire_EightHoldersRacingForAFreeScope_ExactlyOneWins()
    {
        for (int round = 0; round < 5; round++)
        {
            string scope = $"race{round}";
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tries = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                await go.Task;
                return await Service.TryAcquireAsync(scope, $"h{i}", (ushort)(i + 1), LongTtl, None);
            })).ToArray();
            go.SetResult();
            var grants = await Task.WhenAll(tries);
            var winner = Assert.Single(grants, g => g is not null);
            Assert.Equal(winner!.Epoch, Assert.Single((await Service.StatusAsync(None)).Leases, l => l.Scope == scope).Epoch);
        }
    }

    [Fact]
    public async Task TryAcquire_AcrossAcquisitionsAndScopes_EpochsStrictlyIncrease()
    {
        var epochs = new List<uint>();
        epochs.Add((await Acquire("s1", "a"))!.Epoch);
        epochs.Add((await Acquire("s2", "b", node: 2))!.Epoch);
        await Service.ReleaseAsync("s1", "a", epochs[0], None);
        var c = await Acquire("s1", "c", node: 3);
        epochs.Add(c!.Epoch);
        epochs.Add((await Acquire("s1", "c", node: 3))!.Epoch); // re-acquiring one's own lease is a new grant too
        epochs.Add((await Acquire("s3", "a"))!.Epoch);

        for (int i = 1; i < epochs.Count; i++)
            Assert.True(epochs[i] > epochs[i - 1], $"epoch {epochs[i]} after {epochs[i - 1]}");
        Assert.True(epochs[0] >= 1);
        // The takeover learns every epoch the scope was granted under, with its node.
        Assert.Equal([new LeaseEpoch(epochs[0], 1), new LeaseEpoch(epochs[2], 3)], c.History);
        Assert.Equal("a", c.PreviousHolder);
    }

    [Fact]
    public async Task Lease_TtlPasses_ExpiresAndAnotherHolderTakesIt()
    {
        var a = await Acquire("s", "a", ttl: ShortTtl);
        Assert.Null(await Acquire("s", "b", node: 2, ttl: ShortTtl));

        await ExpireAsync("s", ShortTtl);

        var b = await Acquire("s", "b", node: 2);
        Assert.NotNull(b);
        Assert.True(b.Epoch > a!.Epoch);
        Assert.Equal("a", b.PreviousHolder);
        Assert.Equal(TimeSpan.Zero, b.PreviousRemaining);
        Assert.False(await Service.RenewAsync("s", "a", a.Epoch, LongTtl, None)); // lost for good
        var lease = Assert.Single((await Service.StatusAsync(None)).Leases);
        Assert.Equal(1, lease.Takeovers);
        Assert.Equal("b", lease.Holder);
    }

    [Fact]
    public async Task Renew_ExpiredLeaseNobodyTook_ReturnsFalse()
    {
        var a = await Acquire("s", "a", ttl: ShortTtl);
        await ExpireAsync("s", ShortTtl);
        Assert.False(await Service.RenewAsync("s", "a", a!.Epoch, LongTtl, None));
        Assert.False(await Service.RenewAsync("s", "a", a.Epoch + 1, LongTtl, None));
    }

    [Fact]
    public async Task Renew_LiveLease_ExtendsItPastTheFirstTtl()
    {
        var a = await Acquire("s", "a", ttl: ShortTtl);
        Assert.True(await Service.RenewAsync("s", "a", a!.Epoch, LongTtl, None));
        var lease = Assert.Single((await Service.StatusAsync(None)).Leases);
        Assert.True(lease.ExpiresIn > TimeSpan.FromMinutes(4), $"expires in {lease.ExpiresIn}");
        Assert.False(await Service.RenewAsync("s", "b", a.Epoch, LongTtl, None)); // not the holder
    }

    [Fact]
    public async Task Release_LetsAnotherHolderAcquireAtOnce()
    {
        var a = await Acquire("s", "a");
        await Service.ReleaseAsync("s", "a", a!.Epoch, None);

        var b = await Acquire("s", "b", node: 2);
        Assert.NotNull(b);
        Assert.Equal(TimeSpan.Zero, b.PreviousRemaining);
        Assert.False(await Service.RenewAsync("s", "a", a.Epoch, LongTtl, None));
    }

    [Fact]
    public async Task Release_BySomeoneElseOrAnOldEpoch_LeavesTheLeaseLive()
    {
        var a = await Acquire("s", "a");
        await Service.ReleaseAsync("s", "b", a!.Epoch, None);
        await Service.ReleaseAsync("s", "a", a.Epoch - 1, None);
        Assert.Null(await Acquire("s", "b", node: 2));
    }

    [Fact]
    public async Task TryAcquire_OwnLiveLease_NewEpochAndItsRemainingLife()
    {
        var first = await Acquire("s", "a");
        var again = await Acquire("s", "a");
        Assert.NotNull(again);
        Assert.True(again.Epoch > first!.Epoch);
        Assert.Equal("a", again.PreviousHolder);
        Assert.InRange(again.PreviousRemaining, TimeSpan.FromMinutes(4), LongTtl);
        Assert.Equal(0, Assert.Single((await Service.StatusAsync(None)).Leases).Takeovers);
        Assert.False(await Service.RenewAsync("s", "a", first.Epoch, LongTtl, None)); // the old epoch is over
    }

    [Fact]
    public async Task Register_NodeOfAnotherLiveMember_ThrowsNamingNodeAndHolder()
    {
        await Service.RegisterAsync("holder-a", 7, "s1", LongTtl, None);
        await Service.RegisterAsync("holder-a", 7, "s1", LongTtl, None); // a heartbeat
        await Service.RegisterAsync("holder-b", 8, "s2", LongTtl, None);

        var ex = await Assert.ThrowsAsync<CoordinationConflictException>(() => Service.RegisterAsync("holder-c", 7, "s3", LongTtl, None));
        Assert.Contains("node 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("holder-a", ex.Message, StringComparison.Ordinal);
        Assert.Contains("holder-c", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await Service.StatusAsync(None)).Members, m => m.Holder == "holder-c");
    }

    [Fact]
    public async Task Register_NodeOfAMemberNotSeenWithinTtl_Succeeds()
    {
        await Service.RegisterAsync("holder-a", 7, "s1", ShortTtl, None);
        await Service.TryAcquireAsync("s1", "holder-a", 7, ShortTtl, None); // ExpireAsync waits on the lease's clock
        await ExpireAsync("s1", ShortTtl);
        await Service.RegisterAsync("holder-c", 7, "s1", ShortTtl, None);
        var members = (await Service.StatusAsync(None)).Members;
        Assert.False(Assert.Single(members, m => m.Holder == "holder-a").Live);
        Assert.True(Assert.Single(members, m => m.Holder == "holder-c").Live);
    }

    [Fact]
    public async Task SetQuota_EightConcurrentTasksAskingForTheWholeLimit_NeverSumAboveIt()
    {
        const long Limit = 1_000;
        const long Block = 300;
        var leases = new LeaseGrant[8];
        for (int i = 0; i < leases.Length; i++)
            leases[i] = (await Acquire($"s{i}", $"h{i}", node: (ushort)(i + 1)))!;

        // Several budgets, each asked for in rounds: every task asks for one more block at the same moment
        // (released together), until a round grants nobody anything.
        for (int r = 0; r < 6; r++)
        {
            string resource = $"orders{r}";
            var held = new long[leases.Length];
            while (true)
            {
                var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                var calls = leases.Select((lease, i) => Task.Run(async () =>
                {
                    await go.Task;
                    return await Service.SetQuotaAsync(new QuotaRequest("acct", resource, lease.Scope, lease.Epoch, held[i] + Block, Limit), None);
                })).ToArray();
                go.SetResult();
                long[] granted = await Task.WhenAll(calls);
                for (int i = 0; i < granted.Length; i++)
                    Assert.True(granted[i] >= held[i], $"an increase lowered a grant from {held[i]} to {granted[i]}");
                Assert.True(granted.Sum() <= Limit, $"{resource}: grants sum to {granted.Sum()}, above the limit {Limit}: [{string.Join(", ", granted)}]");
                if (granted.SequenceEqual(held))
                    break;
                held = granted;
            }
            Assert.Equal(Limit, held.Sum()); // all of it handed out, never more
            Assert.Equal(Limit, await StoredLiveGrantsAsync("acct", resource));
        }
    }

    [Fact]
    public async Task SetQuota_Decrease_GrantedAsAskedAndFreesBudget()
    {
        var a = await Acquire("sa", "a");
        var b = await Acquire("sb", "b", node: 2);
        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sa", a!.Epoch, 150, 100), None));
        Assert.Equal(0, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sb", b!.Epoch, 50, 100), None));
        Assert.Equal(30, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sa", a.Epoch, 30, 100), None));
        Assert.Equal(50, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sb", b.Epoch, 50, 100), None));
        // Another resource or account is another budget.
        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sb", b.Epoch, 100, 100), None));
        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("other", "position:BTCUSDT", "sb", b.Epoch, 100, 100), None));
        // An increase gets the headroom (100 − sb's 50), no more.
        Assert.Equal(50, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sa", a.Epoch, 80, 100), None));
        // An increase when there is less than none (the limit was lowered) keeps what is held rather than shrink it.
        Assert.Equal(50, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sb", b.Epoch, 90, 60), None));
        Assert.Equal(10, await Service.SetQuotaAsync(new QuotaRequest("acct", "position:BTCUSDT", "sb", b.Epoch, 10, 60), None));
    }

    [Fact]
    public async Task SetQuota_GrantsOfAReleasedLease_StopCounting()
    {
        var a = await Acquire("sa", "a");
        var b = await Acquire("sb", "b", node: 2);
        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sa", a!.Epoch, 100, 100), None));
        Assert.Equal(0, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sb", b!.Epoch, 100, 100), None));

        await Service.ReleaseAsync("sa", "a", a.Epoch, None);

        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sb", b.Epoch, 100, 100), None));
        Assert.DoesNotContain((await Service.StatusAsync(None)).Quotas, q => q.Scope == "sa"); // released with its lease
    }

    [Fact]
    public async Task SetQuota_GrantsOfAnExpiredLease_StopCounting()
    {
        var a = await Acquire("sa", "a", ttl: ShortTtl);
        var b = await Acquire("sb", "b", node: 2);
        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sa", a!.Epoch, 100, 100), None));
        Assert.Equal(0, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sb", b!.Epoch, 100, 100), None));

        await ExpireAsync("sa", ShortTtl);

        Assert.Equal(100, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "sb", b.Epoch, 100, 100), None));
        var stale = Assert.Single((await Service.StatusAsync(None)).Quotas, q => q.Scope == "sa");
        Assert.False(stale.Live);
        Assert.True(Assert.Single((await Service.StatusAsync(None)).Quotas, q => q.Scope == "sb").Live);
    }

    [Fact]
    public async Task SetQuota_StaleEpoch_GetsZeroAndStoresNothing()
    {
        var old = await Acquire("s", "a", ttl: ShortTtl);
        await ExpireAsync("s", ShortTtl);
        var current = await Acquire("s", "b", node: 2);
        Assert.Equal(40, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "s", current!.Epoch, 40, 100), None));

        Assert.Equal(0, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "s", old!.Epoch, 60, 100), None));
        Assert.Equal(0, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "s", old.Epoch, 10, 100), None));
        Assert.Equal(0, await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "nobody", 999, 10, 100), None));

        var quota = Assert.Single((await Service.StatusAsync(None)).Quotas);
        Assert.Equal((current.Epoch, 40L), (quota.Epoch, quota.Granted)); // the live holder's grant untouched
        Assert.Equal(40, await StoredLiveGrantsAsync("acct", "orders"));
    }

    [Fact]
    public async Task ExchangeQuotes_ReturnsOnlyOtherLiveScopesBestPrices()
    {
        var s1 = await Acquire("s1", "h1", node: 1);
        var s2 = await Acquire("s2", "h2", node: 2);
        var s3 = await Acquire("s3", "h3", node: 3);
        var gone = await Acquire("s4", "h4", node: 4);
        Assert.Empty(await Service.ExchangeQuotesAsync("s1", s1!.Epoch, [new("BTCUSDT", 100, 110)], None));
        await Service.ExchangeQuotesAsync("s2", s2!.Epoch, [new("BTCUSDT", 101, 112), new("ETHUSDT", 5, 0)], None);
        await Service.ExchangeQuotesAsync("s4", gone!.Epoch, [new("BTCUSDT", 200, 105)], None);
        await Service.ReleaseAsync("s4", "h4", gone.Epoch, None);

        var seen = await Service.ExchangeQuotesAsync("s3", s3!.Epoch, [new("BTCUSDT", 500, 90)], None);
        Assert.Equal([new PeerQuote("BTCUSDT", 101, 110), new PeerQuote("ETHUSDT", 5, 0)], seen);

        // s1 sees s2 and s3, never itself.
        Assert.Equal([new PeerQuote("BTCUSDT", 500, 90), new PeerQuote("ETHUSDT", 5, 0)],
            await Service.ExchangeQuotesAsync("s1", s1.Epoch, [new("BTCUSDT", 100, 110)], None));
    }

    [Fact]
    public async Task ExchangeQuotes_PeerLeaseExpired_ItsQuotesStopCounting()
    {
        var peer = await Acquire("peer", "hp", node: 2, ttl: ShortTtl);
        var me = await Acquire("me", "hm", node: 1);
        await Service.ExchangeQuotesAsync("peer", peer!.Epoch, [new("BTCUSDT", 100, 110)], None);
        Assert.Equal([new PeerQuote("BTCUSDT", 100, 110)], await Service.ExchangeQuotesAsync("me", me!.Epoch, [], None));

        await ExpireAsync("peer", ShortTtl);

        Assert.Empty(await Service.ExchangeQuotesAsync("me", me.Epoch, [], None));
        // Its successor on the scope starts with no quotes of its own: the old epoch's do not count for it either.
        var next = await Acquire("peer", "hq", node: 3);
        Assert.Empty(await Service.ExchangeQuotesAsync("me", me.Epoch, [], None));
        await Service.ExchangeQuotesAsync("peer", next!.Epoch, [new("BTCUSDT", 101, 0)], None);
        Assert.Equal([new PeerQuote("BTCUSDT", 101, 0)], await Service.ExchangeQuotesAsync("me", me.Epoch, [], None));
    }

    [Fact]
    public async Task ExchangeQuotes_StaleEpoch_PublishesNothing()
    {
        var s1 = await Acquire("s1", "h1", node: 1);
        var s2 = await Acquire("s2", "h2", node: 2);
        await Service.ExchangeQuotesAsync("s1", s1!.Epoch, [new("BTCUSDT", 100, 110)], None);
        await Service.ExchangeQuotesAsync("s1", s1.Epoch - 1, [new("BTCUSDT", 999, 1)], None);
        Assert.Equal([new PeerQuote("BTCUSDT", 100, 110)], await Service.ExchangeQuotesAsync("s2", s2!.Epoch, [], None));
        // Dropping a symbol from one's quotes withdraws it.
        await Service.ExchangeQuotesAsync("s1", s1.Epoch, [], None);
        Assert.Empty(await Service.ExchangeQuotesAsync("s2", s2.Epoch, [], None));
    }

    [Fact]
    public async Task ExchangeQuotes_SymbolTwice_ThrowsArgumentNotUnavailable()
    {
        var me = await Acquire("me", "hm");
        await Assert.ThrowsAsync<ArgumentException>(() => Service.ExchangeQuotesAsync("me", me!.Epoch, [new("BTCUSDT", 1, 2), new("BTCUSDT", 3, 4)], None));
    }

    [Fact]
    public async Task Status_ListsLeasesMembersAndQuotas()
    {
        await Service.RegisterAsync("h1", 1, "s1", LongTtl, None);
        var s1 = await Acquire("s1", "h1", node: 1);
        var s2 = await Acquire("s2", "h2", node: 2);
        await Service.ReleaseAsync("s2", "h2", s2!.Epoch, None);
        await Service.AddZombiesAsync("s1", 3, None);
        await Service.AddZombiesAsync("s1", 2, None);
        await Service.SetQuotaAsync(new QuotaRequest("acct", "orders", "s1", s1!.Epoch, 10, 100), None);

        var status = await Service.StatusAsync(None);

        Assert.Equal(2, status.Leases.Count);
        var l1 = Assert.Single(status.Leases, l => l.Scope == "s1");
        Assert.Equal(("h1", (ushort)1, s1.Epoch, true, 5L), (l1.Holder, l1.Node, l1.Epoch, l1.Live, l1.ZombiesCancelled));
        Assert.InRange(l1.ExpiresIn, TimeSpan.FromMinutes(4), LongTtl);
        var l2 = Assert.Single(status.Leases, l => l.Scope == "s2");
        Assert.False(l2.Live);
        Assert.True(l2.ExpiresIn <= TimeSpan.Zero);
        var member = Assert.Single(status.Members);
        Assert.Equal(("h1", (ushort)1, "s1", true), (member.Holder, member.Node, member.Scope, member.Live));
        Assert.InRange(member.LastSeen, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        var quota = Assert.Single(status.Quotas);
        Assert.Equal(new QuotaStatus("acct", "orders", "s1", s1.Epoch, 10, true), quota);
    }

    [Fact]
    public void Describe_NeverEmpty() => Assert.False(string.IsNullOrWhiteSpace(Service.Describe()));
}
