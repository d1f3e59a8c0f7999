using Fathom.Core;

namespace Fathom.Backtest.Report;

/// <summary>
/// A checked view of a <see cref="BacktestResult"/> for the report: instruments by id, fills in time order, each
/// instrument's marks in time order, and the merged timeline of marks and fills with its equity and positions.
/// </summary>
/// <remarks>
/// Invariant: equal times are ordered marks first, then fills, each in input order, so a fill sees the mark taken
/// at its own time and two runs over the same result give the same samples.
/// </remarks>
internal sealed class ResultIndex
{
    public ResultIndex(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Result = result;
        if (result.Run is null || result.Instruments is null || result.Fills is null || result.Orders is null
            || result.Marks is null || result.Refusals is null)
            throw new ArgumentException("The backtest result is incomplete: its run info and all of its lists must be set.", nameof(result));

        Instruments = result.Instruments;
        _slotById = new Dictionary<int, int>(Instruments.Count);
        for (int i = 0; i < Instruments.Count; i++)
        {
            var instrument = Instruments[i] ?? throw new ArgumentException($"Instrument #{i} of the backtest result is null.", nameof(result));
            if (!_slotById.TryAdd(instrument.Id, i))
                throw new ArgumentException($"Instrument id {instrument.Id} appears twice in the backtest result ({Instruments[_slotById[instrument.Id]].Symbol} and {instrument.Symbol}).", nameof(result));
        }

        for (int i = 0; i < result.Fills.Count; i++)
        {
            var f = result.Fills[i];
            Slot(f.Instrument, "fill", i);
            if (f.Price <= 0 || f.Qty <= 0)
                throw new ArgumentException($"Fill #{i} ({f.ClientOrderId} at {f.TimeNs}) has price {f.Price} and quantity {f.Qty}; both must be positive.", nameof(result));
            if (f.Side is not (OrderSide.Buy or OrderSide.Sell))
                throw new ArgumentException($"Fill #{i} ({f.ClientOrderId} at {f.TimeNs}) has an unknown side {(int)f.Side}.", nameof(result));
        }
        for (int i = 0; i < result.Marks.Count; i++)
        {
            var m = result.Marks[i];
            Slot(m.Instrument, "mark", i);
            if (m.Mid <= 0)
                throw new ArgumentException($"Mark #{i} (instrument {m.Instrument} at {m.TimeNs}) has mid {m.Mid}; it must be positive.", nameof(result));
        }
        for (int i = 0; i < result.Orders.Count; i++)
        {
            var o = result.Orders[i] ?? throw new ArgumentException($"Order #{i} of the backtest result is null.", nameof(result));
            Slot(o.Instrument, "order", i);
        }
        for (int i = 0; i < result.Refusals.Count; i++)
            Slot(result.Refusals[i].Instrument, "risk refusal", i);

        // Stable sorts: the producer promises time order, but a result assembled by hand need not keep it.
        FillsInTimeOrder = [.. result.Fills.OrderBy(f => f.TimeNs)];
        var markTimes = new List<long>[Instruments.Count];
        var markMids = new List<decimal>[Instruments.Count];
        for (int s = 0; s < Instruments.Count; s++)
        {
            markTimes[s] = [];
            markMids[s] = [];
        }
        MarksInTimeOrder = [.. result.Marks.OrderBy(m => m.TimeNs)];
        foreach (var m in MarksInTimeOrder)
        {
            int s = _slotById[m.Instrument];
            markTimes[s].Add(m.TimeNs);
            markMids[s].Add(m.Mid);
        }
        MarkTimes = [.. markTimes.Select(l => l.ToArray())];
        MarkMids = [.. markMids.Select(l => l.ToArray())];

        // The scale of an exact cost basis: price decimals + quantity decimals, from the instrument's tick and step or
        // any finer fill.
        CostScale = new int[Instruments.Count];
        for (int s = 0; s < Instruments.Count; s++)
            CostScale[s] = Math.Min(28, Instruments[s].TickSize.Scale + Instruments[s].StepSize.Scale);
        foreach (var f in result.Fills)
        {
            int s = _slotById[f.Instrument];
            CostScale[s] = Math.Min(28, Math.Max(CostScale[s], f.Price.Scale + f.Qty.Scale));
        }

        long start = result.Run.StartNs, end = result.Run.EndNs;
        foreach (var f in result.Fills)
        {
            start = Math.Min(start, f.TimeNs);
            end = Math.Max(end, f.TimeNs);
        }
        foreach (var m in result.Marks)
        {
            start = Math.Min(start, m.TimeNs);
            end = Math.Max(end, m.TimeNs);
        }
        StartNs = start;
        EndNs = Math.Max(start, end);
    }

    private readonly Dictionary<int, int> _slotById;

    public BacktestResult Result { get; }
    public IReadOnlyList<BacktestInstrument> Instruments { get; }
    public BacktestFill[] FillsInTimeOrder { get; }
    public MarkSample[] MarksInTimeOrder { get; }

    /// <summary>Per instrument slot (position in <see cref="Instruments"/>): mark times, ascending.</summary>
    public long[][] MarkTimes { get; }

    /// <summary>Per instrument slot: the mid of each mark in <see cref="MarkTimes"/>.</summary>
    public decimal[][] MarkMids { get; }

    /// <summary>Per slot: the decimals of the average-cost book's cost basis (price decimals + quantity decimals).</summary>
    public int[] CostScale { get; }

    public long StartNs { get; }
    public long EndNs { get; }

    public int SlotOf(int instrumentId) => _slotById[instrumentId];

    /// <summary>The instrument's mid at the latest mark at or before <paramref name="timeNs"/>, or null when there is none.</summary>
    public decimal? MidAt(int slot, long timeNs)
    {
        long[] times = MarkTimes[slot];
        int i = UpperBound(times, timeNs) - 1;
        return i < 0 ? null : MarkMids[slot][i];
    }

    /// <summary>The first index whose time is after <paramref name="timeNs"/>.</summary>
    private static int UpperBound(long[] times, long timeNs)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (times[mid] <= timeNs)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    private void Slot(int instrumentId, string what, int index)
    {
        if (!_slotById.ContainsKey(instrumentId))
            throw new ArgumentException($"The backtest result's {what} #{index} names instrument {instrumentId}, which is not among its instruments.", "result");
    }
}
