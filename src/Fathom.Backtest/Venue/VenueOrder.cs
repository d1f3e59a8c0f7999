using Fathom.Core;
using Fathom.Gateway.Abstractions;

namespace Fathom.Backtest.Venue;

/// <summary>
/// One of our orders resting at the simulated venue, with its estimated place in the recorded queue. Pooled by
/// <see cref="SimulatedVenue"/>: an instance is reused after the order closes.
/// </summary>
internal sealed class VenueOrder
{
    public int Instrument;
    public ClientOrderId Id;
    public long VenueOrderId;
    public OrderSide Side;
    public OrderType Type;
    public Price Price;
    public long Tick;
    /// <summary>Total quantity, raw (an amend lowers it; fills do not).</summary>
    public long Qty;
    public long Filled;
    /// <summary>Recorded quantity estimated ahead of us at our price, raw; never negative.</summary>
    public long Ahead;
    /// <summary>Recorded trade quantity printed at our price since the level's last update (the probabilistic models
    /// subtract it from the next decrease, so a trade and the depth update that reports it are not counted twice).</summary>
    public long TradedSinceUpdate;

    public long Leaves => Qty - Filled;
}
