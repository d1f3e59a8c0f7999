using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Venue;

/// <summary>A report waiting for its delivery time (<see cref="Time"/>; ties run by <see cref="Seq"/>): one of the
/// report records, by <see cref="Kind"/>.</summary>
internal struct ScheduledReport
{
    public long Time;
    public long Seq;
    public ReportKind Kind;
    public AckReport Ack;
    public RejectReport Reject;
    public FillReport Fill;
    public CanceledReport Canceled;
    public ExpiredReport Expired;
    public AmendedReport Amended;
    public OrderStatusReport Status;

    public enum ReportKind : byte
    {
        Ack,
        Reject,
        Fill,
        Canceled,
        Expired,
        Amended,
        Status,
    }
}
