using Fathom.Core;

namespace Fathom.Gateway.Abstractions;

/// <summary>
/// One command as it leaves the core: a fixed-size union of the typed commands, so a stream of
/// commands is an array of values (no allocation, byte-comparable for replay). Build it from a typed
/// command; a gateway switches on <see cref="Kind"/> and reads the typed view back.
/// </summary>
/// <remarks>
/// Field use per kind: <see cref="ClientOrderId"/> is the command's own id (place: the order's id;
/// cancel/amend: the cancel's/amend's id; cancelReplace: the cancel's id), <see cref="OrigClientOrderId"/>
/// the order acted on, <see cref="NewClientOrderId"/> the replacement order (cancelReplace only).
/// </remarks>
public readonly record struct OrderCommand
{
    public CommandKind Kind { get; private init; }
    public int InstrumentId { get; private init; }
    public ClientOrderId ClientOrderId { get; private init; }
    public ClientOrderId OrigClientOrderId { get; private init; }
    public ClientOrderId NewClientOrderId { get; private init; }
    public long VenueOrderId { get; private init; }
    public OrderSide Side { get; private init; }
    public OrderType Type { get; private init; }
    public Price Price { get; private init; }
    public Qty Qty { get; private init; }
    /// <summary>Monotonic nanoseconds when the core issued it (for latency accounting; not sent).</summary>
    public long IssuedNs { get; private init; }

    /// <summary>True for commands that can only reduce exposure (risk never blocks them).</summary>
    public bool IsCancel => Kind == CommandKind.Cancel;

    public static OrderCommand From(in PlaceOrderCommand c, long issuedNs) => new()
    {
        Kind = CommandKind.Place, InstrumentId = c.InstrumentId, ClientOrderId = c.ClientOrderId,
        Side = c.Side, Type = c.Type, Price = c.Price, Qty = c.Qty, IssuedNs = issuedNs,
    };

    public static OrderCommand From(in CancelOrderCommand c, long issuedNs) => new()
    {
        Kind = CommandKind.Cancel, InstrumentId = c.InstrumentId, ClientOrderId = c.ClientOrderId,
        OrigClientOrderId = c.OrigClientOrderId, VenueOrderId = c.VenueOrderId, IssuedNs = issuedNs,
    };

    public static OrderCommand From(in CancelReplaceCommand c, long issuedNs) => new()
    {
        Kind = CommandKind.CancelReplace, InstrumentId = c.InstrumentId, ClientOrderId = c.CancelClientOrderId,
        OrigClientOrderId = c.OrigClientOrderId, VenueOrderId = c.VenueOrderId, NewClientOrderId = c.NewClientOrderId,
        Side = c.Side, Type = c.Type, Price = c.Price, Qty = c.Qty, IssuedNs = issuedNs,
    };

    public static OrderCommand From(in AmendQtyCommand c, long issuedNs) => new()
    {
        Kind = CommandKind.AmendQty, InstrumentId = c.InstrumentId, ClientOrderId = c.ClientOrderId,
        OrigClientOrderId = c.OrigClientOrderId, VenueOrderId = c.VenueOrderId, Qty = c.NewQty, IssuedNs = issuedNs,
    };

    public static OrderCommand From(in QueryOrderCommand c, long issuedNs) => new()
    {
        Kind = CommandKind.Query, InstrumentId = c.InstrumentId, OrigClientOrderId = c.OrigClientOrderId, VenueOrderId = c.VenueOrderId,
        IssuedNs = issuedNs,
    };

    public PlaceOrderCommand AsPlace() => new(InstrumentId, ClientOrderId, Side, Type, Price, Qty);
    public CancelOrderCommand AsCancel() => new(InstrumentId, ClientOrderId, OrigClientOrderId, VenueOrderId);
    public CancelReplaceCommand AsCancelReplace() =>
        new(InstrumentId, ClientOrderId, OrigClientOrderId, VenueOrderId, NewClientOrderId, Side, Type, Price, Qty);
    public AmendQtyCommand AsAmendQty() => new(InstrumentId, ClientOrderId, OrigClientOrderId, VenueOrderId, Qty);
    public QueryOrderCommand AsQuery() => new(InstrumentId, OrigClientOrderId, VenueOrderId);
}
