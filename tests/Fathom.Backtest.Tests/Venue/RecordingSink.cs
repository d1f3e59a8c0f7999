using Fathom.Backtest.Venue;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Tests.Venue;

/// <summary>Keeps every report the venue delivers, in order, with its delivery time.</summary>
public sealed class RecordingSink : IReportSink
{
    public SimulatedVenue? Venue { get; set; }
    public List<Delivered> All { get; } = [];

    public IEnumerable<T> Of<T>() => All.Select(d => d.Report).OfType<T>();
    public List<FillReport> Fills => Of<FillReport>().ToList();
    public List<AckReport> Acks => Of<AckReport>().ToList();
    public List<RejectReport> Rejects => Of<RejectReport>().ToList();
    public long DeliveredAt(object report) => All.Single(d => d.Report.Equals(report)).DeliveredNs;

    private void Add(object report) => All.Add(new Delivered(report, Venue?.NowNs ?? 0));

    public void OnAck(in AckReport report) => Add(report);
    public void OnReject(in RejectReport report) => Add(report);
    public void OnFill(in FillReport report) => Add(report);
    public void OnCanceled(in CanceledReport report) => Add(report);
    public void OnExpired(in ExpiredReport report) => Add(report);
    public void OnAmended(in AmendedReport report) => Add(report);
    public void OnStatusUnknown(in StatusUnknownReport report) => Add(report);
    public void OnOrderStatus(in OrderStatusReport report) => Add(report);
    public void OnVenueHealth(in VenueHealthReport report) => Add(report);
}
