namespace Fathom.Gateway.Abstractions;

/// <summary>The venue accepted a new order (REST/WS response or the stream's NEW), with its order id.</summary>
public readonly record struct AckReport(int InstrumentId, ClientOrderId ClientOrderId, long VenueOrderId, long TimeNs);
