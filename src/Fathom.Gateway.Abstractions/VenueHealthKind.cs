namespace Fathom.Gateway.Abstractions;

/// <summary>What a <see cref="VenueHealthReport"/> says. On disk (the input journal): never renumber.</summary>
public enum VenueHealthKind : byte
{
    None = 0,
    /// <summary>Order entry can send again: connected, logged on, and the orders and fills missed while it was down were reported first.</summary>
    OrderEntryUp = 1,
    /// <summary>Order entry is down: the connection dropped, or stalled (no answer to a liveness probe in time).</summary>
    OrderEntryDown = 2,
    /// <summary>The venue's trading status of one instrument (exchangeInfo refresh or a venue event); <see cref="VenueHealthReport.Status"/> holds it.</summary>
    InstrumentStatus = 3,
    /// <summary>A liveness probe's round trip (WebSocket API <c>ping</c> or equivalent) in <see cref="VenueHealthReport.Value"/> ns: latency evidence while no order flows.</summary>
    ProbeRoundTrip = 4,
}
