using Fathom.Gateway.Abstractions;

namespace Fathom.Hosting;

/// <summary>
/// Order entry that sends nothing and keeps every command (and every cancel-all) in order. A journal
/// replay compares what it kept with the journal; the test kit hands it to a core whose venue the test
/// plays by hand. <see cref="OnSend"/> runs after each command is kept, on the core thread, for a test
/// that answers from inside Send (a local reject, as a full queue gives).
/// </summary>
/// <remarks>
/// With <paramref name="keep"/>, only the first commands are kept and the rest only counted, so sending
/// allocates nothing however long a test runs (the list is allocated at that size up front).
/// </remarks>
/// <param name="keep">How many commands <see cref="Sent"/> keeps; <see cref="Sends"/> counts all.</param>
public sealed class RecordingGateway(int keep = int.MaxValue) : IOrderEntry
{
    /// <summary>The first <c>keep</c> commands, in order.</summary>
    public List<OrderCommand> Sent { get; } = new(Math.Min(keep, 256));
    /// <summary>Every cancel-all, in order.</summary>
    public List<(int InstrumentId, ClientOrderId CancelId)> CancelAlls { get; } = [];
    /// <summary>Commands sent, kept or not.</summary>
    public long Sends { get; private set; }
    /// <summary>Runs after each command is kept (on the core thread, inside Send).</summary>
    public Action<OrderCommand>? OnSend { get; set; }

    public bool IsReady { get; set; } = true;
    public Task StartAsync(CancellationToken cancel) => Task.CompletedTask;

    public void Send(in OrderCommand command)
    {
        Sends++;
        if (Sent.Count < keep)
            Sent.Add(command);
        OnSend?.Invoke(command);
    }

    /// <summary>Rehearsals the core ran through this gateway (<see cref="IOrderEntry.Rehearse"/>); nothing of them is sent or kept in <see cref="Sent"/>.</summary>
    public long Rehearsals { get; private set; }
    /// <summary>The last rehearsed command (default when none).</summary>
    public OrderCommand LastRehearsed { get; private set; }

    public void Rehearse(in OrderCommand command)
    {
        Rehearsals++;
        LastRehearsed = command;
    }

    public void CancelAll(int instrumentId, ClientOrderId cancelId) => CancelAlls.Add((instrumentId, cancelId));
}
