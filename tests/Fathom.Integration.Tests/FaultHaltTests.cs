using Fathom.Hosting;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// Faults outside the strategy halt trading with a reason, through the real composition, and never
/// stop the feed or the timer loop: a failing client-id reservation, an exception in the timer loop.
/// </summary>
public class FaultHaltTests
{
    private static readonly InstrumentSpec Btc = Fathom.Testing.Specs.BtcUsdt;

    private sealed class FailingReservation(int succeed) : ISequenceReservation
    {
        private long _next = 1;
        public int Calls;
        public long Reserve(int count)
        {
            if (++Calls > succeed)
                throw new IOException("No space left on device");
            long first = _next;
            _next += count;
            return first;
        }
    }

    private sealed record Rig(BinanceFeedCore Core, CoreParts Parts, ManualTimeProvider Time, MonotonicClock Clock, RecordingGateway Venue)
    {
        private long _id = 1_000, _wallNs = 1_700_000_000_000_000_000;
        private readonly Random _rng = new(5);

        public void Frames(int n)
        {
            for (int i = 0; i < n; i++, _id += 2)
            {
                Time.Advance(TimeSpan.FromMilliseconds(10));
                _wallNs += 10_000_000;
                lock (Core.CoreLock)
                    Core.ApplyFrame(CoreWarmup.Diff("BTCUSDT", Btc, _id + 1, _id + 2, 1_000_000, Btc.TickSize.Raw, 1_000_000, _rng, _wallNs),
                        Clock.NowNanos(), _wallNs, 1);
                Parts.Engine.OnTimer();
            }
        }

        public static Rig Start(ISequenceReservation reservation)
        {
            var time = new ManualTimeProvider();
            var clock = new MonotonicClock(time);
            var core = new BinanceFeedCore([Btc]);
            CoreParts parts = CoreComposition.Build(core, DemoCore.Setup(Btc, 1, 1), clock, reservation);
            var venue = new RecordingGateway();
            parts.Engine.AttachGateway(venue);
            parts.Engine.Start();
            var rig = new Rig(core, parts, time, clock, venue);
            long wall = 1_700_000_000_000_000_000;
            lock (core.CoreLock)
            {
                core.ApplyFrame(CoreWarmup.Diff("BTCUSDT", Btc, 1_001, 1_001, 1_000_000, Btc.TickSize.Raw, 1_000_000, new Random(1), wall), clock.NowNanos(), wall, 1);
                core.ApplySnapshot(0, 1000, CoreWarmup.Snapshot(Btc, 1_000, 1_000_000, Btc.TickSize.Raw, 1_000_000), clock.NowNanos(), wall);
            }
            return rig;
        }
    }

    [Fact]
    public void IdReservationFails_HaltsWithTheReason_FeedAndTimersKeepRunning()
    {
        var rig = Rig.Start(new FailingReservation(succeed: 0));
        rig.Frames(50);
        TradingEngine engine = rig.Parts.Engine;
        Assert.NotNull(engine.HaltReason);
        Assert.Contains("client order ids", engine.HaltReason);
        Assert.Contains("No space left on device", engine.HaltReason);
        Assert.Equal(RiskState.Halted, rig.Parts.Risk.State);
        Assert.Empty(rig.Venue.Sent);

        // The feed and the timers go on: the book keeps applying diffs, the core keeps taking inputs.
        long diffs = rig.Core.Books[0].Counters.DiffsApplied, inputs = engine.InputsProcessed;
        rig.Frames(20);
        Assert.True(rig.Core.Books[0].Counters.DiffsApplied >= diffs + 20, $"diffs {diffs} -> {rig.Core.Books[0].Counters.DiffsApplied}, state {rig.Core.Books[0].State} ({rig.Core.Books[0].LastFailure}), gaps {rig.Core.Books[0].Counters.Gaps}");
        Assert.True(engine.InputsProcessed >= inputs + 40, "frames and timer ticks are still inputs");
        Assert.True(rig.Core.Books[0].IsLive);
        Assert.Equal(RiskState.Halted, rig.Parts.Risk.State);
    }

    [Fact]
    public async Task TimerLoopThrows_HaltsWithTheReason_AndTheLoopGoesOn()
    {
        var rig = Rig.Start(new InMemorySequenceReservation());
        rig.Frames(5);
        TradingEngine engine = rig.Parts.Engine;
        Assert.Null(engine.HaltReason);
        int ticks = 0;
        using var cancel = new CancellationTokenSource();
        Task loop = EngineHost.RunTimersAsync(engine, TimeSpan.FromMilliseconds(5), TimeProvider.System, cancel.Token,
            beforeTick: () =>
            {
                if (Interlocked.Increment(ref ticks) == 3)
                    throw new InvalidOperationException("timer bug");
            });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref ticks) < 10 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        await cancel.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(Volatile.Read(ref ticks) >= 10, "the timer loop ended after the exception");
        lock (rig.Core.CoreLock)
        {
            Assert.Contains("timer loop: InvalidOperationException: timer bug", engine.HaltReason);
            Assert.Equal(RiskState.Halted, rig.Parts.Risk.State);
        }
    }
}
