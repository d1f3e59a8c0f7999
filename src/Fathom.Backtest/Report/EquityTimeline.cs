using Fathom.Core;

namespace Fathom.Backtest.Report;

/// <summary>
/// One pass over a result's marks and fills in time order, booking each fill by average cost (as
/// <c>Fathom.Execution.PositionLedger</c> does) and sampling equity = realized + unrealized − fees
/// at every mark and fill: per instrument (its own marks and fills) and in total.
/// </summary>
internal sealed class EquityTimeline
{
    public EquityTimeline(ResultIndex index)
    {
        int n = index.Instruments.Count;
        Books = new Book[n];
        for (int s = 0; s < n; s++)
            Books[s] = new Book(index.CostScale[s]);
        PositionTimes = new List<long>[n];
        Positions = new List<decimal>[n];
        for (int s = 0; s < n; s++)
        {
            PositionTimes[s] = [];
            Positions[s] = [];
        }

        var marks = index.MarksInTimeOrder;
        var fills = index.FillsInTimeOrder;
        var times = new List<long>(marks.Length + fills.Length);
        var equity = new List<decimal>(marks.Length + fills.Length);
        decimal total = 0m, totalPeak = 0m, totalDrawdown = 0m;
        int mi = 0, fi = 0;
        while (mi < marks.Length || fi < fills.Length)
        {
            // Equal times: the mark first, so a fill is valued at the mark taken at its own time.
            bool takeMark = fi >= fills.Length || (mi < marks.Length && marks[mi].TimeNs <= fills[fi].TimeNs);
            long time;
            int slot;
            decimal before;
            if (takeMark)
            {
                var m = marks[mi++];
                time = m.TimeNs;
                slot = index.SlotOf(m.Instrument);
                before = Books[slot].Equity;
                Books[slot].Mark(m.Mid);
            }
            else
            {
                var f = fills[fi++];
                time = f.TimeNs;
                slot = index.SlotOf(f.Instrument);
                var book = Books[slot];
                before = book.Equity;
                book.Advance(time - (book.LastFillNs ?? index.StartNs));
                book.Apply(f);
                book.LastFillNs = time;
                PositionTimes[slot].Add(time);
                Positions[slot].Add(book.Position);
            }
            total += Books[slot].Equity - before;
            times.Add(time);
            equity.Add(total);
            totalPeak = Math.Max(totalPeak, total);
            totalDrawdown = Math.Max(totalDrawdown, totalPeak - total);
        }
        foreach (var book in Books)
            book.Advance(index.EndNs - (book.LastFillNs ?? index.StartNs));

        Times = [.. times];
        TotalEquity = [.. equity];
        MaxDrawdown = totalDrawdown;
        SpanNs = index.EndNs - index.StartNs;
    }

    /// <summary>Per instrument slot: the book at the end of the run.</summary>
    public Book[] Books { get; }

    /// <summary>The time of each sample (every mark and fill, in timeline order).</summary>
    public long[] Times { get; }

    /// <summary>The total equity after each sample in <see cref="Times"/>.</summary>
    public decimal[] TotalEquity { get; }

    /// <summary>The largest fall of the total equity below its running peak (the peak starts at 0).</summary>
    public decimal MaxDrawdown { get; }

    /// <summary>Per slot: the time of each fill, and the position after it in <see cref="Positions"/>.</summary>
    public List<long>[] PositionTimes { get; }

    public List<decimal>[] Positions { get; }

    public long SpanNs { get; }

    /// <summary>An instrument's average-cost book, its equity samples' drawdown and its position's time integrals.</summary>
    /// <remarks>
    /// The ledger keeps its cost basis in integers at (price + quantity) decimals, so the cost a partial close takes
    /// off is truncated toward zero at that scale; the book does the same at <c>costScale</c>, and so agrees with the
    /// ledger exactly instead of leaving 28-digit residues.
    /// </remarks>
    internal sealed class Book(int costScale)
    {
        private decimal _cost; // Invariant: Σ price × signed qty of the open position (negative when short).
        private decimal _peak;

        public decimal Position { get; private set; }
        public decimal Realized { get; private set; }
        public decimal Fees { get; private set; }
        public decimal? LastMark { get; private set; }
        public decimal MaxDrawdown { get; private set; }
        public decimal MaxAbsPosition { get; private set; }

        /// <summary>∫ position dt and ∫ |position| dt over the window so far (base × ns).</summary>
        public decimal PositionArea { get; private set; }
        public decimal AbsPositionArea { get; private set; }
        public long? LastFillNs { get; set; }

        public decimal Unrealized => LastMark is { } mark && Position != 0 ? mark * Position - _cost : 0m;
        public decimal Equity => Realized + Unrealized - Fees;

        public void Mark(decimal mid)
        {
            LastMark = mid;
            Sample();
        }

        public void Advance(long ns)
        {
            PositionArea += Position * ns;
            AbsPositionArea += Math.Abs(Position) * ns;
        }

        public void Apply(in BacktestFill fill)
        {
            decimal signed = fill.Side == OrderSide.Buy ? fill.Qty : -fill.Qty;
            if (Position != 0 && Math.Sign(Position) != Math.Sign(signed))
            {
                decimal close = Math.Min(Math.Abs(signed), Math.Abs(Position));
                decimal signedClose = Math.Sign(signed) * close;
                decimal closedCost = Math.Round(_cost * close / Math.Abs(Position), costScale, MidpointRounding.ToZero);
                Realized += -(fill.Price * signedClose) - closedCost;
                _cost -= closedCost;
                Position += signedClose;
                signed -= signedClose;
                if (Position == 0)
                    _cost = 0m; // no rounding residue survives a flat position
            }
            if (signed != 0)
            {
                _cost += fill.Price * signed;
                Position += signed;
            }
            Fees += fill.Fee;
            MaxAbsPosition = Math.Max(MaxAbsPosition, Math.Abs(Position));
            Sample();
        }

        private void Sample()
        {
            decimal equity = Equity;
            _peak = Math.Max(_peak, equity);
            MaxDrawdown = Math.Max(MaxDrawdown, _peak - equity);
        }
    }
}
