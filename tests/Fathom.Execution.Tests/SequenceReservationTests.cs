using Fathom.Core;
using Xunit;

namespace Fathom.Execution.Tests;

public sealed class SequenceReservationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-seq-").FullName;
    private string PathOf(string name) => Path.Combine(_dir, name);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reserve_PersistsHighWaterBeforeReturning()
    {
        string path = PathOf("node7.seq");
        var store = new FileSequenceReservation(path);
        Assert.Equal(1, store.Reserve(100));
        Assert.Equal(101, store.Reserve(100));
        // A second process reading the file now (the first one "crashed" after using ids) continues above.
        Assert.Equal(200, new FileSequenceReservation(path).HighWater);
        Assert.Equal(201, new FileSequenceReservation(path).Reserve(1));
    }

    [Fact]
    public void Reserve_CrashBeforeTheRename_LeavesTheOldMarkReadable()
    {
        string path = PathOf("torn.seq");
        new FileSequenceReservation(path).Reserve(100);
        // A crash mid-write leaves a torn temporary file beside the mark; the mark itself is untouched.
        File.WriteAllBytes(path + ".tmp", [0xFF, 0xFF, 0xFF]);
        var reopened = new FileSequenceReservation(path);
        Assert.Equal(100, reopened.HighWater);
        Assert.Equal(101, reopened.Reserve(10));
        Assert.Equal(110, new FileSequenceReservation(path).HighWater);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Generator_AfterCrashMidBlock_NeverReusesAnId()
    {
        string path = PathOf("crash.seq");
        var seen = new HashSet<long>();
        for (int life = 0; life < 5; life++)
        {
            // Each life uses part of a block and "crashes" (the generator is dropped without any shutdown).
            var ids = new ClientOrderIdGenerator(7, 3, new FileSequenceReservation(path), blockSize: 16);
            for (int i = 0; i < 10 + life * 7; i++)
                Assert.True(seen.Add(ids.Next().Sequence), "an id was issued twice across restarts");
        }
        Assert.True(seen.Count > 80);
    }

    [Fact]
    public void Generator_RefillsOnePerBlock()
    {
        var store = new InMemorySequenceReservation();
        var ids = new ClientOrderIdGenerator(1, 1, store, blockSize: 8);
        for (int i = 1; i <= 17; i++)
            Assert.Equal(i, ids.Next().Sequence);
        Assert.Equal(3, store.Reservations);
    }

    [Fact]
    public void CorruptFile_IsRefusedRatherThanGuessed()
    {
        string path = PathOf("bad.seq");
        new FileSequenceReservation(path).Reserve(10);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[0] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.Contains(path, Assert.Throws<InvalidDataException>(() => new FileSequenceReservation(path)).Message);
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.Contains("has 3 bytes, expected 16", Assert.Throws<InvalidDataException>(() => new FileSequenceReservation(path)).Message);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("text")]
    [InlineData("truncated")]
    [InlineData("negative")]
    public void DamagedFile_IsRefusedNamingTheFileNeverResetToZero(string damage)
    {
        string path = PathOf($"damaged-{damage}.seq");
        new FileSequenceReservation(path).Reserve(10);
        byte[] good = File.ReadAllBytes(path);
        byte[] bytes = damage switch
        {
            "empty" => [],
            "text" => "1234567890123456"u8.ToArray(), // 16 bytes, as a hand edit might leave it
            "truncated" => good[..8],
            _ => Negative(),
        };
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => new FileSequenceReservation(path));
        Assert.Contains($"high-water file {path} ", ex.Message);
        Assert.Contains("refusing to guess", ex.Message);

        static byte[] Negative()
        {
            // A mark of -5 with a check that matches: only the sign is wrong.
            var b = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(b, -5);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), unchecked((ulong)-5L) ^ 0x5EC0_F47A_0000_0001UL);
            return b;
        }
    }
}

public class ClientOrderIdPrefetchTests
{
    private sealed class Reservation : ISequenceReservation
    {
        private long _next = 1;
        public int FailFrom = int.MaxValue;
        public int Calls;
        public long Reserve(int count)
        {
            if (++Calls >= FailFrom)
                throw new IOException("disk full");
            long first = _next;
            _next += count;
            return first;
        }
    }

    [Xunit.Fact]
    public void NextBlockReservedAhead_FailureReportedWhileIdsRemain_ThenNextThrowsOnlyWhenUsedUp()
    {
        var reservation = new Reservation { FailFrom = 2 };
        var ids = new Fathom.Execution.ClientOrderIdGenerator(1, 1, reservation, blockSize: 8);
        var failures = new List<Exception>();
        ids.ReservationFailed = failures.Add;
        for (int i = 1; i <= 6; i++)
            Xunit.Assert.Equal(i, ids.Next().Sequence);
        Xunit.Assert.Empty(failures);
        // The 7th id crosses the prefetch point (a quarter of the block left): the reservation fails, the id is still issued.
        Xunit.Assert.Equal(7, ids.Next().Sequence);
        Xunit.Assert.Single(failures);
        Xunit.Assert.True(ids.Failing);
        Xunit.Assert.Equal(8, ids.Next().Sequence);
        Xunit.Assert.Throws<Fathom.Execution.ClientIdReservationException>(() => ids.Next());
    }

    [Xunit.Fact]
    public void NextBlockReservedAhead_UsedWithoutWaiting()
    {
        var reservation = new Reservation();
        var ids = new Fathom.Execution.ClientOrderIdGenerator(1, 1, reservation, blockSize: 8);
        for (int i = 1; i <= 20; i++)
            Xunit.Assert.Equal(i, ids.Next().Sequence);
        Xunit.Assert.Equal(3, reservation.Calls); // blocks 1–8, 9–16, and 17–24 reserved ahead at id 15
    }
}
