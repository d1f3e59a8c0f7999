using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Fathom.Testing;
using Xunit;

namespace Fathom.Engine.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "allocation";
}

/// <summary>Venue reports and timer ticks through the engine, journaled, allocate nothing in steady state.</summary>
[Collection(AllocationCollection.Name)]
public class EngineAllocationTests
{
    [Fact]
    public void ReportsAndTimers_WithAJournalAttached_AllocateNothing()
    {
        using var stream = new MemoryStream(64 << 20);
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        TradingEngineTests.RigForAllocation rig = TradingEngineTests.NewRigForAllocation(journal);
        rig.Market(10_000, 10_010, 1);
        OrderCommand[] sent = rig.Sent();
        Assert.NotEmpty(sent);
        var state = (rig, sent, now: rig.Now); // the rig's Now builds a clock: read it once
        AllocationAssert.Zero(state, static s =>
        {
            for (int i = 0; i < 50; i++)
            {
                // Acks (repeated: duplicates after the first) and expiries for orders the engine knows, and timer ticks.
                foreach (OrderCommand c in s.sent)
                    s.rig.Engine.OnAck(new AckReport(0, c.ClientOrderId, 1000 + c.ClientOrderId.Sequence, s.now));
                s.rig.Engine.OnExpired(new ExpiredReport(0, new ClientOrderId(9, 9, 9), s.now));
                s.rig.Engine.OnTimer();
            }
        });
        journal.Dispose();
    }
}
