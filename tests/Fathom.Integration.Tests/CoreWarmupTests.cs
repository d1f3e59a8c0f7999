using Fathom.Hosting;
using Fathom.Cli;
using Fathom.Core;
using Xunit;

namespace Fathom.Integration.Tests;

public class CoreWarmupTests
{
    private static readonly InstrumentSpec Btc = Fathom.Testing.Specs.BtcUsdt;

    [Fact]
    public void Warmup_DrivesTheWholeDemoCore_QuotesFillsAndNoStrategyError()
    {
        CoreWarmup.Result r = CoreWarmup.Run(DemoCore.Setup(Btc, node: 1, epoch: 1), frames: 2_000);
        CoreParts parts = r.Parts;
        Assert.Equal(2_000, r.Frames);
        Assert.Null(r.StrategyError);
        // The strategy, execution, risk and report paths all ran: orders placed, answered and filled.
        var c = parts.Execution.Counters;
        string state = $"diffs {r.DiffsApplied} gaps {r.Gaps} crossed {r.Crossed}, {r.Commands} commands, risk {parts.Risk.State} ({parts.Risk.Reasons}), places {c.Places} cancels {c.Cancels} replaces {c.CancelReplaces} kept {c.QuotesKept} refusals {c.RiskRefusals}, intents {c.Intents} busy {c.DeferredBusy} cap {c.DeferredByCap} filter {c.FilterRefusals} dupfills {c.DuplicateFills} unknownfills {c.FillsForUnknownOrders} illegal {c.IllegalTransitions}, position {parts.Execution.Position(0).Position} sig {parts.Engine.Context.Signals(0)} live {parts.Engine.Context.IsMarketLive(0)} book {parts.Engine.Context.Book(0).BestBidTick}/{parts.Engine.Context.Book(0).BestAskTick} halted {parts.Engine.StrategyHalted} paused {parts.Engine.Paused}";
        Assert.True(r.Commands > 50, state);
        Assert.True(r.Fills > 10, $"{r.Fills} fills");
        Assert.True(parts.Execution.Counters.Places > 10, $"{parts.Execution.Counters.Places} places");
        Assert.True(parts.Signals[0].IsReady, "the analyzer warmed up too");
    }
}
