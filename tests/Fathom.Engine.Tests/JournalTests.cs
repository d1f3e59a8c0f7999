using Fathom.Core;
using Fathom.Gateway.Abstractions;
using Fathom.Journal;
using Fathom.MarketData;
using Fathom.Testing;
using Fathom.Hosting;
using Xunit;

namespace Fathom.Engine.Tests;

public partial class TradingEngineTests
{
    private sealed class CapturingSink : IReportSink
    {
        public readonly List<object> Reports = [];
        public void OnAck(in AckReport report) => Reports.Add(report);
        public void OnReject(in RejectReport report) => Reports.Add(report);
        public void OnFill(in FillReport report) => Reports.Add(report);
        public void OnCanceled(in CanceledReport report) => Reports.Add(report);
        public void OnExpired(in ExpiredReport report) => Reports.Add(report);
        public void OnAmended(in AmendedReport report) => Reports.Add(report);
        public void OnStatusUnknown(in StatusUnknownReport report) => Reports.Add(report);
        public void OnOrderStatus(in OrderStatusReport report) => Reports.Add(report);
        public void OnVenueHealth(in VenueHealthReport report) => Reports.Add(report);
    }

    /// <summary>The rig, for the allocation tests in their own (non-parallel) collection.</summary>
    internal sealed class RigForAllocation(object rig)
    {
        private readonly CoreRig _rig = (CoreRig)rig;
        public TradingEngine Engine => _rig.Engine;
        public long Now => _rig.Now;
        public void Market(long bid, long ask, long id) => _rig.Market(bid, ask, id);
        /// <summary>A market move from levels the caller allocated up front (nothing is allocated here).</summary>
        public void Snapshot(long id, Fathom.Book.Level[] bids, Fathom.Book.Level[] asks) => _rig.Snapshot(0, id, bids, asks);
        public void Advance(TimeSpan delta) => _rig.Time.Advance(delta);
        public OrderCommand[] Sent() => [.. _rig.Gateway.Sent];
    }

    internal static RigForAllocation NewRigForAllocation(CoreJournal journal) => new(NewRig(journal: journal));

    [Fact]
    public void JournalCodec_RoundTripsEveryReportKind()
    {
        var id = new ClientOrderId(3, 123_456, 987_654_321);
        var other = new ClientOrderId(3, 123_456, 987_654_322);
        var sink = new CapturingSink();
        Span<byte> buffer = stackalloc byte[JournalCodec.MaxSize];
        object[] reports =
        [
            new AckReport(1, id, 42, 1_000),
            new RejectReport(1, id, CommandKind.Place, RejectReason.InsufficientBalance, -2010, "Account has insufficient balance", 2_000),
            new RejectReport(0, id, CommandKind.Cancel, RejectReason.UnknownOrder, -2011, null, 2_500),
            new RejectReport(0, id, CommandKind.Cancel, RejectReason.Banned, -1003, "Way too much request weight used; IP banned", 2_700, RetryAfterNs: 120_000_000_000),
            new CanceledReport(1, id, 3_000),
            new ExpiredReport(1, id, 4_000),
            new AmendedReport(1, id, other, new Qty(5_000), 5_000),
            new StatusUnknownReport(1, id, CommandKind.CancelReplace, UnknownCause.Timeout, 6_000),
            new OrderStatusReport(1, id, VenueOrderStatus.PartiallyFilled, 42, new Qty(700), 7_000, other),
            new FillReport(1, id, 42, 9_001, OrderSide.Sell, new Price(6_000_012_000_000), new Qty(300), new Qty(700), -15, new Qty(1), true, 8_000),
        ];
        foreach (object r in reports)
        {
            (JournalReportKind kind, int n) = r switch
            {
                AckReport x => (JournalReportKind.Ack, JournalCodec.Encode(x, buffer)),
                RejectReport x => (JournalReportKind.Reject, JournalCodec.Encode(x, buffer)),
                CanceledReport x => (JournalReportKind.Canceled, JournalCodec.Encode(x, buffer)),
                ExpiredReport x => (JournalReportKind.Expired, JournalCodec.Encode(x, buffer)),
                AmendedReport x => (JournalReportKind.Amended, JournalCodec.Encode(x, buffer)),
                StatusUnknownReport x => (JournalReportKind.StatusUnknown, JournalCodec.Encode(x, buffer)),
                OrderStatusReport x => (JournalReportKind.OrderStatus, JournalCodec.Encode(x, buffer)),
                FillReport x => (JournalReportKind.Fill, JournalCodec.Encode(x, buffer)),
                _ => throw new InvalidOperationException(),
            };
            JournalCodec.Dispatch(kind, buffer[..n], sink);
        }
        Assert.Equal(reports, sink.Reports);
    }

    [Fact]
    public void JournalCodec_CutsAnOverlongVenueMessageToFit()
    {
        Span<byte> buffer = stackalloc byte[JournalCodec.MaxSize];
        var report = new RejectReport(0, new ClientOrderId(1, 1, 1), CommandKind.Place, RejectReason.RateLimited, -1, new string('é', 2_000), 1, RetryAfterNs: 7);
        int n = JournalCodec.Encode(report, buffer);
        Assert.True(n <= JournalCodec.MaxSize);
        var sink = new CapturingSink();
        JournalCodec.Dispatch(JournalReportKind.Reject, buffer[..n], sink);
        var back = Assert.IsType<RejectReport>(Assert.Single(sink.Reports));
        Assert.StartsWith("éé", back.VenueMessage);
        Assert.Equal(report with { VenueMessage = back.VenueMessage }, back);
    }

    [Fact]
    public void JournalCodec_RejectWrittenBeforeRetryAfter_DecodesWithZero()
    {
        Span<byte> buffer = stackalloc byte[JournalCodec.MaxSize];
        var report = new RejectReport(0, new ClientOrderId(1, 1, 1), CommandKind.Cancel, RejectReason.RateLimited, -1003, "Too much request weight used", 1);
        int n = JournalCodec.Encode(report with { RetryAfterNs = 5 }, buffer) - 8; // the layout before the field
        var sink = new CapturingSink();
        JournalCodec.Dispatch(JournalReportKind.Reject, buffer[..n], sink);
        Assert.Equal(report, Assert.IsType<RejectReport>(Assert.Single(sink.Reports)));
    }

    [Fact]
    public void ReportDeliveredFromInsideSend_IsProcessedAfterTheInput_AsAnInputOfItsOwn()
    {
        using var stream = new MemoryStream();
        var journal = new CoreJournal(new RecordingWriter(stream, ownsStream: false));
        // A gateway that rejects its first command from inside Send, as a full queue does.
        var gateway = new RecordingGateway();
        var rig = NewRig(journal: journal, gateway: gateway);
        gateway.OnSend = command =>
        {
            if (gateway.Sends == 1)
                rig.Engine.OnReject(new RejectReport(command.InstrumentId, command.ClientOrderId, command.Kind, RejectReason.RateLimited, 0, "gateway queue full", 0));
        };
        rig.Time.Advance(TimeSpan.FromMilliseconds(1));
        rig.Engine.OnTimer(); // an input the engine journals itself
        rig.Market(10_000, 10_010, 1);
        // Both quotes went out before the reject of the first was applied.
        Assert.True(gateway.Sent.Count >= 2, $"{gateway.Sent.Count} sent");
        Assert.Equal(CommandKind.Place, gateway.Sent[1].Kind);
        journal.Dispose();

        var entries = new List<(RecordKind Kind, long Seq, int Arg)>();
        using (var reader = new CoreJournalReader(new MemoryStream(stream.ToArray())))
        {
            while (reader.TryRead(out JournalEntry e))
                if (e.Kind is not (RecordKind.JournalMeta or RecordKind.IdReservation)) // the composition's setup and id blocks
                    entries.Add((e.Kind, e.Sequence, e.Arg));
            Assert.Null(reader.Problem);
        }
        // start, timer, [frame applied by the feed core, not journaled here: its two places], then the reject as input 3.
        Assert.Equal((RecordKind.OperatorCommand, 1L, (int)JournalOperatorKind.Start), entries[0]);
        Assert.Equal((RecordKind.TimerTick, 2L, 0), entries[1]);
        Assert.Equal(RecordKind.CommandOut, entries[2].Kind);
        Assert.Equal(RecordKind.CommandOut, entries[3].Kind);
        Assert.Equal(2L, entries[3].Seq);
        Assert.Equal((RecordKind.VenueReport, 3L, (int)JournalReportKind.Reject), entries[4]);
        Assert.DoesNotContain(entries.Skip(5), e => e.Kind == RecordKind.VenueReport);
    }
}
