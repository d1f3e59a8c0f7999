using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>The queue's hand-off: each command as it is added, in order, once; without one the caller drains.</summary>
public class CommandQueueTests
{
    private sealed class Collect : ICommandHandOff
    {
        public readonly List<long> Sequences = [];
        public void HandOff(in OrderCommand command) => Sequences.Add(command.ClientOrderId.Sequence);
    }

    private static OrderCommand Cancel(long seq) =>
        OrderCommand.From(new CancelOrderCommand(0, new ClientOrderId(1, 1, seq), new ClientOrderId(1, 1, 1_000 + seq), 0), 0);

    [Fact]
    public void Add_HandsEachCommandOffAsItIsAdded_AndKeepsItForTheBatch()
    {
        var queue = new CommandQueue(8);
        var sink = new Collect();
        queue.HandOff = sink;

        queue.Add(Cancel(1));
        Assert.Equal([1L], sink.Sequences);
        queue.Add(Cancel(2));
        Assert.Equal([1L, 2L], sink.Sequences);
        Assert.Equal(2, queue.Count);
        Assert.Equal(2, queue.HandedOff);

        queue.Clear();
        Assert.Equal(0, queue.HandedOff);
        queue.Add(Cancel(3));
        Assert.Equal([1L, 2L, 3L], sink.Sequences);
    }

    [Fact]
    public void Add_NeverHandsOffPastACommandLeftForTheCaller()
    {
        var queue = new CommandQueue(8);
        queue.Add(Cancel(1)); // no hand-off yet: left for the caller
        var sink = new Collect();
        queue.HandOff = sink;

        queue.Add(Cancel(2));

        Assert.Empty(sink.Sequences); // 2 would overtake 1
        Assert.Equal(0, queue.HandedOff);
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void Add_CountsACommandHandedOffBeforeTheCall_SoAThrowingHandOffIsNotRepeated()
    {
        var queue = new CommandQueue(8) { HandOff = new Throwing() };

        Assert.Throws<InvalidOperationException>(() => queue.Add(Cancel(1)));

        Assert.Equal(1, queue.HandedOff);
        Assert.Equal(1, queue.Count);
    }

    private sealed class Throwing : ICommandHandOff
    {
        public void HandOff(in OrderCommand command) => throw new InvalidOperationException("gateway failed");
    }
}
