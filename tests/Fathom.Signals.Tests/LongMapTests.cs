using CsCheck;
using Fathom.Testing;
using Xunit;

namespace Fathom.Signals.Tests;

public class LongMapTests
{
    [Fact]
    public void AddsAndRemovals_MatchADictionary_ThroughCollisionsAndGrowth()
    {
        // Keys from a small range collide in the probe runs; sums returning to 0 delete entries, so
        // backward-shift deletion runs constantly.
        var gen = Gen.Select(Gen.Int[1, 2_000], Gen.Int[2, 500], Gen.ULong);
        Property.ForAll(gen, 200, t =>
        {
            var (steps, keyRange, seed) = t;
            var rng = new Random((int)seed);
            var map = new LongMap(4);
            var model = new Dictionary<long, long>();
            for (int i = 0; i < steps; i++)
            {
                long key = 1 + rng.Next(keyRange) * (rng.Next(3) == 0 ? 1_024 : 1); // strided keys too
                long current = model.GetValueOrDefault(key);
                long delta = current != 0 && rng.Next(3) == 0 ? -current : rng.Next(-5, 6);
                map.Add(key, delta);
                long next = current + delta;
                if (next == 0) model.Remove(key); else model[key] = next;
                Assert.Equal(model.Count, map.Count);
                if (i % 16 == 0)
                    for (long k = 1; k <= keyRange; k++)
                        Assert.Equal(model.GetValueOrDefault(k), map.Get(k));
            }
            foreach (var (k, v) in model)
                Assert.Equal(v, map.Get(k));
            map.Clear();
            Assert.Equal(0, map.Count);
            foreach (var k in model.Keys)
                Assert.Equal(0, map.Get(k));
        });
    }
}
