using Fathom.Gateway.Abstractions;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.Testing;
using Xunit;

namespace Fathom.Backtest.Tests;

public sealed class JournalLatenciesTests
{
    [Fact]
    public void ReadAckLatencies_JournalOfASession_GivesEachNewOrdersSendToAck()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-bt-jnl-").FullName;
        try
        {
            string path = Path.Combine(dir, "session.fathomjnl");
            InstantVenue venue;
            using (var journal = CoreJournal.Create(path))
            {
                var rig = new CoreRig(CoreRig.Setup([Specs.BtcUsdt], CoreRig.Maker(0)), journal: journal, start: false);
                venue = new InstantVenue(rig.Engine, answerAtOnce: false, record: true);
                rig.Engine.AttachGateway(venue);
                rig.Engine.Start();
                // The maker quotes both sides; the venue answers 3 ms later. Then the market moves, it requotes,
                // and the answers take 7 ms.
                rig.Market(6_000_000, 6_000_004, 1);
                rig.Time.Advance(TimeSpan.FromMilliseconds(3));
                venue.AnswerPending();
                rig.Market(6_000_050, 6_000_054, 2);
                rig.Time.Advance(TimeSpan.FromMilliseconds(7));
                venue.AnswerPending();
                CoreComposition.DetachJournal(rig.Core, rig.Engine);
            }
            int newOrders = venue.Sent.Count(c => c.Kind is CommandKind.Place or CommandKind.CancelReplace);
            int firstBatch = venue.Sent.Count(c => c.Kind is CommandKind.Place or CommandKind.CancelReplace && c.IssuedNs == venue.Sent[0].IssuedNs);

            IReadOnlyList<long> latencies = JournalLatencies.ReadAckLatencies(path);

            Assert.True(firstBatch >= 2 && newOrders > firstBatch, $"the maker sent {firstBatch} then {newOrders - firstBatch} new orders");
            Assert.Equal(newOrders, latencies.Count);
            Assert.All(latencies.Take(firstBatch), ns => Assert.Equal(3_000_000, ns));
            // Later orders waited 7 ms, or none when sent in reaction to an answer and answered in the same pass.
            Assert.All(latencies.Skip(firstBatch), ns => Assert.Contains(ns, new long[] { 0, 7_000_000 }));
            Assert.Contains(7_000_000, latencies);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ReadAckLatencies_NotAJournal_NamesTheFile()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a journal");
            var ex = Assert.Throws<InvalidDataException>(() => JournalLatencies.ReadAckLatencies(path));
            Assert.Contains(path, ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
