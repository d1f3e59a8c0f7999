using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The one door: a gateway that calls the engine while holding its own lock, and the core calling the
/// gateway while holding the core lock, must never wait on each other; many threads at once must
/// get every input processed.
/// </summary>
public partial class TradingEngineTests
{
    /// <summary>
    /// A gateway like Binance's: every report goes to the sink under one report gate, and a local reject
    /// from <see cref="Send"/> (429 back-off, budget used up, off-tick) takes the same gate on the core thread.
    /// </summary>
    /// <remarks>The kit's recording gateway, with the gate and the local rejects layered on its send hook.</remarks>
    private sealed class GatedGateway
    {
        public readonly RecordingGateway Entry = new();
        public GatedGateway() => Entry.OnSend = Send;
        public List<OrderCommand> Sent => Entry.Sent;
        public readonly Lock ReportGate = new();
        public IReportSink Sink = null!;
        /// <summary>Runs on the core thread inside Send, before the local reject takes the gate.</summary>
        public Action<OrderCommand>? BeforeReject;
        public int RejectEvery;
        public long LocalRejects;
        private long _sends;
        private void Send(OrderCommand command)
        {
            long n = ++_sends;
            Action<OrderCommand>? before = BeforeReject;
            if (before is null && (RejectEvery == 0 || n % RejectEvery != 0))
                return;
            BeforeReject = null;
            before?.Invoke(command);
            ClientOrderId target = command.Kind == CommandKind.Place ? command.ClientOrderId : command.OrigClientOrderId;
            lock (ReportGate)
            {
                LocalRejects++;
                Sink.OnReject(new RejectReport(command.InstrumentId, target, command.Kind, RejectReason.RateLimited, -1003, "local: back-off", 0));
            }
        }
    }

    /// <summary>A core quoting through a <see cref="GatedGateway"/>, both quotes acknowledged; the first one sent rests.</summary>
    private static (GatedGateway Gateway, CoreRig Rig, OrderCommand Resting) AckedQuotesBehindAGate(int inboxCapacity = TradingEngine.InboxCapacity)
    {
        var gateway = new GatedGateway();
        var rig = new CoreRig(CoreRig.Setup([Btc], CoreRig.Maker(0)), gateway.Entry, inboxCapacity: inboxCapacity);
        gateway.Sink = rig.Engine;
        rig.Market(10_000, 10_010, 1);
        foreach (var c in gateway.Sent.ToArray())
            rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, rig.Now));
        return (gateway, rig, gateway.Sent[0]);
    }

    [Fact]
    public async Task LocalRejectUnderCoreLock_WhileAckArrivesUnderReportGate_Finishes()
    {
        var (gateway, rig, resting) = AckedQuotesBehindAGate();
        long acksBefore = rig.Engine.Execution.Counters.DuplicateReports;

        // The race that froze the engine: the receive thread holds the report gate and delivers an ack
        // while the core, holding the core lock, local-rejects a command and needs the same gate.
        Thread? receiver = null;
        using var gateHeld = new ManualResetEventSlim();
        using var ackDelivered = new ManualResetEventSlim();
        gateway.BeforeReject = _ =>
        {
            receiver = new Thread(() =>
            {
                lock (gateway.ReportGate)
                {
                    gateHeld.Set();
                    rig.Engine.OnAck(new AckReport(0, resting.ClientOrderId, 77, 0));
                    ackDelivered.Set();
                    Thread.Sleep(50); // keep the gate while the core asks for it
                }
            }) { IsBackground = true };
            receiver.Start();
            Assert.True(gateHeld.Wait(TimeSpan.FromSeconds(30)));
        };
        long before = rig.Engine.InputsProcessed;
        var move = Task.Run(() => rig.Market(10_020, 10_030, 2)); // requotes: Send → local reject under the gate
        Assert.True(await Task.WhenAny(move, Task.Delay(TimeSpan.FromSeconds(60))) == move, "the core and the gateway deadlocked: core lock ↔ report gate");
        Assert.True(ackDelivered.Wait(TimeSpan.FromSeconds(60)), "the ack's sink call never returned; halt: " + rig.Engine.HaltReason);
        Assert.True(receiver!.Join(TimeSpan.FromSeconds(60)));

        // Both reports became inputs: the market move, the reject (after it), and the ack (from the ring).
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (rig.Engine.InputsProcessed < before + 3 && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        Assert.True(rig.Engine.InputsProcessed >= before + 3, $"{rig.Engine.InputsProcessed - before} inputs processed, want 3");
        Assert.Equal(1, gateway.LocalRejects);
        lock (rig.CoreLock)
            Assert.True(rig.Engine.Execution.Counters.DuplicateReports > acksBefore, "the ack delivered under the report gate reached execution");
    }

    [Fact]
    public async Task FullRing_WhileAReportThreadHoldsItsGate_AndTheCoreWaitsForIt_NeitherWaits()
    {
        // The CI hang: the ring is full, a receive thread holding the report gate delivers another report,
        // and the core (holding the core lock) local-rejects a command and needs the gate. A producer that
        // waits for ring space there waits for the core, which waits for the producer's gate.
        var (gateway, rig, resting) = AckedQuotesBehindAGate(inboxCapacity: 2);
        long duplicatesBefore = rig.Engine.Execution.Counters.DuplicateReports;

        const int Reports = 9; // more than the ring holds
        Thread? receiver = null;
        using var allDelivered = new ManualResetEventSlim();
        bool deliveredWhileTheCoreWaited = false;
        gateway.BeforeReject = _ =>
        {
            receiver = new Thread(() =>
            {
                lock (gateway.ReportGate)
                {
                    for (int i = 0; i < Reports; i++)
                        rig.Engine.OnAck(new AckReport(0, resting.ClientOrderId, 77, 0));
                    allDelivered.Set();
                }
            }) { IsBackground = true };
            receiver.Start();
            deliveredWhileTheCoreWaited = allDelivered.Wait(TimeSpan.FromSeconds(20));
        };
        long before = rig.Engine.InputsProcessed;
        var move = Task.Run(() => rig.Market(10_020, 10_030, 2)); // requotes: Send → local reject under the gate
        Assert.True(await Task.WhenAny(move, Task.Delay(TimeSpan.FromSeconds(40))) == move, "the core and a report thread waited on each other: full ring ↔ report gate");
        Assert.True(deliveredWhileTheCoreWaited, "a report thread holding its own lock waited for the core to make room in the ring");
        Assert.True(receiver!.Join(TimeSpan.FromSeconds(30)));

        // Nothing lost: the move, the local reject and every report became inputs, in the order each thread gave them.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((rig.Engine.InputsProcessed < before + 2 + Reports || rig.Engine.InputsQueued > 0) && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        lock (rig.CoreLock)
        {
            Assert.Equal(before + 2 + Reports, rig.Engine.InputsProcessed);
            Assert.Equal(0, rig.Engine.InputsQueued);
            Assert.Equal(duplicatesBefore + Reports, rig.Engine.Execution.Counters.DuplicateReports);
            Assert.True(rig.Engine.InboxOverflows > 0, "the reports past the ring's size went to the overflow");
            string metrics = PrometheusMetrics.Build(rig.Engine, [rig.Books[0]]);
            Assert.Contains($"fathom_input_overflows_total {rig.Engine.InboxOverflows}\n", metrics);
            Assert.Contains("fathom_inputs_queued 0\n", metrics);
            Assert.Null(rig.Engine.HaltReason);
        }
    }

    [Theory]
    [InlineData(TradingEngine.InboxCapacity)]
    [InlineData(2)] // a ring that is full all the time: producers drain it or wait, nothing is lost
    public void ManyThreads_ReportsRejectsTimersOperatorsAndMarketData_EveryInputProcessed_NothingHangs(int inboxCapacity)
    {
        var gateway = new GatedGateway { RejectEvery = 7 };
        var rig = new CoreRig(CoreRig.Setup([Btc], CoreRig.Maker(0)), gateway.Entry, inboxCapacity: inboxCapacity);
        Assert.Equal(inboxCapacity, rig.Engine.InboxSize);
        gateway.Sink = rig.Engine;
        rig.Market(10_000, 10_010, 1);
        long start = rig.Engine.InputsProcessed;
        const int Frames = 1_500, ReportsPerThread = 2_000, Timers = 600, Operators = 200;
        long sent = 0;
        var threads = new List<Thread>
        {
            new(() =>
            {
                for (int i = 0; i < Frames; i++)
                {
                    long mid = 10_000 + i % 40;
                    rig.Market(mid, mid + 10, 2 + i);
                }
            }),
            new(() => { for (int i = 0; i < Timers; i++) { rig.Engine.OnTimer(); Thread.Yield(); } }),
            new(() => { for (int i = 0; i < Operators; i++) { if (i % 2 == 0) rig.Engine.Pause(); else rig.Engine.Resume(); } }),
        };
        for (int t = 0; t < 2; t++)
        {
            int seed = t;
            threads.Add(new Thread(() =>
            {
                var rng = new Random(seed);
                for (int i = 0; i < ReportsPerThread; i++)
                {
                    var id = new ClientOrderId(1, 1, rng.Next(1, 400));
                    lock (gateway.ReportGate) // as the real gateway delivers every report
                    {
                        switch (rng.Next(4))
                        {
                            case 0: rig.Engine.OnAck(new AckReport(0, id, 1_000 + id.Sequence, 0)); break;
                            case 1: rig.Engine.OnCanceled(new CanceledReport(0, id, 0)); break;
                            case 2: rig.Engine.OnReject(new RejectReport(0, id, CommandKind.Place, RejectReason.FilterFailure, -1013, "x", 0)); break;
                            default: rig.Engine.OnStatusUnknown(new StatusUnknownReport(0, id, CommandKind.Cancel, UnknownCause.Timeout, 0)); break;
                        }
                    }
                    Interlocked.Increment(ref sent);
                }
            }));
        }
        foreach (var t in threads)
        {
            t.IsBackground = true;
            t.Start();
        }
        foreach (var t in threads)
            Assert.True(t.Join(TimeSpan.FromSeconds(120)), "a producer hung");

        long expected = start + Frames + Timers + Operators + Interlocked.Read(ref sent);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            long want;
            lock (rig.CoreLock)
                want = expected + gateway.LocalRejects;
            if (rig.Engine.InputsProcessed >= want && rig.Engine.InputsQueued == 0)
                break;
            Thread.Sleep(10);
        }
        lock (rig.CoreLock)
        {
            Assert.Equal(0, rig.Engine.InputsQueued);
            Assert.Equal(expected + gateway.LocalRejects, rig.Engine.InputsProcessed);
            Assert.Null(rig.Engine.HaltReason);
        }
    }
}
