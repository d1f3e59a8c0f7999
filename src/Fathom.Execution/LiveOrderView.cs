using Fathom.Gateway.Abstractions;
using Fathom.Strategy.Abstractions;

namespace Fathom.Execution;

/// <summary>
/// One live order with the ids the venue knows it by, for operators and reconciliation checks (off the hot
/// path): <see cref="ClientId"/> is the id it was placed with, <see cref="CurrentClientId"/> the one it carries
/// now (a keep-priority amend renames it), <see cref="VenueOrderId"/> 0 until the venue acknowledged it.
/// </summary>
public readonly record struct LiveOrderView(OrderView Order, ClientOrderId ClientId, ClientOrderId CurrentClientId, long VenueOrderId, bool IsQuote);
