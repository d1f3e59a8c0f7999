using CsCheck;
using Fathom.Book;
using Fathom.Testing;
using Xunit;

namespace Fathom.Signals.Tests;

public class LevelLadderTests
{
    [Fact]
    public void RandomChanges_LadderIsAnExactPrefix_AndItsVersionMovesWithTheWatchedLevels()
    {
        var gen = Gen.Select(Gen.Int[1, 6], Gen.Int[1, 1_500], Gen.Bool, Gen.ULong);
        Property.ForAll(gen, 200, t =>
        {
            var (required, steps, isBid, seed) = t;
            var rng = new Random((int)seed);
            Side side = isBid ? Side.Bid : Side.Ask;
            var book = new OrderBook(TestInstruments.Toy);
            int watch = rng.Next(1, required + 1);
            var ladder = new LevelLadder(side, required, watch);
            ladder.Refill(book);
            Level[] watched = [];
            for (int i = 0; i < steps; i++)
            {
                long tick = 1_000 + rng.Next(0, 40);
                long qty = rng.Next(3) == 0 ? 0 : rng.Next(1, 100);
                long version = ladder.Version;
                book.Set(side, tick, qty);
                ladder.Apply(tick, qty);
                if (ladder.NeedsRefill)
                    ladder.Refill(book);
                Level[] top = [.. book.Levels(side)];
                // Statistics over the watched levels are reused while the version stands still: it
                // must move whenever those levels change.
                Level[] nowWatched = [.. top.Take(watch)];
                if (!nowWatched.SequenceEqual(watched))
                    Assert.NotEqual(version, ladder.Version);
                watched = nowWatched;
                Assert.True(ladder.Count >= Math.Min(required, top.Length), "ladder short without asking for a refill");
                if (ladder.Exhaustive)
                    Assert.Equal(top.Length, ladder.Count);
                for (int k = 0; k < ladder.Count; k++)
                {
                    Assert.Equal(top[k].Tick, ladder.TickAt(k));
                    Assert.Equal(top[k].Qty, ladder.QtyAt(k));
                }
            }
        });
    }
}
