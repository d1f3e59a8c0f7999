namespace Fathom.Gateway.Abstractions;

/// <summary>Ask the venue for an order's status by client id; the answer is an <see cref="OrderStatusReport"/>.</summary>
public readonly record struct QueryOrderCommand(int InstrumentId, ClientOrderId OrigClientOrderId);
