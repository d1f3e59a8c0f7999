using Fathom.Testing;
using Xunit;

namespace Fathom.Core.Tests;

[Collection(AllocationCollection.Name)]
public class SequencerTests
{
    private readonly record struct Input(int Producer, int Index);

    /// <summary>A core stand-in that checks it is never entered concurrently and records what it saw.</summary>
    private sealed class RecordingCore(int capacity) : ISequencedHandler<Input>
    {
        private int _inside;
        public readonly long[] Sequences = new long[capacity];
        public readonly long[] Timestamps = new long[capacity];
        public readonly Input[] Inputs = new Input[capacity];
        public int Count;
        public int Overlaps;

        public void OnInput(in InputStamp stamp, in Input input)
        {
            if (Interlocked.Exchange(ref _inside, 1) != 0)
                Overlaps++;
            Sequences[Count] = stamp.Sequence;
            Timestamps[Count] = stamp.TimestampNanos;
            Inputs[Count] = input;
            Count++;
            Thread.SpinWait(20); // widen the window in which an overlap would show
            Volatile.Write(ref _inside, 0);
        }
    }

    private struct CountingCore : ISequencedHandler<Input>
    {
        public long Sum;
        public void OnInput(in InputStamp stamp, in Input input) => Sum += stamp.Sequence + input.Index;
    }

    [Fact]
    public void Publish_SingleThread_AssignsGapFreeSequenceFromOne()
    {
        var core = new RecordingCore(10);
        var sequencer = new Sequencer<Input, RecordingCore>(new MonotonicClock(new ManualTimeProvider()), core);
        for (int i = 0; i < 10; i++)
            Assert.Equal(i + 1, sequencer.Publish(new Input(0, i)).Sequence);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), core.Sequences);
        Assert.Equal(10, sequencer.LastSequence);
    }

    [Fact]
    public void Publish_ManyProducers_OneAtATimeGapFreeAndOrdered()
    {
        const int producers = 4, perProducer = 20_000;
        var core = new RecordingCore(producers * perProducer);
        var sequencer = new Sequencer<Input, RecordingCore>(MonotonicClock.System, core);
        using var start = new Barrier(producers);
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < perProducer; i++)
                sequencer.Publish(new Input(p, i));
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();

        Assert.Equal(0, core.Overlaps);
        Assert.Equal(producers * perProducer, core.Count);
        var next = new int[producers];
        for (int k = 0; k < core.Count; k++)
        {
            Assert.Equal(k + 1, core.Sequences[k]);
            if (k > 0)
                Assert.True(core.Timestamps[k] >= core.Timestamps[k - 1], "timestamps never decrease");
            var input = core.Inputs[k];
            Assert.Equal(next[input.Producer]++, input.Index); // each producer's inputs stay in its own order
        }
        Assert.All(next, n => Assert.Equal(perProducer, n));
    }

    [Fact]
    public void Publish_FromInsideHandler_Throws()
    {
        Sequencer<Input, ReentrantCore>? sequencer = null;
        var core = new ReentrantCore(() => sequencer!.Publish(new Input(0, 1)));
        sequencer = new Sequencer<Input, ReentrantCore>(MonotonicClock.System, core);
        Assert.Throws<InvalidOperationException>(() => sequencer.Publish(new Input(0, 0)));
        // The sequencer stays usable after a handler failure.
        core.Reenter = null;
        Assert.Equal(2, sequencer.Publish(new Input(0, 2)).Sequence);
    }

    private sealed class ReentrantCore(Action? reenter) : ISequencedHandler<Input>
    {
        public Action? Reenter = reenter;
        public void OnInput(in InputStamp stamp, in Input input) => Reenter?.Invoke();
    }

    [Fact]
    public void Publish_StructHandler_DoesNotAllocate()
    {
        var sequencer = new Sequencer<Input, CountingCore>(MonotonicClock.System, default);
        AllocationAssert.Zero(sequencer, static s =>
        {
            for (int i = 0; i < 10_000; i++)
                s.Publish(new Input(0, i));
        });
        Assert.True(sequencer.Handler.Sum > 0);
    }
}
