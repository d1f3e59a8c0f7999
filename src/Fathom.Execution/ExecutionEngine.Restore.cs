using Fathom.Core;

namespace Fathom.Execution;

public sealed partial class ExecutionEngine
{
    /// <summary>
    /// Restart: applies one stored fill to <paramref name="instrumentId"/>'s position, as <see cref="OnFill"/>
    /// would (our node's fills only, each trade once), and remembers it so the same trade reported again
    /// (reconciliation, the user stream) is not applied twice. Order state is not touched: the order table
    /// starts empty and reconciliation resolves what the venue still has. Risk is told the position once
    /// the caller has restored every fill (<see cref="PublishRestoredPosition"/>). Under the core lock.
    /// </summary>
    /// <returns>True when the fill moved the position.</returns>
    public bool RestoreFill(int instrumentId, in PersistedFill fill)
    {
        if (fill.ClientId.IsNone || fill.ClientId.Node != _ids.Node)
            return false;
        if (!_fills.TryAdd(instrumentId, fill.TradeId, fill.VenueOrderId))
            return false;
        _instruments[instrumentId].Ledger.Apply(fill.Side, fill.Price, fill.Qty, fill.Fee, fill.FeeQty);
        Counters.RestoredFills++;
        return true;
    }

    /// <summary>Tells risk <paramref name="instrumentId"/>'s position after restored fills (position, average entry, realized PnL).</summary>
    public void PublishRestoredPosition(int instrumentId, long nowNs)
    {
        PositionLedger l = _instruments[instrumentId].Ledger;
        _risk.OnPosition(instrumentId, l.Position, l.AverageEntry, l.RealizedPnl, nowNs);
    }

    /// <summary>The instrument index trading <paramref name="symbol"/>, or -1.</summary>
    public int InstrumentOf(string symbol)
    {
        for (int i = 0; i < _instruments.Length; i++)
            if (string.Equals(_instruments[i].Spec.Symbol, symbol, StringComparison.Ordinal))
                return i;
        return -1;
    }
}
