using Fathom.Gateway.Abstractions;

namespace Fathom.Testing;

/// <summary>
/// The base of in-process gateway doubles: ready at once, nothing open at the venue, no trades, no
/// balances; a double says only what it does with <see cref="Send"/> (and overrides what else it needs).
/// </summary>
public abstract class InProcessGateway : IOrderGateway
{
    public virtual bool IsReady => true;
    public abstract void Send(in OrderCommand command);
    public virtual Task StartAsync(CancellationToken cancel) => Task.CompletedTask;
    public virtual void CancelAll(int instrumentId, ClientOrderId cancelId) { }
    public virtual Task<IReadOnlyList<OrderStatusReport>> GetOpenOrdersAsync(int instrumentId, CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<OrderStatusReport>>([]);
    public virtual Task<IReadOnlyList<FillReport>> GetTradesAsync(int instrumentId, long fromTradeIdExclusive, CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<FillReport>>([]);
    public virtual Task<IReadOnlyList<VenueBalance>> GetBalancesAsync(CancellationToken cancel) =>
        Task.FromResult<IReadOnlyList<VenueBalance>>([]);
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
