namespace Fathom.Gateway.Abstractions;

/// <summary>The order is cancelled (by us, a cancel-all, or the venue: STP, maintenance).</summary>
public readonly record struct CanceledReport(int InstrumentId, ClientOrderId ClientOrderId, long TimeNs);
