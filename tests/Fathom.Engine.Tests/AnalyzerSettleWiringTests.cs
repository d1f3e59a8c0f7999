using Fathom.Book;
using Fathom.MarketData;
using Fathom.Signals;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The analyzer's leftover work as the composition wires it (<see cref="TradingEngine.AfterFrame"/> →
/// <see cref="SignalViewCache.Settle"/>): a diff's level sizes join the size window after the frame's input, not at the
/// next diff, between it and its decision.
/// </summary>
public class AnalyzerSettleWiringTests
{
    [Fact]
    public void LiveCore_SettlesTheDiffsLevelSizes_InTheFramesInput_WithoutChangingWhatTheStrategyReads()
    {
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)));
        rig.Market(10_000, 10_010, 1);
        SignalEngine analyzer = rig.Parts.Signals[0];
        int before = analyzer.Sizes.LevelSamples;
        lock (rig.CoreLock)
        {
            // Two near-touch sizes posted: the diff's z is read without them, so they wait.
            rig.Core.Router.OnBookDelta(new BookDelta(0, 2, 2, -1, 1_000, 0, [new Level(10_000, 7_000_000)], [new Level(10_010, 3_000_000)]));
            Assert.Equal(2, analyzer.Sizes.PendingLevelSamples);
            long version = analyzer.Version;
            double bidZ = analyzer.Sizes.LevelZ(Side.Bid);
            rig.Core.AfterApply!(rig.Now);
            Assert.Equal(0, analyzer.Sizes.PendingLevelSamples);
            Assert.Equal(before + 2, analyzer.Sizes.LevelSamples);
            Assert.Equal(version, analyzer.Version); // the view the strategy read stays valid
            Assert.Equal(bidZ, analyzer.Sizes.LevelZ(Side.Bid));
        }
        Assert.Equal(0L, rig.Engine.FaultHalts);
    }
}
