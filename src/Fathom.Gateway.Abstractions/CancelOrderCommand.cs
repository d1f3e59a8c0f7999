namespace Fathom.Gateway.Abstractions;

/// <summary>
/// Cancel one order. <see cref="ClientOrderId"/> is the cancel's own id (Binance <c>newClientOrderId</c>);
/// the order is named by <see cref="OrigClientOrderId"/> and, once acknowledged, <see cref="VenueOrderId"/>.
/// </summary>
public readonly record struct CancelOrderCommand(
    int InstrumentId, ClientOrderId ClientOrderId, ClientOrderId OrigClientOrderId, long VenueOrderId);
