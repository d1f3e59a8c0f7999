namespace Fathom.Backtest;

/// <summary>
/// One side's view of one data source: the next recorded message, due at <see cref="NextNs"/> (virtual time;
/// <see cref="long.MaxValue"/> at the end), and what delivering it does. The runner merges every cursor by time.
/// </summary>
internal abstract class MarketCursor : IDisposable
{
    public long NextNs { get; protected set; } = long.MaxValue;

    /// <summary>Market-data events delivered so far (counted on the venue's side, as the store benchmark counts them).</summary>
    public virtual long Events => 0;

    /// <summary>Delivers the message due at <see cref="NextNs"/> and moves to the next one.</summary>
    public abstract void Dispatch();

    public abstract void Dispose();
}
