namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Where a gateway delivers venue reports. Implemented by the engine, which sequences each report
/// into the single-threaded core (the gateway calls it from its own I/O threads, one report at a
/// time per connection). Gateway outcomes that are not venue facts (timeouts, disconnects, 429s)
/// arrive here too, as <see cref="StatusUnknownReport"/> or <see cref="RejectReport"/>, so they are
/// journaled and replayable like everything else.
/// </summary>
public interface IReportSink
{
    void OnAck(in AckReport report);
    void OnReject(in RejectReport report);
    void OnFill(in FillReport report);
    void OnCanceled(in CanceledReport report);
    void OnExpired(in ExpiredReport report);
    void OnAmended(in AmendedReport report);
    void OnStatusUnknown(in StatusUnknownReport report);
    void OnOrderStatus(in OrderStatusReport report);
}
