using CsCheck;
using Fathom.Core;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>
/// Random strategies against <see cref="FakeVenue"/> with random fills, rejects, timeouts (applied or
/// not) and latencies: the position never passes its limit, no illegal transition happens, and once the
/// venue is healthy again every order ends terminal or working (nothing pending or unknown) with the
/// engine's position equal to the venue's.
/// </summary>
public class ExecutionPropertyTests
{
    private static readonly ulong[] RegressionSeeds = [];

    public readonly record struct Scenario(ulong Seed, int Steps, int FillPct, int RejectPct, int TimeoutPct, int MaxLatencyMs)
    {
        public override string ToString() =>
            $"seed={Seed} steps={Steps} fill%={FillPct} reject%={RejectPct} timeout%={TimeoutPct} latency≤{MaxLatencyMs}ms";
    }

    private static readonly Gen<Scenario> Scenarios =
        Gen.Select(Gen.ULong, Gen.Int[100, 400], Gen.Int[5, 40], Gen.Int[0, 20], Gen.Int[0, 25], Gen.Int[0, 400])
           .Select((s, n, f, r, t, l) => new Scenario(s, n, f, r, t, l));

    private sealed class Coverage
    {
        public long Unknowns, Replaces, Amends, Fills, NeverReached, ModifyRejects, VenueHolds;
    }

    [Fact]
    public void RandomVenue_PositionWithinLimits_EveryOrderEndsKnown()
    {
        var coverage = new Coverage();
        Property.ForAll(Scenarios, 200, s => Run(s, coverage), RegressionSeeds);
        Assert.True(coverage.Unknowns > 50, $"only {coverage.Unknowns} unknown orders exercised");
        Assert.True(coverage.Replaces > 100, $"only {coverage.Replaces} cancel-replaces");
        Assert.True(coverage.Amends > 50, $"only {coverage.Amends} amends");
        Assert.True(coverage.Fills > 500, $"only {coverage.Fills} fills");
        Assert.True(coverage.NeverReached > 0, "no order was ever proven never to have arrived");
        Assert.True(coverage.ModifyRejects > 100, $"only {coverage.ModifyRejects} rate-limited cancels/replaces backed off");
        Assert.True(coverage.VenueHolds > 50, $"only {coverage.VenueHolds} Retry-After holds");
    }

    private static void Run(Scenario s, Coverage coverage)
    {
        const long maxPosition = 3 * Harness.OneBtc;
        var rng = new Random((int)(s.Seed ^ (s.Seed >> 32)));
        var h = new Harness(new ExecutionOptions { MaxInFlightPerInstrument = 4 }, Harness.Limits(maxPositionBtc: 3), observe: false);
        var venue = new FakeVenue(h, rng, s.RejectPct, s.TimeoutPct, s.MaxLatencyMs);
        long mid = Harness.Mid;
        long lastHalf = 10;

        void Pump()
        {
            foreach (var c in h.Engine.Commands.Commands)
                venue.Handle(c);
            h.Engine.Commands.Clear();
            venue.Deliver();
            foreach (var c in h.Engine.Commands.Commands)
                venue.Handle(c);
            h.Engine.Commands.Clear();
            Assert.InRange(h.Engine.Position(0).Position.Raw, -maxPosition, maxPosition);
        }

        for (int step = 0; step < s.Steps; step++)
        {
            h.Advance(rng.Next(1, 60));
            int roll = rng.Next(100);
            if (roll < 40)
            {
                // Often the same prices with a new size: exercises keep, amend-down and size-up replace.
                if (rng.Next(2) == 0)
                    lastHalf = rng.Next(1, 40);
                long half = lastHalf;
                h.Quote(mid - half, rng.Next(0, 4) * 400, mid + half, rng.Next(0, 4) * 400);
            }
            else if (roll < 45)
            {
                h.Engine.Submit(Intent.CancelAll(0), h.Now);
            }
            else if (roll < 52)
            {
                var side = rng.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
                h.Engine.Submit(Intent.Take(0, side, new Qty(rng.Next(100, 2_000)), new Price(side == OrderSide.Buy ? mid - 60 : mid + 60)), h.Now);
            }
            else if (roll < 55)
            {
                h.Engine.Submit(Intent.TargetPosition(0, new Qty(rng.Next(-4_000, 4_000)), new Price(mid)), h.Now);
            }
            else if (roll < 55 + s.FillPct / 2)
            {
                venue.RandomFill();
            }
            else if (roll < 85)
            {
                mid += rng.Next(-20, 21);
                h.Market(mid - 50, mid + 50);
            }
            else
            {
                h.Engine.OnTimer(h.Now);
            }
            Pump();
        }

        // The venue heals: no more timeouts or rejects, time runs on until everything is resolved.
        venue.Healthy = true;
        h.Engine.Submit(Intent.CancelAll(0), h.Now);
        for (int i = 0; i < 600 && !(venue.Idle && h.Engine.InFlight(0) == 0 && h.Engine.LiveOrderCount(0) == 0); i++)
        {
            h.Advance(250);
            h.Engine.OnTimer(h.Now);
            Pump();
        }

        Assert.True(h.Engine.Counters.IllegalTransitions == 0, $"{h.Engine.Counters.IllegalTransitions} illegal, last: {h.Engine.LastIllegal}");
        Span<OrderView> live = stackalloc OrderView[32];
        int n = h.Engine.LiveOrders(0, live);
        Assert.True(h.Engine.InFlight(0) == 0, $"{h.Engine.InFlight(0)} in flight: {string.Join("; ", live[..n].ToArray())}");
        foreach (var o in live[..n])
            Assert.True(OrderStateMachine.IsWorking(o.State) || OrderStateMachine.IsTerminal(o.State), $"order {o.OrderId} ends {o.State}");
        // The healing cancel-all reaches every order, rate-limited and backed-off ones included.
        Assert.True(n == 0, $"{n} orders still live after the cancel-all: {string.Join("; ", live[..n].ToArray())}");
        Assert.Equal(venue.NetFilled, h.Engine.Position(0).Position.Raw);
        Assert.Equal(0, h.Risk.InFlightCount);

        coverage.Unknowns += h.Engine.Counters.Queries;
        coverage.Replaces += h.Engine.Counters.CancelReplaces;
        coverage.Amends += h.Engine.Counters.Amends;
        coverage.Fills += h.Engine.Counters.Fills;
        coverage.NeverReached += h.Engine.Counters.NeverReachedVenue;
        coverage.ModifyRejects += h.Engine.Counters.ModifyRejects;
        coverage.VenueHolds += h.Engine.Counters.VenueHolds;
    }
}
