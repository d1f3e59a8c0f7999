using System.Buffers.Binary;
using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Persistence.Coordination;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>The coordination contract on the embedded service (virtual time), and its durable epoch file.</summary>
public sealed class LocalCoordinationTests : CoordinationContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-coord-").FullName;
    private readonly ManualTimeProvider _time = new();

    private string EpochFile => Path.Combine(_dir, "epoch");

    protected override Task<ICoordinationService> OpenAsync() => Task.FromResult<ICoordinationService>(new LocalCoordination(EpochFile, _time));

    protected override Task ExpireAsync(string scope, TimeSpan ttl)
    {
        _time.Advance(ttl);
        return Task.CompletedTask;
    }

    protected override async Task<long> StoredLiveGrantsAsync(string account, string resource) =>
        (await Service.StatusAsync(CancellationToken.None)).Quotas.Where(q => q.Account == account && q.Resource == resource && q.Live).Sum(q => q.Granted);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task TryAcquire_AcrossInstancesOnOneFile_EpochsKeepIncreasing()
    {
        var first = await Service.TryAcquireAsync("s", "a", 1, ShortTtl, CancellationToken.None);
        await Service.TryAcquireAsync("t", "a", 1, ShortTtl, CancellationToken.None);
        await Service.DisposeAsync();

        await using var restarted = new LocalCoordination(EpochFile, new ManualTimeProvider());
        Assert.Equal(first!.Epoch + 1, restarted.LastEpoch);
        var next = await restarted.TryAcquireAsync("s", "b", 2, ShortTtl, CancellationToken.None);
        Assert.Equal(first.Epoch + 2, next!.Epoch);
    }

    [Fact]
    public void Constructor_EpochFileInUseByAnotherInstance_ThrowsConflict()
    {
        var ex = Assert.Throws<CoordinationConflictException>(() => new LocalCoordination(EpochFile, _time));
        Assert.Contains(EpochFile, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_CorruptEpochFile_ThrowsNamingIt()
    {
        await Service.TryAcquireAsync("s", "a", 1, ShortTtl, CancellationToken.None);
        await Service.DisposeAsync();
        byte[] bytes = File.ReadAllBytes(EpochFile);
        bytes[0] ^= 0x40;
        File.WriteAllBytes(EpochFile, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => new LocalCoordination(EpochFile, _time));
        Assert.Contains(EpochFile, ex.Message, StringComparison.Ordinal);
        File.WriteAllBytes(EpochFile, bytes[..5]);
        Assert.Throws<InvalidDataException>(() => new LocalCoordination(EpochFile, _time));
    }

    [Fact]
    public async Task TryAcquire_EpochsExhausted_ThrowsAndNeverWraps()
    {
        await Service.DisposeAsync();
        // The file's format (LocalCoordination's remarks): the last epoch, then the epoch XOR its check mask.
        var record = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(record, ClientOrderIdFormat.MaxEpoch - 1);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), (ClientOrderIdFormat.MaxEpoch - 1) ^ 0xE90C_4C0A_0000_0017UL);
        File.WriteAllBytes(EpochFile, record);

        await using var service = new LocalCoordination(EpochFile, _time);
        Assert.Equal(ClientOrderIdFormat.MaxEpoch, (await service.TryAcquireAsync("s", "a", 1, ShortTtl, CancellationToken.None))!.Epoch);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => service.TryAcquireAsync("t", "a", 1, ShortTtl, CancellationToken.None));
        Assert.Contains("never wrap", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ClientOrderIdFormat.MaxEpoch, service.LastEpoch);
    }

    [Fact]
    public async Task Lease_ServiceClockStill_StaysLiveWhateverTheWallClock()
    {
        // One tick of ttl: real time passes between these calls, the service's clock does not.
        await Service.TryAcquireAsync("s", "a", 1, TimeSpan.FromTicks(1), CancellationToken.None);
        await Task.Yield();
        Assert.Null(await Service.TryAcquireAsync("s", "b", 2, ShortTtl, CancellationToken.None));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.NotNull(await Service.TryAcquireAsync("s", "b", 2, ShortTtl, CancellationToken.None));
    }
}
