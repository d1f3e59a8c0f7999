using System.Text;
using Fathom.Testing;
using Xunit;
using static Fathom.Venues.Okx.Tests.OkxTestData;

namespace Fathom.Venues.Okx.Tests;

public class OkxAllocationTests
{
    private sealed class State
    {
        public required Pipeline Pipeline;
        public required byte[][] Updates;
        public required byte[] Trade;
        public required byte[] Bbo;
        public int Next;
    }

    [Fact]
    public void ParseSyncApplyAndChecksum_BooksBboTrades_AllocateNothingAfterWarmUp()
    {
        (string, string)[] bidsA = [("100", "3"), ("99.8", "1")], bidsB = [("100", "1"), ("99.8", "0")];
        (string, string)[] snapBids = [("100", "1"), ("99.9", "2")], snapAsks = [("100.1", "1"), ("100.2", "2")];
        // The right checksum after A and after B, from a scratch book.
        var scratch = new Pipeline();
        scratch.Feed(Snapshot(100, snapBids, snapAsks));
        scratch.Feed(Update(100, 101, bidsA, []));
        int checksumA = OkxBookChecksum.Instance.Compute(scratch.Sync.Book);
        scratch.Feed(Update(101, 102, bidsB, []));
        int checksumB = OkxBookChecksum.Instance.Compute(scratch.Sync.Book);

        // A chain of updates alternating A and B (each with its checksum), consumed 20 per measured call.
        var updates = new byte[6000][];
        for (int i = 0; i < updates.Length; i++)
            updates[i] = i % 2 == 0 ? Update(100 + i, 101 + i, bidsA, [], checksumA) : Update(100 + i, 101 + i, bidsB, [], checksumB);
        var p = new Pipeline();
        p.Feed(Snapshot(100, snapBids, snapAsks));
        var state = new State
        {
            Pipeline = p,
            Updates = updates,
            Trade = Encoding.UTF8.GetBytes("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\",\"tradeId\":\"1\",\"px\":\"100\",\"sz\":\"0.5\",\"side\":\"sell\",\"ts\":\"1\"}]}"),
            Bbo = Encoding.UTF8.GetBytes("{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"100.1\",\"1\",\"0\",\"1\"]],\"bids\":[[\"100\",\"1\",\"0\",\"1\"]],\"ts\":\"1\",\"seqId\":1}]}"),
        };

        AllocationAssert.Zero(state, s =>
        {
            for (int i = 0; i < 20; i++)
                s.Pipeline.Feed(s.Updates[s.Next++]);
            s.Pipeline.Feed(s.Trade);
            s.Pipeline.Feed(s.Bbo);
        });

        Assert.True(p.Sync.IsLive);
        Assert.Equal(state.Next, p.Sync.Counters.ChecksumsMatched);
        Assert.Equal(0, p.Sync.Counters.ChecksumsMismatched);
    }
}
