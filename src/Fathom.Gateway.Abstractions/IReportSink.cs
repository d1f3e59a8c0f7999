namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Where a gateway delivers venue reports. Implemented by the engine, which sequences each report
/// into the single-threaded core (the gateway calls it from its own I/O threads, one report at a
/// time per connection). Gateway outcomes that are not venue facts (timeouts, disconnects, 429s)
/// arrive here too, as <see cref="StatusUnknownReport"/> or <see cref="RejectReport"/>, so they are
/// journaled and replayable like everything else.
/// </summary>
/// <remarks>
/// Threading: an implementation may be called from several gateway threads, and from inside
/// <see cref="IOrderEntry.Send(in OrderCommand)"/> on the core thread (a local reject). It must never
/// block: the engine appends the report to the core's input ring and returns, so a gateway may call it
/// while holding its own lock without risking a lock-order inversion with the core.
/// </remarks>
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

    /// <summary>Order entry up or down, an instrument's trading status, a liveness probe's round trip.</summary>
    void OnVenueHealth(in VenueHealthReport report);
}
