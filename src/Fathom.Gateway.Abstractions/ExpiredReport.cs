namespace Fathom.Gateway.Abstractions;

/// <summary>The order expired (IOC/FOK remainder, EXPIRED_IN_MATCH from STP, exchange expiry).</summary>
public readonly record struct ExpiredReport(int InstrumentId, ClientOrderId ClientOrderId, long TimeNs);
