using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// A venue that answers in process: acks places, confirms cancels, applies cancel-replaces and amends,
/// and fills a resting order when asked (<see cref="FillOneRestingOrder"/>). Nothing goes on a wire.
/// The warm-up's throwaway core sends to one; the latency harness and the test kit use the same one.
/// </summary>
/// <remarks>
/// Answers go to the sink from inside <see cref="Send(in OrderCommand)"/> (the core sees them as inputs of
/// their own, after the one that sent), or, with <c>answerAtOnce: false</c>, wait for
/// <see cref="AnswerPending"/>, as a venue answering after the frame's work is done. Steady state allocates
/// nothing: the queue and the resting list only grow.
/// </remarks>
/// <param name="sink">Where answers go (the engine).</param>
/// <param name="answerAtOnce">Answer from inside Send; otherwise queue until <see cref="AnswerPending"/>.</param>
/// <param name="record">Keep every command in <see cref="Sent"/>.</param>
public sealed class InstantVenue(IReportSink sink, bool answerAtOnce = true, bool record = false) : IOrderEntry
{
    private readonly Queue<OrderCommand> _pending = Mapped(answerAtOnce ? 0 : 1024);
    // Invariant: one entry per order acked and neither cancelled nor filled; few, so a list scanned by id.
    private readonly List<OrderCommand> _resting = new(16);
    private readonly List<OrderCommand>? _sent = record ? [] : null;
    private long _venueIds;
    private long _tradeIds;

    /// <summary>Commands received.</summary>
    public long Commands { get; private set; }
    /// <summary>Fills given by <see cref="FillOneRestingOrder"/>.</summary>
    public long Fills { get; private set; }
    /// <summary>Orders resting at this venue.</summary>
    public int RestingCount => _resting.Count;
    /// <summary>Every command, in order (empty unless constructed with <c>record: true</c>).</summary>
    public IReadOnlyList<OrderCommand> Sent => (IReadOnlyList<OrderCommand>?)_sent ?? [];
    /// <summary>Stamp given to answers (the venue's time); the command's own issue time when null.</summary>
    public Func<long>? Now { get; init; }

    public bool IsReady => true;
    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public void Send(in OrderCommand command)
    {
        Commands++;
        _sent?.Add(command);
        if (answerAtOnce)
            Answer(command);
        else
            _pending.Enqueue(command);
    }

    /// <summary>A queue whose array has been written once through, so an enqueue in a frame does not page-fault.</summary>
    private static Queue<OrderCommand> Mapped(int capacity)
    {
        var queue = new Queue<OrderCommand>(capacity);
        for (int i = 0; i < capacity; i++)
            queue.Enqueue(default);
        queue.Clear();
        return queue;
    }

    /// <summary>Answers every queued command, oldest first (a venue answering after the frame's work).</summary>
    public void AnswerPending()
    {
        while (_pending.TryDequeue(out OrderCommand c))
            Answer(c);
    }

    /// <summary>The venue drops every resting order on the instrument; nothing is reported (as the old doubles did).</summary>
    public void CancelAll(int instrumentId, ClientOrderId cancelId)
    {
        for (int i = _resting.Count - 1; i >= 0; i--)
            if (_resting[i].InstrumentId == instrumentId)
                _resting.RemoveAt(i);
    }

    /// <summary>Fills the oldest resting order in full (a maker fill at its price); false when nothing rests.</summary>
    public bool FillOneRestingOrder()
    {
        if (_resting.Count == 0)
            return false;
        OrderCommand o = _resting[0];
        _resting.RemoveAt(0);
        Fills++;
        sink.OnFill(new FillReport(o.InstrumentId, o.ClientOrderId, 0, ++_tradeIds, o.Side, o.Price, o.Qty, o.Qty, 0, Qty.Zero, true, Stamp(o)));
        return true;
    }

    private void Answer(in OrderCommand c)
    {
        long now = Stamp(c);
        switch (c.Kind)
        {
            case CommandKind.Place:
                _resting.Add(c);
                sink.OnAck(new AckReport(c.InstrumentId, c.ClientOrderId, ++_venueIds, now));
                break;
            case CommandKind.Cancel:
                if (Remove(c.OrigClientOrderId))
                    sink.OnCanceled(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, now));
                break;
            case CommandKind.CancelReplace:
                if (Remove(c.OrigClientOrderId))
                    sink.OnCanceled(new CanceledReport(c.InstrumentId, c.OrigClientOrderId, now));
                _resting.Add(OrderCommand.From(new PlaceOrderCommand(c.InstrumentId, c.NewClientOrderId, c.Side, c.Type, c.Price, c.Qty), c.IssuedNs));
                sink.OnAck(new AckReport(c.InstrumentId, c.NewClientOrderId, ++_venueIds, now));
                break;
            case CommandKind.AmendQty:
                int i = IndexOf(c.OrigClientOrderId);
                if (i >= 0)
                {
                    OrderCommand o = _resting[i];
                    _resting[i] = OrderCommand.From(new PlaceOrderCommand(o.InstrumentId, c.ClientOrderId, o.Side, o.Type, o.Price, c.Qty), o.IssuedNs);
                }
                sink.OnAmended(new AmendedReport(c.InstrumentId, c.OrigClientOrderId, c.ClientOrderId, c.Qty, now));
                break;
        }
    }

    private long Stamp(in OrderCommand c) => Now?.Invoke() ?? c.IssuedNs;

    private int IndexOf(ClientOrderId id)
    {
        for (int i = 0; i < _resting.Count; i++)
            if (_resting[i].ClientOrderId == id)
                return i;
        return -1;
    }

    private bool Remove(ClientOrderId id)
    {
        int i = IndexOf(id);
        if (i < 0)
            return false;
        _resting.RemoveAt(i);
        return true;
    }
}
