using System.Globalization;

namespace Fathom.Simulator;

/// <summary>
/// The run-time fault switches of <c>fathom sim --fault-console</c>: one command a line, each mapped
/// onto the same switches tests use (<see cref="ExchangeSimulator.Faults"/>, <see cref="ExchangeSimulator.Clock"/>,
/// <see cref="ExchangeSimulator.SetSymbolStatus"/>, <see cref="ExchangeSimulator.Streams"/>). Lives here, not in
/// the CLI, so the parsing is tested with the simulator; the CLI only wires stdin and stdout to it.
/// </summary>
public sealed class FaultConsole
{
    /// <summary>What <c>help</c> (or an unknown command) prints.</summary>
    public const string Help =
        "commands:\n" +
        "  drop-depth N | dup-depth N | reorder-depth N   drop / duplicate / reorder the next N depth diffs\n" +
        "  silent on|off                                  market streams stay open but carry no data\n" +
        "  md-lag MS                                      deliver every market-stream frame MS later than its event time (0 = off)\n" +
        "  disconnect | disconnect-api                    drop every market-stream / WebSocket API connection\n" +
        "  revoke-keys | restore-keys                     delete every API key (logins and signed requests refused: Binance -2015, OKX 50111 / 60005; live sessions stay) / give them back\n" +
        "  shutdown                                       serverShutdown to market streams, close them after 5 s\n" +
        "  venue-delay MS                                 order requests (place, cancel, replace, amend) reach matching MS late: answers and executionReports late (0 = off)\n" +
        "  request-delay MS                               every REST and WS API request, ping and time included, is handled MS late (0 = off)\n" +
        "  ack-delay MS                                   hold new-order answers MS (the executionReport is not held)\n" +
        "  drop-acks N | unknown N | timeout N            next N accepted orders: no answer / 503 -1007 / answer hangs then aborts\n" +
        "  429 N                                          next N requests answered 429 -1003\n" +
        "  fail-time N                                    next N server-time requests fail (Binance 500 -1001, OKX 503 50001): a client's clock re-sync fails\n" +
        "  skew MS                                        shift the exchange clock\n" +
        "  status SYMBOL TRADING|HALT|BREAK|END_OF_DAY|CANCEL_ONLY   exchangeInfo status; not TRADING: new orders -2010 \"Market is closed.\", cancels allowed\n" +
        "  halt SYMBOL | resume SYMBOL                    status HALT / TRADING\n" +
        "  flow REGIME                                    start or switch market flow (calm|trending|bursty|withdrawal|spoof|mixed)\n" +
        "  flow off | flow on                             pause the market flow's agents / let them go on (their orders stay)\n" +
        "  show                                           print the delay faults, symbol statuses and STP expirations (total, per account)\n" +
        "  clear                                          clear every fault switched here except symbol statuses (use resume/status)";

    private static readonly TimeSpan DefaultFlowInterval = TimeSpan.FromMilliseconds(20);

    private readonly ExchangeSimulator _sim;

    public FaultConsole(ExchangeSimulator sim)
    {
        ArgumentNullException.ThrowIfNull(sim);
        _sim = sim;
    }

    /// <summary>Reads commands until end of input or <paramref name="stop"/>, writing each reply.</summary>
    public void Run(TextReader input, TextWriter output, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        while (!stop.IsCancellationRequested && input.ReadLine() is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            output.WriteLine(Execute(line));
            output.Flush();
        }
    }

    /// <summary>
    /// Runs one command line. Returns "ok: …" (or what the command reports) when it was applied,
    /// "error: …" followed by the help text when it was not understood.
    /// </summary>
    public string Execute(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 0)
            return Help;
        var f = _sim.Faults;
        string arg = w.Length > 1 ? w[1] : "";
        string ok = "ok: " + string.Join(' ', w);
        switch (w[0].ToLowerInvariant())
        {
            case "drop-depth" when Count(w, out int n): f.DropDepthMessages(n); return ok;
            case "dup-depth" when Count(w, out int n): f.DuplicateDepthMessages(n); return ok;
            case "reorder-depth" when Count(w, out int n): f.ReorderDepthMessages(n); return ok;
            case "silent" when arg is "on" or "off": f.SilentStreams = arg == "on"; return ok;
            case "md-lag" when Millis(w, out var ms): f.MarketDataLag = ms; return ok;
            case "disconnect": return $"ok: dropped {_sim.Streams.DisconnectMarketStreams()} stream connections";
            case "disconnect-api": return $"ok: dropped {_sim.Streams.DisconnectWsApi()} WebSocket API connections";
            case "revoke-keys": return $"ok: revoked {_sim.Api.RevokeKeys()} API keys";
            case "restore-keys": return $"ok: restored {_sim.Api.RestoreKeys()} API keys";
            case "shutdown":
                lock (_sim.Api.Gate)
                    _sim.Streams.SendServerShutdown(TimeSpan.FromSeconds(5));
                return ok;
            case "venue-delay" when Millis(w, out var ms): f.VenueDelay = ms; return ok;
            case "request-delay" when Millis(w, out var ms): f.RequestDelay = ms; return ok;
            case "ack-delay" when Millis(w, out var ms): f.AckDelay = ms; return ok;
            case "drop-acks" when Count(w, out int n): f.DropAcks(n); return ok;
            case "unknown" when Count(w, out int n): f.UnknownStatusAfterAccept(n); return ok;
            case "timeout" when Count(w, out int n): f.TimeoutAfterAccept(n); return ok;
            case "429" when Count(w, out int n): f.RateLimitBurst(n); return ok;
            case "fail-time" when Count(w, out int n): f.FailTimeRequests(n); return ok;
            case "skew" when w.Length == 2 && int.TryParse(arg, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int skew):
                _sim.Clock.Skew = TimeSpan.FromMilliseconds(skew);
                return ok;
            case "status" when w.Length == 3 && Known(arg) && WireFormat.TryParse(w[2].ToUpperInvariant(), out var status):
                return $"ok: {arg} {WireFormat.Of(_sim.SetSymbolStatus(arg, status))} -> {WireFormat.Of(status)}";
            case "halt" when w.Length == 2 && Known(arg): _sim.HaltSymbol(arg); return ok;
            case "resume" when w.Length == 2 && Known(arg): _sim.ResumeSymbol(arg); return ok;
            case "flow" when w.Length == 2 && arg == "off":
                if (_sim.Flow is null)
                    return "error: no market flow is running (start one with 'flow REGIME')";
                _sim.Flow.Stop();
                return ok;
            case "flow" when w.Length == 2 && arg == "on":
                if (_sim.Flow is null)
                    return "error: no market flow to resume (start one with 'flow REGIME')";
                _sim.Flow.Start(_sim.Flow.Interval > TimeSpan.Zero ? _sim.Flow.Interval : DefaultFlowInterval);
                return ok;
            case "flow" when w.Length == 2 && MarketFlow.ParseRegime(arg) is { } regime:
                if (_sim.Flow is null)
                    _sim.StartMarketFlow(regime, DefaultFlowInterval);
                else
                    _sim.Flow.Regime = regime;
                return ok;
            case "show": return Show();
            case "clear":
                f.Clear();
                _sim.Clock.Skew = TimeSpan.Zero;
                return ok;
            case "help": return Help;
            default: return $"error: cannot apply '{line.Trim()}'\n{Help}";
        }
    }

    private string Show()
    {
        var f = _sim.Faults;
        var statuses = _sim.Engine.Books.Select(b => $"{b.Name} {WireFormat.Of(_sim.GetSymbolStatus(b.Name))}");
        // Orders expired by self-trade prevention (EXPIRED_IN_MATCH): the total, then each account that had any.
        string stp;
        lock (_sim.Api.Gate)
        {
            var perAccount = _sim.Engine.Accounts.Where(a => a.StpExpiredOrders > 0).Select(a => $"{a.Name} {a.StpExpiredOrders}");
            stp = string.Create(CultureInfo.InvariantCulture, $"stp-expired {_sim.Engine.StpExpiredOrders}") + (perAccount.Any() ? $" ({string.Join(", ", perAccount)})" : "");
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"venue-delay {f.VenueDelay.TotalMilliseconds} ms, request-delay {f.RequestDelay.TotalMilliseconds} ms, " +
            $"ack-delay {f.AckDelay.TotalMilliseconds} ms, md-lag {f.MarketDataLag.TotalMilliseconds} ms, " +
            $"silent {(f.SilentStreams ? "on" : "off")}, skew {_sim.Clock.Skew.TotalMilliseconds} ms; {string.Join(", ", statuses)}; {stp}");
    }

    private bool Known(string symbol) => _sim.Engine.TryGetBook(symbol, out _);

    /// <summary>A count argument: absent means 1 (as the console always did), else a non-negative integer.</summary>
    private static bool Count(string[] w, out int n)
    {
        n = 1;
        return w.Length == 1 || (w.Length == 2 && int.TryParse(w[1], NumberStyles.None, CultureInfo.InvariantCulture, out n));
    }

    /// <summary>A delay argument: a non-negative whole number of milliseconds, required.</summary>
    private static bool Millis(string[] w, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (w.Length != 2 || !int.TryParse(w[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ms))
            return false;
        delay = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
