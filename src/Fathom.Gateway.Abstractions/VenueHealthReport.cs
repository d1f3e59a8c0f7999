using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// A fact about the venue rather than about one order: order entry up or down, an instrument's trading
/// status, a liveness probe's round trip. Delivered through <see cref="IReportSink.OnVenueHealth"/> so it
/// enters the core as a journaled input like every report, and risk acts on it there.
/// </summary>
/// <param name="InstrumentId">The instrument of an <see cref="VenueHealthKind.InstrumentStatus"/> report; -1 otherwise.</param>
/// <param name="Value">The round trip in ns of a <see cref="VenueHealthKind.ProbeRoundTrip"/>; 0 otherwise.</param>
/// <param name="TimeNs">Local wall-clock time of the observation (ns since the Unix epoch).</param>
public readonly record struct VenueHealthReport(VenueHealthKind Kind, int InstrumentId, InstrumentStatus Status, long Value, long TimeNs)
{
    public static VenueHealthReport OrderEntry(bool up, long timeNs) =>
        new(up ? VenueHealthKind.OrderEntryUp : VenueHealthKind.OrderEntryDown, -1, InstrumentStatus.Unknown, 0, timeNs);

    public static VenueHealthReport Instrument(int instrumentId, InstrumentStatus status, long timeNs) =>
        new(VenueHealthKind.InstrumentStatus, instrumentId, status, 0, timeNs);

    public static VenueHealthReport Probe(long roundTripNs, long timeNs) =>
        new(VenueHealthKind.ProbeRoundTrip, -1, InstrumentStatus.Unknown, roundTripNs, timeNs);
}
