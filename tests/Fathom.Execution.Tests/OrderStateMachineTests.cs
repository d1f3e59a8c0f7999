using Fathom.Core;
using Xunit;

namespace Fathom.Execution.Tests;

/// <summary>Every cell of the order table, against an expected matrix written out here independently.</summary>
public class OrderStateMachineTests
{
    // Columns: Submit Ack PartialFill Fill CancelRequest CancelReject Canceled ReplaceRequest Replaced
    //          ReplaceReject Reject Expire StatusUnknown NotFound NotFoundFinal Adopt Recover Renamed.
    // "W" = back to working (Accepted without fills, PartiallyFilled with), "-" = illegal.
    private static readonly string[] Expected =
    [
        /* New             */ "PN - - - - - - - - - - - - - - W UK -",
        /* PendingNew      */ "- AC PF FI - - CA - - - RJ EX UK - - - - PN",
        /* Accepted        */ "- AC PF FI PC - CA PR - - - EX - - - - - AC",
        /* PartiallyFilled */ "- PF PF FI PC - CA PR - - - EX - - - - - PF",
        /* Filled          */ "- FI FI FI - FI - - FI FI - - FI - - - - FI",
        /* PendingCancel   */ "- PC PC FI - W CA - - - - EX UK - - - - PC",
        /* Canceled        */ "- CA CA - - CA CA - CA CA - - CA - - - - CA",
        /* PendingReplace  */ "- PR PR FI - - CA - W W - EX UK - - - - PR",
        /* Rejected        */ "- AC PF FI - - - - - - RJ - - - - - - RJ",
        /* Expired         */ "- EX EX - - EX - - EX EX - EX EX - - - - EX",
        /* Unknown         */ "- W W FI - W CA - W W RJ EX UK UK RJ - - UK",
    ];

    private static OrderState Parse(string s) => s switch
    {
        "N" => OrderState.New, "PN" => OrderState.PendingNew, "AC" => OrderState.Accepted, "PF" => OrderState.PartiallyFilled,
        "FI" => OrderState.Filled, "PC" => OrderState.PendingCancel, "CA" => OrderState.Canceled, "PR" => OrderState.PendingReplace,
        "RJ" => OrderState.Rejected, "EX" => OrderState.Expired, "UK" => OrderState.Unknown,
        _ => throw new ArgumentException(s),
    };

    [Fact]
    public void EveryCell_MatchesExpectedMatrix()
    {
        Assert.Equal(OrderStateMachine.StateCount, Expected.Length);
        int checkedCells = 0;
        for (int s = 0; s < OrderStateMachine.StateCount; s++)
        {
            string[] cells = Expected[s].Split(' ');
            Assert.Equal(OrderStateMachine.EventCount, cells.Length);
            for (int e = 0; e < OrderStateMachine.EventCount; e++)
            {
                var state = (OrderState)s;
                var evt = (OrderEvent)e;
                foreach (bool hasFills in new[] { false, true })
                {
                    bool ok = OrderStateMachine.TryNext(state, evt, hasFills, out var next);
                    string want = cells[e];
                    if (want == "-")
                    {
                        Assert.False(ok, $"{state} + {evt} should be illegal");
                        Assert.Equal(state, next);
                    }
                    else
                    {
                        Assert.True(ok, $"{state} + {evt} should be legal");
                        var expected = want == "W" ? (hasFills ? OrderState.PartiallyFilled : OrderState.Accepted) : Parse(want);
                        Assert.Equal(expected, next);
                    }
                    checkedCells++;
                }
            }
        }
        Assert.Equal(11 * 18 * 2, checkedCells);
    }

    [Fact]
    public void BusyAndTerminalStates_NeverAcceptANewRequest()
    {
        // The rule the engine relies on: nothing is sent for an order with a command in flight, an
        // unknown fate, or no life left.
        foreach (var state in Enum.GetValues<OrderState>())
        {
            if (!OrderStateMachine.IsBusy(state) && !OrderStateMachine.IsTerminal(state))
                continue;
            foreach (var evt in new[] { OrderEvent.Submit, OrderEvent.CancelRequest, OrderEvent.ReplaceRequest })
                Assert.False(OrderStateMachine.TryNext(state, evt, false, out _), $"{state} + {evt}");
        }
    }

    [Fact]
    public void Unknown_IsResolvedByEveryOutcomeButNotByNotFound()
    {
        Assert.True(OrderStateMachine.TryNext(OrderState.Unknown, OrderEvent.NotFound, false, out var s1));
        Assert.Equal(OrderState.Unknown, s1);
        foreach (var evt in new[] { OrderEvent.Ack, OrderEvent.Fill, OrderEvent.Canceled, OrderEvent.Expire, OrderEvent.Reject, OrderEvent.NotFoundFinal })
        {
            Assert.True(OrderStateMachine.TryNext(OrderState.Unknown, evt, false, out var s));
            Assert.NotEqual(OrderState.Unknown, s);
        }
    }

    [Fact]
    public void Classification_PartitionsStates()
    {
        foreach (var s in Enum.GetValues<OrderState>())
        {
            int classes = (OrderStateMachine.IsBusy(s) ? 1 : 0) + (OrderStateMachine.IsTerminal(s) ? 1 : 0) + (OrderStateMachine.IsWorking(s) ? 1 : 0);
            Assert.Equal(s == OrderState.New ? 0 : 1, classes);
        }
    }
}
