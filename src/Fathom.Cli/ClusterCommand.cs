using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fathom.Core;
using Fathom.Hosting;
using Fathom.Hosting.Cluster;
using Fathom.Hosting.Run;
using Fathom.Persistence.Coordination;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom cluster status --config fathom.json [--json]</c>: prints the leases, members and quotas of the coordination
/// service a run config names (<see cref="ClusterReport"/>), offline: no venue, no API keys, never the connection string.
/// </summary>
/// <remarks>Exit codes: 0 printed (a local config prints what the epoch file records); 1 the service cannot be reached or
/// read; 2 a usage or config error (an unset or malformed connection string variable included).</remarks>
internal static class ClusterCommand
{
    public const int ExitOk = 0;
    public const int ExitUnreadable = 1;
    public const int ExitUsage = 2;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<string>("--config") { Description = "The run configuration whose cluster section names the coordination service (as for `fathom run`).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the status as one JSON object for scripts." };
        var status = new Command("status", "Print the leases (holder, node, epoch, live or expired, takeovers, zombies cancelled), members and quotas " +
            "of the coordination service a run config names (PostgreSQL: read from its database; local: the last epoch of the state directory). " +
            "No venue, no API keys; the connection string is never printed.")
        {
            config, json,
        };
        status.SetAction((parse, cancel) => RunAsync(parse.GetValue(config)!, parse.GetValue(json), output, error, Environment.GetEnvironmentVariable, cancel));
        return new Command("cluster", "Inspect the instances coordinating through the config's cluster section.") { status };
    }

    internal static async Task<int> RunAsync(string configPath, bool json, TextWriter output, TextWriter error, Func<string, string?> getVariable,
        CancellationToken cancel = default)
    {
        ClusterReport report;
        try
        {
            report = await ClusterReport.ReadAsync(configPath, FathomConfiguration.Build(configPath, []), getVariable, cancel).ConfigureAwait(false);
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
        catch (ClusterUnreadableException ex)
        {
            error.WriteLine("error: " + CliErrors.OneLine(ex.Message));
            return ExitUnreadable;
        }
        output.Write(json ? Json(report) : Text(report));
        output.Flush();
        return ExitOk;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A non-negative duration for a person: 2.4s, 3m 5s, 1h 2m, 2d 3h.</summary>
    internal static string Span(TimeSpan t) =>
        t.TotalDays >= 1 ? Inv($"{(int)t.TotalDays}d {t.Hours}h")
        : t.TotalHours >= 1 ? Inv($"{t.Hours}h {t.Minutes}m")
        : t.TotalMinutes >= 1 ? Inv($"{t.Minutes}m {t.Seconds}s")
        : Inv($"{t.TotalSeconds:F1}s");

    private static string Mine(ClusterReport r, string scope) => scope == r.Scope ? " (this config's scope)" : "";

    /// <summary>A quota's grant: a count for <c>orders</c>; for <c>position:SYMBOL</c> the base quantity and its raw value.</summary>
    private static string Granted(QuotaStatus q) =>
        ClusterReport.PositionSymbol(q.Resource) is null
            ? Inv($"{q.Granted}")
            : Inv($"{FixedPoint.ToTrimmedString(q.Granted, ClusterReport.QtyDecimals)} (raw {q.Granted} at {ClusterReport.QtyDecimals} qty decimals)");

    internal static string Text(ClusterReport r)
    {
        var sb = new StringBuilder();
        if (r.Kind == CoordinationKind.Local)
        {
            sb.Append(Inv($"coordination: {r.Service} (config {r.ConfigPath}: scope '{r.Scope}')\n"));
            sb.Append("local coordination: the lease lives inside the running `fathom run` process, so there is nothing shared to show " +
                "(leases, members and quotas are shared with \"cluster\": {\"coordination\": \"postgres\"})\n");
            sb.Append(r.LastEpoch is > 0
                ? Inv($"last epoch recorded: {r.LastEpoch} (the next lease taken with this state directory gets a greater one)\n")
                : "last epoch recorded: none (no run has taken a lease with this state directory yet)\n");
            return sb.ToString();
        }

        ClusterStatus s = r.Status;
        sb.Append(Inv($"coordination: PostgreSQL {r.Service} (config {r.ConfigPath}: scope '{r.Scope}', account '{r.Account}'); times on the database's clock\n"));
        sb.Append(Inv($"leases: {s.Leases.Count}\n"));
        foreach (LeaseStatus l in s.Leases)
        {
            string life = l.Live ? $"live, expires in {Span(l.ExpiresIn)}" : $"EXPIRED {Span(-l.ExpiresIn)} ago";
            sb.Append(Inv($"  {l.Scope}{Mine(r, l.Scope)}: holder {l.Holder}, node {l.Node}, epoch {l.Epoch}, {life}, ")
                + Inv($"takeovers {l.Takeovers}, zombies cancelled {l.ZombiesCancelled}\n"));
        }
        sb.Append(Inv($"members: {s.Members.Count}\n"));
        foreach (MemberStatus m in s.Members)
            sb.Append(Inv($"  {m.Holder}: node {m.Node}, scope {m.Scope}, last seen {Span(m.LastSeen)} ago, {(m.Live ? "live" : "not live")}\n"));
        sb.Append(Inv($"quotas: {s.Quotas.Count} (position:SYMBOL in base quantity, orders in new orders per order budget window; a grant counts only while its epoch holds the scope's live lease)\n"));
        foreach (QuotaStatus q in s.Quotas)
            sb.Append(Inv($"  {q.Account} {q.Resource}: scope {q.Scope}{Mine(r, q.Scope)}, epoch {q.Epoch}, granted {Granted(q)}, {(q.Live ? "live" : "void (lease not live)")}\n"));
        sb.Append(Summary(s) + "\n");
        return sb.ToString();
    }

    private static string Summary(ClusterStatus s) =>
        s.Leases.Count + s.Members.Count + s.Quotas.Count == 0
            ? "summary: nothing recorded: no instance has coordinated through this database yet"
            : Inv($"summary: {s.Leases.Count(l => l.Live)} of {s.Leases.Count} leases live, {s.Members.Count(m => m.Live)} of {s.Members.Count} members live, ")
              + Inv($"{s.Quotas.Count(q => q.Live)} of {s.Quotas.Count} quotas live, takeovers {s.Leases.Sum(l => l.Takeovers)}, ")
              + Inv($"zombies cancelled {s.Leases.Sum(l => l.ZombiesCancelled)}");

    internal static string Json(ClusterReport r)
    {
        ClusterStatus s = r.Status;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("config", r.ConfigPath);
            w.WriteString("coordination", r.Kind == CoordinationKind.Local ? "local" : "postgres");
            w.WriteString("service", r.Service);
            w.WriteString("scope", r.Scope);
            w.WriteString("account", r.Account);
            if (r.Kind == CoordinationKind.Local)
            {
                w.WriteString("epochFile", r.EpochFile);
                w.WriteNumber("lastEpoch", r.LastEpoch ?? 0);
            }
            w.WriteNumber("qtyDecimals", ClusterReport.QtyDecimals);
            w.WriteStartArray("leases");
            foreach (LeaseStatus l in s.Leases)
            {
                w.WriteStartObject();
                w.WriteString("scope", l.Scope);
                w.WriteString("holder", l.Holder);
                w.WriteNumber("node", l.Node);
                w.WriteNumber("epoch", l.Epoch);
                w.WriteBoolean("live", l.Live);
                // Negative once expired: how long ago.
                w.WriteNumber("expiresInMs", (long)Math.Round(l.ExpiresIn.TotalMilliseconds));
                w.WriteNumber("takeovers", l.Takeovers);
                w.WriteNumber("zombiesCancelled", l.ZombiesCancelled);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("members");
            foreach (MemberStatus m in s.Members)
            {
                w.WriteStartObject();
                w.WriteString("holder", m.Holder);
                w.WriteNumber("node", m.Node);
                w.WriteString("scope", m.Scope);
                w.WriteNumber("lastSeenMsAgo", (long)Math.Round(m.LastSeen.TotalMilliseconds));
                w.WriteBoolean("live", m.Live);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("quotas");
            foreach (QuotaStatus q in s.Quotas)
            {
                w.WriteStartObject();
                w.WriteString("account", q.Account);
                w.WriteString("resource", q.Resource);
                w.WriteString("scope", q.Scope);
                w.WriteNumber("epoch", q.Epoch);
                w.WriteNumber("grantedRaw", q.Granted);
                if (ClusterReport.PositionSymbol(q.Resource) is null)
                    w.WriteNull("grantedQty");
                else
                    w.WriteString("grantedQty", FixedPoint.ToTrimmedString(q.Granted, ClusterReport.QtyDecimals));
                w.WriteBoolean("live", q.Live);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("summary");
            w.WriteNumber("leases", s.Leases.Count);
            w.WriteNumber("liveLeases", s.Leases.Count(l => l.Live));
            w.WriteNumber("members", s.Members.Count);
            w.WriteNumber("liveMembers", s.Members.Count(m => m.Live));
            w.WriteNumber("quotas", s.Quotas.Count);
            w.WriteNumber("liveQuotas", s.Quotas.Count(q => q.Live));
            w.WriteNumber("takeovers", s.Leases.Sum(l => l.Takeovers));
            w.WriteNumber("zombiesCancelled", s.Leases.Sum(l => l.ZombiesCancelled));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
