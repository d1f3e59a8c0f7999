using System.Buffers.Binary;
using CsCheck;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.MarketData.Tests;

/// <summary>
/// The <c>.fathomrec</c> format: round trips, crash damage (a file cut at every byte of its last
/// block, every byte of a middle block flipped, garbage after the end), the bounded queue that drops
/// rather than blocks, and the time-based flush.
/// </summary>
public class RecordingFormatTests
{
    private sealed record Rec(RecordKind Kind, long Ns, int Arg, byte[] Tag, byte[] Payload)
    {
        public bool SameAs(Rec other) => Kind == other.Kind && Ns == other.Ns && Arg == other.Arg
            && Tag.AsSpan().SequenceEqual(other.Tag) && Payload.AsSpan().SequenceEqual(other.Payload);
    }

    private static readonly RecordingWriterOptions SmallBlocks = new() { BlockBytes = 1024, FlushInterval = TimeSpan.FromSeconds(30) };

    private static Rec Frame(int i, int size = 40)
    {
        var payload = new byte[size];
        for (int k = 0; k < size; k++)
            payload[k] = (byte)(i * 7 + k);
        return new Rec(RecordKind.StreamFrame, 1_723_161_253_000_000_000 + i, i % 3, [], payload);
    }

    private static void Append(RecordingWriter w, Rec r) => Assert.True(w.TryAppend(r.Kind, r.Ns, r.Arg, r.Tag, r.Payload));

    private static (List<Rec> Records, RecordingReader Reader) ReadAll(byte[] file)
    {
        var reader = new RecordingReader(new MemoryStream(file));
        var records = new List<Rec>();
        while (reader.TryRead(out RecordingRecord r))
            records.Add(new Rec(r.Kind, r.ReceiveTimeNs, r.Arg, r.Tag.ToArray(), r.Payload.ToArray()));
        return (records, reader);
    }

    private static void AssertSame(IReadOnlyList<Rec> expected, IReadOnlyList<Rec> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].SameAs(actual[i]), $"record {i} differs: expected {expected[i].Kind} {expected[i].Ns}, got {actual[i].Kind} {actual[i].Ns}");
    }

    /// <summary>Three groups of records, each sealed into its own block(s) by Flush; returns the file and where each group starts.</summary>
    private static (byte[] File, long[] GroupStarts, List<Rec>[] Groups) ThreeGroups()
    {
        var groups = new List<Rec>[] { [], [], [] };
        var starts = new long[3];
        var stream = new MemoryStream();
        using (var w = new RecordingWriter(stream, SmallBlocks, ownsStream: false))
        {
            int i = 0;
            for (int g = 0; g < 3; g++)
            {
                starts[g] = stream.Length;
                for (int k = 0; k < 4; k++, i++)
                {
                    var r = Frame(i, 30 + 11 * k);
                    Append(w, r);
                    groups[g].Add(r);
                }
                w.Flush();
                Assert.Equal(stream.Length, w.BytesWritten);
            }
        }
        return (stream.ToArray(), starts, groups);
    }

    [Fact]
    public void RoundTrip_EveryKind_TagsAndOversizedPayloads_ReadBackInOrder()
    {
        var big = new byte[50_000];
        new Random(1).NextBytes(big);
        var expected = new List<Rec>
        {
            new(RecordKind.SessionInfo, 1, 0, [], "venue=binance-spot\nsymbols=BTCUSDT\n"u8.ToArray()),
            new(RecordKind.ExchangeInfo, 2, 0, [], big),
            new(RecordKind.RestSnapshot, 3, 1000, "BTCUSDT"u8.ToArray(), "{\"lastUpdateId\":1,\"bids\":[],\"asks\":[]}"u8.ToArray()),
            new(RecordKind.StreamFrame, 4, 7, [], []),
            new(RecordKind.StreamFrame, 5, -1, [.. Enumerable.Repeat((byte)'x', 255)], [1, 2, 3]),
        };
        for (int i = 0; i < 200; i++)
            expected.Add(Frame(i, 10 + i % 90));

        var stream = new MemoryStream();
        using (var w = new RecordingWriter(stream, SmallBlocks, ownsStream: false))
        {
            foreach (Rec r in expected)
                Append(w, r);
            Assert.Equal(0, w.RecordsDropped);
        }
        var (records, reader) = ReadAll(stream.ToArray());
        AssertSame(expected, records);
        Assert.True(reader.Blocks > 5, $"expected many 1 KiB blocks, got {reader.Blocks}");
        Assert.False(reader.TornTail);
        Assert.Equal(0, reader.CorruptBlocks);
        Assert.True(RecordingReader.HasMagic(stream.ToArray()));
    }

    [Fact]
    public void RoundTrip_RandomRecordSequences()
    {
        var gen = Gen.Select(Gen.Int[0, 60], Gen.Int[1, 5], Gen.ULong)
            .Select(t => (Count: t.Item1, Kind: t.Item2, Seed: t.Item3));
        Property.ForAll(gen, 60, c =>
        {
            var random = new Random((int)(c.Seed % int.MaxValue));
            var expected = new List<Rec>();
            for (int i = 0; i < c.Count; i++)
            {
                var payload = new byte[random.Next(0, random.Next(2) == 0 ? 64 : 3_000)];
                random.NextBytes(payload);
                var tag = new byte[random.Next(0, 12)];
                random.NextBytes(tag);
                expected.Add(new Rec((RecordKind)(1 + (c.Kind + i) % 4), random.NextInt64(), random.Next(), tag, payload));
            }
            var stream = new MemoryStream();
            using (var w = new RecordingWriter(stream, SmallBlocks, ownsStream: false))
                foreach (Rec r in expected)
                    Append(w, r);
            var (records, reader) = ReadAll(stream.ToArray());
            AssertSame(expected, records);
            Assert.False(reader.TornTail);
        });
    }

    [Fact]
    public void TruncatedAtEveryOffsetOfTheLastBlock_ReadsEveryCompleteBlock_AndReportsTheTornTail()
    {
        var (file, starts, groups) = ThreeGroups();
        List<Rec> complete = [.. groups[0], .. groups[1]];
        for (long cut = starts[2]; cut < file.Length; cut++)
        {
            var (records, reader) = ReadAll(file[..(int)cut]);
            AssertSame(complete, records);
            Assert.Equal(cut > starts[2], reader.TornTail);
            Assert.Equal(cut - starts[2], reader.TornTailBytes);
            Assert.Equal(0, reader.CorruptBlocks);
        }
        var (all, whole) = ReadAll(file);
        AssertSame([.. complete, .. groups[2]], all);
        Assert.False(whole.TornTail);
    }

    [Fact]
    public void TruncatedInsideTheFileHeader_ReadsNothing_WithoutThrowing()
    {
        var (file, _, _) = ThreeGroups();
        for (int cut = 0; cut < 16; cut++)
        {
            var (records, reader) = ReadAll(file[..cut]);
            Assert.Empty(records);
            Assert.Equal(cut > 0, reader.TornTail);
        }
    }

    [Fact]
    public void EveryByteOfAMiddleBlockCorrupted_IsDetected_AndOnlyThatBlockIsLost()
    {
        var (file, starts, groups) = ThreeGroups();
        List<Rec> survivors = [.. groups[0], .. groups[2]];
        for (long at = starts[1]; at < starts[2]; at++)
        {
            byte[] damaged = (byte[])file.Clone();
            damaged[at] ^= 0x5A;
            var (records, reader) = ReadAll(damaged);
            AssertSame(survivors, records);
            Assert.Equal(1, reader.CorruptBlocks);
            Assert.False(reader.TornTail);
            Assert.True(reader.SkippedBytes >= starts[2] - starts[1], $"byte {at}: skipped {reader.SkippedBytes}");
        }
    }

    [Fact]
    public void GarbageAfterTheLastBlock_IsCountedAndSkipped()
    {
        var (file, _, groups) = ThreeGroups();
        List<Rec> all = [.. groups[0], .. groups[1], .. groups[2]];

        // Zeros (a file extended by the OS before a power loss): one corrupt stretch, skipped.
        var (records, reader) = ReadAll([.. file, .. new byte[100]]);
        AssertSame(all, records);
        Assert.Equal(1, reader.CorruptBlocks);
        Assert.Equal(100, reader.SkippedBytes);
        Assert.False(reader.TornTail);

        // Junk that ends in what could be the start of a block header: the junk is skipped and the
        // would-be header, cut by the end of the file, is a torn tail.
        (records, reader) = ReadAll([.. file, .. new byte[100], .. "RBLK and more junk"u8]);
        AssertSame(all, records);
        Assert.Equal(1, reader.CorruptBlocks);
        Assert.Equal(100, reader.SkippedBytes);
        Assert.True(reader.TornTail);
        Assert.Equal(18, reader.TornTailBytes);
    }

    [Fact]
    public void NotARecording_IsRejected()
    {
        Assert.Throws<InvalidDataException>(() => new RecordingReader(new MemoryStream("1723161253 {\"stream\":1}"u8.ToArray())));
    }

    [Fact]
    public void QueueFull_DropsAndCountsInsteadOfBlocking_AndMarksTheHole()
    {
        var gate = new GatedStream();
        var options = new RecordingWriterOptions { BlockBytes = 1024, MaxQueuedBlocks = 1, FlushInterval = TimeSpan.FromSeconds(30) };
        var w = new RecordingWriter(gate, options, ownsStream: false);
        var accepted = new List<Rec>();
        try
        {
            gate.Block();
            // The disk "hangs": the first block is stuck in Write, one more waits in the queue, the
            // open block fills, and from then on records are refused. None of this may wait.
            for (int i = 0; i < 400; i++)
            {
                var r = Frame(i, 60);
                if (w.TryAppend(r.Kind, r.Ns, r.Arg, r.Tag, r.Payload))
                    accepted.Add(r);
            }
            Assert.True(w.RecordsDropped > 0);
            Assert.Equal(400, accepted.Count + w.RecordsDropped);
        }
        finally
        {
            gate.Release();
        }
        w.Flush(); // let the stalled queue drain
        var after = Frame(1_000, 60);
        Append(w, after); // preceded by the drop marker
        w.Dispose();

        var (records, reader) = ReadAll(gate.ToArray());
        var frames = records.Where(r => r.Kind == RecordKind.StreamFrame).ToList();
        AssertSame([.. accepted, after], frames);
        // Every hole is marked where it is, with its size: a marker sits exactly between two frames
        // whose numbers are not consecutive, and counts the frames missing between them.
        long lastFrame = Frame(0).Ns - 1, lastSent = Frame(399).Ns, marked = 0;
        for (int i = 0; i < records.Count; i++)
        {
            Rec r = records[i];
            if (r.Kind == RecordKind.DroppedRecords)
            {
                long count = BinaryPrimitives.ReadInt64LittleEndian(r.Payload);
                long next = records[i + 1].Ns == after.Ns ? lastSent + 1 : records[i + 1].Ns;
                Assert.Equal(next - lastFrame - 1, count);
                marked += count;
            }
            else
            {
                bool afterMarker = i > 0 && records[i - 1].Kind == RecordKind.DroppedRecords;
                if (!afterMarker && r.Ns != after.Ns)
                    Assert.True(r.Ns == lastFrame + 1, $"frames {lastFrame} and {r.Ns} are not consecutive and no marker says why");
                lastFrame = r.Ns;
            }
        }
        Assert.True(marked > 0);
        Assert.Equal(w.RecordsDropped, marked);
        Assert.Equal(w.RecordsDropped, reader.DroppedRecords);
        Assert.Equal(RecordKind.DroppedRecords, records[^2].Kind); // the last frames were dropped: the hole before `after`
    }

    [Fact]
    public void WriteFailure_StopsRecording_WithoutThrowingIntoTheFeed()
    {
        var gate = new GatedStream();
        var w = new RecordingWriter(gate, SmallBlocks, ownsStream: false);
        gate.FailWrites = true;
        for (int i = 0; i < 100; i++)
        {
            var r = Frame(i, 60);
            w.TryAppend(r.Kind, r.Ns, r.Arg, r.Tag, r.Payload);
        }
        w.Flush();
        Assert.True(w.Faulted);
        Assert.NotNull(w.LastError);
        Assert.False(w.TryAppendFrame(1, [1]));
        w.Dispose();
        Assert.True(w.RecordsLost > 0);
    }

    [Fact]
    public void QuietFeed_ReachesTheFileWithinTheFlushInterval_WithoutFlushOrDispose()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fathom-rec-{Guid.NewGuid():N}.fathomrec");
        try
        {
            using var w = RecordingWriter.Create(path, new RecordingWriterOptions { FlushInterval = TimeSpan.FromMilliseconds(50) });
            Assert.Throws<IOException>(() => RecordingWriter.Create(path)); // never overwrites a recording
            Assert.True(w.TryAppendFrame(42, "{\"e\":\"trade\"}"u8));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (true)
            {
                using (var reader = RecordingReader.Open(path))
                {
                    if (reader.TryRead(out RecordingRecord r))
                    {
                        Assert.Equal(42, r.ReceiveTimeNs);
                        Assert.True(r.Payload.SequenceEqual("{\"e\":\"trade\"}"u8));
                        break;
                    }
                }
                Assert.True(DateTime.UtcNow < deadline, "the record never reached the file");
                Thread.Sleep(10);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A MemoryStream whose writes can be made to hang (a stalled disk) or fail.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly MemoryStream _inner = new();
        private readonly ManualResetEventSlim _open = new(true);
        public volatile bool FailWrites;

        public void Block() => _open.Reset();
        public void Release() => _open.Set();
        public byte[] ToArray() { lock (_inner) return _inner.ToArray(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _open.Wait(TimeSpan.FromSeconds(30));
            if (FailWrites)
                throw new IOException("No space left on device");
            lock (_inner)
                _inner.Write(buffer);
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _inner.Length;
        public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
