namespace Fathom.Gateway.Abstractions;

/// <summary>
/// A venue connection that does both: order entry (<see cref="IOrderEntry"/>, what the engine sends) and
/// queries (<see cref="IVenueQueries"/>, what reconciliation asks), over one logged-on session that it
/// owns and releases on dispose. A venue's gateway (Binance's) implements this; an in-process double
/// usually needs only one side.
/// </summary>
public interface IOrderGateway : IOrderEntry, IVenueQueries, IAsyncDisposable;
