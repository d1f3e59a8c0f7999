using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Strategy.Abstractions;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

/// <summary>
/// The order of work after a frame: the commands the frame caused are handed to the gateway before any strategy
/// callback runs (the strategy hears of the orders they created after they are out), and what the strategy submits
/// from <c>OnOrderUpdate</c> still goes out in the same input, right after them, with one tick-to-order sample.
/// </summary>
public class FlushOrderTests
{
    private const long Raw = 1_000_000; // one tick (0.01) at 8 decimals

    private sealed class ReactingStrategy(RecordingGateway gateway) : StrategyStub("reacting", 0)
    {
        public readonly List<long> SendsSeenByOrderUpdates = [];
        private bool _reacted;

        public override void OnMarketData(IStrategyContext context, int instrumentId) =>
            context.Submit(Intent.Quote(0, new Price(9_995 * Raw), new Qty(10_000), new Price(10_015 * Raw), new Qty(10_000)));

        public override void OnOrderUpdate(IStrategyContext context, in OrderView order)
        {
            SendsSeenByOrderUpdates.Add(gateway.Sends);
            if (_reacted)
                return;
            _reacted = true;
            context.Submit(Intent.Take(0, OrderSide.Buy, new Qty(10_000), new Price(10_010 * Raw)));
        }
    }

    [Fact]
    public void FramesCommands_AreHandedOverBeforeOrderUpdates_AndTheReactionFollowsInTheSameInput()
    {
        var gateway = new RecordingGateway();
        var strategy = new ReactingStrategy(gateway);
        var rig = new CoreRig(CoreRig.Setup([Specs.Btc], CoreRig.Maker(0)), gateway, strategies: [strategy]);

        rig.Market(10_000, 10_010, 1);

        // Both quote places were with the gateway before the first OnOrderUpdate about them.
        Assert.NotEmpty(strategy.SendsSeenByOrderUpdates);
        Assert.Equal(2, strategy.SendsSeenByOrderUpdates[0]);
        // The reaction (an IOC take) went out in the same input, after the quotes.
        Assert.Equal(3, gateway.Sends);
        Assert.Equal([CommandKind.Place, CommandKind.Place, CommandKind.Place], gateway.Sent.Select(c => c.Kind));
        Assert.Equal(OrderType.LimitIoc, gateway.Sent[2].Type);
        // One frame, one tick-to-order sample (taken when the frame's own commands were out).
        Assert.Equal(1, rig.Engine.Latency.TickToOrder.TotalCount);
        Assert.Equal(3, rig.Engine.CommandsSent);
    }
}
