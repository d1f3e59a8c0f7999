using Fathom.Testing;
using Xunit;

namespace Fathom.Core.Tests;

[Collection(AllocationCollection.Name)]
public class MpscRingTests
{
    private readonly record struct Event(int Producer, long Index, long Payload);

    private struct SumHandler : IRingHandler<Event>
    {
        public long Sum;
        public void OnItem(in Event item) => Sum += item.Payload;
    }

    [Fact]
    public void Constructor_NonPowerOfTwo_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new MpscRing<Event>(100));

    [Fact]
    public void NothingToRead_TracksWhatTryReadWouldFind()
    {
        var ring = new MpscRing<Event>(4);
        Assert.True(ring.NothingToRead);
        for (int lap = 0; lap < 3; lap++) // across the wrap: slot sequences one lap on
        {
            Assert.True(ring.TryWrite(new Event(0, lap, 1)));
            Assert.True(ring.TryWrite(new Event(0, lap, 2)));
            Assert.False(ring.NothingToRead);
            Assert.True(ring.TryRead(out _));
            Assert.False(ring.NothingToRead);
            Assert.True(ring.TryRead(out _));
            Assert.True(ring.NothingToRead);
            Assert.False(ring.TryRead(out _));
        }
    }

    [Fact]
    public void TryWrite_Full_ReturnsFalseAndKeepsContents()
    {
        var ring = new MpscRing<Event>(4);
        for (int i = 0; i < 4; i++)
            Assert.True(ring.TryWrite(new Event(0, i, i)));
        Assert.False(ring.TryWrite(new Event(0, 4, 4)));
        Assert.Equal(4, ring.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(ring.TryRead(out var e));
            Assert.Equal(i, e.Index);
        }
        Assert.False(ring.TryRead(out _));
        Assert.True(ring.TryWrite(new Event(0, 5, 5))); // slots are reusable after a lap
    }

    [Fact]
    public void ManyProducers_OneConsumer_EveryItemOnceInPerProducerOrder()
    {
        const int producers = 3, perProducer = 200_000;
        var ring = new MpscRing<Event>(1024);
        using var start = new Barrier(producers + 1);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            start.SignalAndWait();
            for (long i = 0; i < perProducer; i++)
                while (!ring.TryWrite(new Event(p, i, i * 7 + p)))
                    Thread.SpinWait(1); // full: wait for the consumer
        })).ToArray();
        foreach (var t in threads) t.Start();

        var next = new long[producers];
        long received = 0;
        start.SignalAndWait();
        var deadline = DateTime.UtcNow.AddMinutes(2); // a hang guard, not a timing assertion
        while (received < producers * perProducer)
        {
            if (ring.TryRead(out var e))
            {
                Assert.Equal(next[e.Producer]++, e.Index);
                Assert.Equal(e.Index * 7 + e.Producer, e.Payload);
                received++;
            }
            else if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"consumer starved after {received} items");
            }
        }
        foreach (var t in threads) t.Join();
        Assert.False(ring.TryRead(out _));
        Assert.All(next, n => Assert.Equal(perProducer, n));
    }

    [Fact]
    public void WriteAndDrain_DoNotAllocate()
    {
        var ring = new MpscRing<Event>(256);
        AllocationAssert.Zero(ring, static r =>
        {
            var handler = new SumHandler();
            for (int lap = 0; lap < 100; lap++)
            {
                for (int i = 0; i < 200; i++)
                    r.TryWrite(new Event(0, i, i));
                r.Drain(ref handler, int.MaxValue);
            }
            Sink.Consume(handler.Sum);
        });
    }

    [Fact]
    public void Drain_RespectsMax()
    {
        var ring = new MpscRing<Event>(16);
        for (int i = 0; i < 10; i++)
            ring.TryWrite(new Event(0, i, 1));
        var handler = new SumHandler();
        Assert.Equal(4, ring.Drain(ref handler, 4));
        Assert.Equal(4, handler.Sum);
        Assert.Equal(6, ring.Drain(ref handler, 100));
    }
}
