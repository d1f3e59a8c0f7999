using System.Globalization;
using System.Text;

namespace Fathom.Backtest;

/// <summary>
/// The plain figures of a result per instrument: fills (maker share), volume, fees, final position and realized PnL
/// (average cost, in the quote currency, before fees), and a few lines of text for the console.
/// </summary>
public sealed record BacktestSummary(IReadOnlyList<BacktestSummary.Instrument> Instruments)
{
    public sealed record Instrument(string Symbol, int Fills, int MakerFills, decimal Volume, decimal Fees, decimal Position, decimal RealizedPnl);

    public static BacktestSummary Of(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<Instrument>();
        foreach (BacktestInstrument instrument in result.Instruments)
        {
            int fills = 0, maker = 0;
            decimal volume = 0, fees = 0, position = 0, cost = 0, realized = 0;
            foreach (BacktestFill f in result.Fills)
            {
                if (f.Instrument != instrument.Id)
                    continue;
                fills++;
                if (f.IsMaker)
                    maker++;
                volume += f.Price * f.Qty;
                fees += f.Fee;
                decimal signed = f.Side == Fathom.Core.OrderSide.Buy ? f.Qty : -f.Qty;
                // Average cost: a fill against the position realizes (price − average) on the closed part.
                if (position != 0 && Math.Sign(signed) != Math.Sign(position))
                {
                    decimal closed = Math.Min(Math.Abs(signed), Math.Abs(position));
                    decimal average = cost / position;
                    int direction = Math.Sign(position);
                    realized += closed * (f.Price - average) * direction;
                    cost -= average * closed * direction;
                    position -= closed * direction;
                    signed += closed * direction;
                }
                if (signed != 0)
                {
                    cost += signed * f.Price;
                    position += signed;
                }
            }
            rows.Add(new Instrument(instrument.Symbol, fills, maker, volume, fees, position, realized));
        }
        return new BacktestSummary(rows);
    }

    /// <summary>A few lines: events and rate, then per instrument fills, volume, realized PnL, fees and the final position.</summary>
    public string Describe(BacktestResult result, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        double virtualSeconds = (result.Run.EndNs - result.Run.StartNs) / 1e9;
        sb.Append(ci, $"{result.Run.Strategy}: {result.Run.Events:N0} events in {elapsed.TotalSeconds:F2} s ({result.Run.Events / seconds / 1e6:F2} M events/s), ");
        sb.Append(ci, $"{virtualSeconds:F1} s of market time, {result.Orders.Count:N0} orders, {result.Refusals.Count:N0} risk refusals\n");
        if (result.Refusals.Count > 0)
            sb.Append("  risk refusals by rule: ").AppendJoin(", ", result.Refusals.GroupBy(r => r.Rule).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key} {g.Count().ToString(ci)}")).Append('\n');
        foreach (Instrument i in Instruments)
            sb.Append(ci, $"  {i.Symbol}: {i.Fills:N0} fills ({i.MakerFills:N0} maker), volume {i.Volume:0.########}, realized PnL {i.RealizedPnl:0.########}, " +
                $"fees {i.Fees:0.########}, net {i.RealizedPnl - i.Fees:0.########}, final position {i.Position:0.########}\n");
        return sb.ToString();
    }
}
