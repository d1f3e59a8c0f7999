using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Hosting;
using Fathom.Hosting.Run;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom state --config fathom.json [--json]</c>: prints what the run config's trade store holds (positions,
/// open orders, the risk day, the halt) as <see cref="StateReport"/> reads it, offline: no venue, no credentials.
/// </summary>
/// <remarks>Exit codes: 0 printed; 1 the store exists but cannot be read; 2 a usage or config error, or no store at the config's path.</remarks>
internal static class StateCommand
{
    public const int ExitOk = 0;
    public const int ExitUnreadable = 1;
    public const int ExitUsage = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<string>("--config") { Description = "The run configuration whose state directory holds the store (as for `fathom run`).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the state as one JSON object (amounts as decimal strings) for scripts." };
        var command = new Command("state", "Print the persisted positions, open orders, risk day and halt of a run's trade store (offline: no venue, no API keys).")
        {
            config, json,
        };
        command.SetAction((parse, _) => RunAsync(parse.GetValue(config)!, parse.GetValue(json), output, error));
        return command;
    }

    internal static async Task<int> RunAsync(string configPath, bool json, TextWriter output, TextWriter error, TimeProvider? time = null)
    {
        StateReport report;
        try
        {
            report = await StateReport.ReadAsync(configPath, FathomConfiguration.Build(configPath, []), time).ConfigureAwait(false);
        }
        catch (RunConfigException ex)
        {
            foreach (string e in ex.Errors)
                error.WriteLine($"error: {configPath}: {CliErrors.OneLine(e)}");
            return ExitUsage;
        }
        catch (HostInputException ex)
        {
            error.WriteLine("error: " + CliErrors.OneLine(ex.Message));
            return ExitUsage;
        }
        catch (TradeStoreUnreadableException ex)
        {
            error.WriteLine("error: " + CliErrors.OneLine(ex.Message));
            return ExitUnreadable;
        }
        output.Write(json ? Json(report) : Text(report));
        output.Flush();
        return ExitOk;
    }

    private static string Amount(long raw, int decimals) => FixedPoint.ToTrimmedString(raw, decimals);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The stored monotonic time and, when it is not in the future, how long ago it was.</summary>
    private static string When(StateReport r, long timeNs)
    {
        string at = Inv($"core time {timeNs / 1e9:F3} s");
        long ago = r.MonotonicNowNs - timeNs;
        return ago < 0 ? at + " (before this machine's last restart)" : at + $" (about {Ago(ago)} ago if this machine has not restarted since)";
    }

    private static string Ago(long ns)
    {
        var t = TimeSpan.FromTicks(ns / 100);
        return t.TotalDays >= 1 ? Inv($"{(int)t.TotalDays}d {t.Hours}h")
            : t.TotalHours >= 1 ? Inv($"{t.Hours}h {t.Minutes}m")
            : t.TotalMinutes >= 1 ? Inv($"{t.Minutes}m {t.Seconds}s")
            : Inv($"{t.TotalSeconds:F0}s");
    }

    internal static string Text(StateReport r)
    {
        var sb = new StringBuilder();
        int px = r.PriceDecimals, qx = r.QtyDecimals, mx = r.MoneyDecimals;
        sb.Append(Inv($"trade store {r.StorePath} (config {r.ConfigPath}; instance {r.InstanceId}, client order id prefix '{r.IdFormat.Prefix}')\n"));
        sb.Append(Inv($"positions (from this instance's stored fills; prices and money in the quote asset):\n"));
        if (r.Positions.Count == 0)
            sb.Append("  none: no symbol configured or stored\n");
        foreach (var p in r.Positions)
        {
            var l = p.Ledger;
            sb.Append(Inv($"  {p.Symbol}: position {Amount(l.Position.Raw, qx)}, average entry {Amount(l.AverageEntry.Raw, px)}, ")
                + Inv($"realized PnL {Amount(l.RealizedPnl, px)} (net of fees), fees {Amount(l.FeesPaid, px)}, ")
                + Inv($"fills {p.Fills} (bought {Amount(l.BuyQty.Raw, qx)}, sold {Amount(l.SellQty.Raw, qx)}), ")
                + (p.LastTradeId is long t ? Inv($"last trade id {t}") : "no trade id stored")
                + (p.OtherFills > 0 ? Inv($"; {p.OtherFills} more fill(s) of other instances or foreign orders, not counted") : "") + "\n");
        }
        sb.Append(Inv($"open orders (last stored state not terminal; the venue's own list is what reconciliation cancels): {r.OpenOrders.Count}\n"));
        foreach (PersistedOrder o in r.OpenOrders)
        {
            string id = r.FormatId(o.ClientId);
            string current = o.CurrentClientId != o.ClientId ? $" (now {r.FormatId(o.CurrentClientId)})" : "";
            sb.Append(Inv($"  {id}{current} venue id {o.VenueOrderId}: {o.Symbol} {o.Side} {o.Type} {Amount(o.Qty.Raw, qx)} @ {Amount(o.Price.Raw, px)}, ")
                + Inv($"filled {Amount(o.Filled.Raw, qx)}, {o.State}, node {o.ClientId.Node} epoch {o.ClientId.Epoch}, updated at {When(r, o.UpdatedNs)}\n"));
        }
        if (r.Day is { } d)
        {
            sb.Append(Inv($"risk day {d.Record.DayIndex} (from {d.StartsUtc:yyyy-MM-dd HH:mm} UTC{(d.IsToday ? ", today" : ", not today: the next run starts a new day")}): ")
                + Inv($"PnL at its start {Amount(d.Record.StartPnl, mx)}, realized PnL now {Amount(d.RealizedPnl, mx)}, ")
                + Inv($"{(d.LossSoFar >= 0 ? "loss" : "gain")} so far {Amount(Math.Abs(d.LossSoFar), mx)} of max daily loss {Amount(d.MaxDailyLoss, mx)} ")
                + "(realized only: the open position is not marked offline)\n");
        }
        else
        {
            sb.Append("risk day: none stored (the first run starts one)\n");
        }
        sb.Append(r.Halt switch
        {
            null => "halt: none stored\n",
            { Halted: true } h => $"halt: IN FORCE: {h.Reason ?? "(no reason stored)"}, since {When(r, h.TimeNs)}; a restart stays halted until an operator resumes\n",
            { } h => $"halt: not in force (lifted by an operator resume at {When(r, h.TimeNs)})\n",
        });
        sb.Append(Inv($"risk events (the latest {r.RiskEvents.Count}, oldest first: kill-switch trips and releases, halts):\n"));
        foreach (var e in r.RiskEvents)
            sb.Append(Inv($"  {e.Symbol ?? "account"}: {e.From} -> {e.To} ({e.Trigger}{(e.Illegal ? ", refused" : "")}) reasons {e.Reasons} at {When(r, e.TimeNs)}\n"));
        return sb.ToString();
    }

    internal static string Json(StateReport r)
    {
        int px = r.PriceDecimals, qx = r.QtyDecimals, mx = r.MoneyDecimals;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("config", r.ConfigPath);
            w.WriteString("store", r.StorePath);
            w.WriteNumber("instanceId", r.InstanceId);
            w.WriteString("clientOrderIdPrefix", r.IdFormat.Prefix);
            w.WriteNumber("priceDecimals", px);
            w.WriteNumber("qtyDecimals", qx);
            w.WriteNumber("moneyDecimals", mx);
            w.WriteNumber("monotonicNowNs", r.MonotonicNowNs);
            w.WriteStartArray("positions");
            foreach (var p in r.Positions)
            {
                var l = p.Ledger;
                w.WriteStartObject();
                w.WriteString("symbol", p.Symbol);
                w.WriteString("position", Amount(l.Position.Raw, qx));
                w.WriteString("averageEntry", Amount(l.AverageEntry.Raw, px));
                w.WriteString("realizedPnl", Amount(l.RealizedPnl, px));
                w.WriteString("fees", Amount(l.FeesPaid, px));
                w.WriteString("bought", Amount(l.BuyQty.Raw, qx));
                w.WriteString("sold", Amount(l.SellQty.Raw, qx));
                w.WriteNumber("fills", p.Fills);
                w.WriteNumber("otherFills", p.OtherFills);
                if (p.LastTradeId is long t)
                    w.WriteNumber("lastTradeId", t);
                else
                    w.WriteNull("lastTradeId");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("openOrders");
            foreach (PersistedOrder o in r.OpenOrders)
            {
                w.WriteStartObject();
                w.WriteString("clientOrderId", r.FormatId(o.ClientId));
                w.WriteString("currentClientOrderId", r.FormatId(o.CurrentClientId));
                w.WriteNumber("venueOrderId", o.VenueOrderId);
                w.WriteString("symbol", o.Symbol);
                w.WriteString("side", o.Side.ToString());
                w.WriteString("type", o.Type.ToString());
                w.WriteString("price", Amount(o.Price.Raw, px));
                w.WriteString("qty", Amount(o.Qty.Raw, qx));
                w.WriteString("filled", Amount(o.Filled.Raw, qx));
                w.WriteString("state", o.State.ToString());
                w.WriteNumber("node", o.ClientId.Node);
                w.WriteNumber("epoch", o.ClientId.Epoch);
                w.WriteNumber("orderSeq", o.OrderSeq);
                w.WriteNumber("updatedNs", o.UpdatedNs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (r.Day is { } d)
            {
                w.WriteStartObject("day");
                w.WriteNumber("index", d.Record.DayIndex);
                w.WriteString("startsUtc", d.StartsUtc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                w.WriteBoolean("today", d.IsToday);
                w.WriteString("startPnl", Amount(d.Record.StartPnl, mx));
                w.WriteString("realizedPnl", Amount(d.RealizedPnl, mx));
                w.WriteString("lossSoFar", Amount(d.LossSoFar, mx));
                w.WriteString("maxDailyLoss", Amount(d.MaxDailyLoss, mx));
                w.WriteNumber("timeNs", d.Record.TimeNs);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("day");
            }
            if (r.Halt is { } h)
            {
                w.WriteStartObject("halt");
                w.WriteBoolean("halted", h.Halted);
                if (h.Reason is null)
                    w.WriteNull("reason");
                else
                    w.WriteString("reason", h.Reason);
                w.WriteNumber("timeNs", h.TimeNs);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("halt");
            }
            w.WriteStartArray("riskEvents");
            foreach (var e in r.RiskEvents)
            {
                w.WriteStartObject();
                if (e.Symbol is null)
                    w.WriteNull("symbol");
                else
                    w.WriteString("symbol", e.Symbol);
                w.WriteString("from", e.From.ToString());
                w.WriteString("to", e.To.ToString());
                w.WriteString("trigger", e.Trigger.ToString());
                w.WriteString("reasons", e.Reasons.ToString());
                w.WriteBoolean("illegal", e.Illegal);
                w.WriteNumber("timeNs", e.TimeNs);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
