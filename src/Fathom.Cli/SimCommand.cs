using Fathom.Hosting;
using System.CommandLine;
using System.Globalization;
using System.Net;
using Fathom.Simulator;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom sim</c>: runs the Binance-compatible simulator (matching engine, accounts, REST API) on
/// loopback until Ctrl+C or <c>--duration</c>, and prints the base URL and the demo API keys
/// (simulator-only keys; nothing here ever reads or prints a real secret).
/// </summary>
internal static class SimCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var config = new Option<FileInfo?>("--config") { Description = "Simulator JSON config (symbols, accounts, keys, rate limits). Default: the built-in demo." };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "REST port (0 picks a free one).", DefaultValueFactory = _ => 8090 };
        var seed = new Option<ulong?>("--seed") { Description = "Seed for generated ids and the house liquidity (overrides the config)." };
        var symbols = new Option<string[]>("--symbols") { Description = "Only these symbols from the config, e.g. --symbols BTCUSDT ETHUSDT.", AllowMultipleArgumentsPerToken = true };
        var levels = new Option<int?>("--seed-levels") { Description = "House market-maker levels per side (0 = empty books)." };
        var duration = new Option<double>("--duration") { Description = "Stop after this many seconds (0 = until Ctrl+C).", DefaultValueFactory = _ => 0 };
        var unknownEvery = new Option<int>("--fault-unknown-every") { Description = "Answer every N-th accepted order with 503 -1007 (execution status unknown). 0 = off.", DefaultValueFactory = _ => 0 };
        var flow = new Option<string?>("--flow") { Description = "Run synthetic market flow: calm, trending, bursty, withdrawal, spoof or mixed (seeded by --seed)." };
        var flowInterval = new Option<int>("--flow-interval-ms") { Description = "Milliseconds between flow steps.", DefaultValueFactory = _ => 20 };
        var skew = new Option<int>("--fault-clock-skew-ms") { Description = "Shift the exchange clock by this many ms (clock skew).", DefaultValueFactory = _ => 0 };
        var ackDelay = new Option<int>("--fault-ack-delay-ms") { Description = "Hold every new-order answer this many ms (the executionReport is not held).", DefaultValueFactory = _ => 0 };
        var venueDelay = new Option<int>("--fault-venue-delay-ms") { Description = "Order requests (place, cancel, replace, amend) reach matching this many ms late: answers and user data late.", DefaultValueFactory = _ => 0 };
        var requestDelay = new Option<int>("--fault-request-delay-ms") { Description = "Every REST and WebSocket API request, ping and time included, is handled this many ms late.", DefaultValueFactory = _ => 0 };
        var mdLag = new Option<int>("--fault-md-lag-ms") { Description = "Deliver every market-stream frame this many ms after its event time.", DefaultValueFactory = _ => 0 };
        var halt = new Option<string[]>("--fault-halt") { Description = "Start with these symbols halted.", AllowMultipleArgumentsPerToken = true };
        var console = new Option<bool>("--fault-console") { Description = "Read fault commands from stdin while running (type 'help')." };
        var replay = new Option<FileInfo[]>("--replay") { Description = "Replay recorded Binance spot files (hftbacktest gzip, in order) through the engine; client orders queue behind recorded size.", AllowMultipleArgumentsPerToken = true };
        var speed = new Option<double>("--speed") { Description = "Replay speed as a multiple of recorded time (the replay tick and the @depth@100ms interval shrink with it, to keep the recorded cadence).", DefaultValueFactory = _ => 1 };
        var parentPid = new Option<int?>("--parent-pid")
        {
            Description = "Run as that process's child (fathom demo uses it): stop when it exits or closes our stdin, and ignore Ctrl+C (the parent stops us after cancelling its orders).",
        };

        var command = new Command("sim", "Run the Binance-compatible exchange simulator (REST, market streams, WebSocket API) until Ctrl+C.")
        {
            config, host, port, seed, symbols, levels, duration, unknownEvery, flow, flowInterval, skew, ackDelay, venueDelay, requestDelay, mdLag, halt, console, replay, speed, parentPid,
        };
        command.SetAction(async (parse, cancel) =>
        {
            SimulatorConfig cfg;
            try
            {
                cfg = parse.GetValue(config) is { } file ? SimulatorConfig.Load(file.FullName) : SimulatorConfig.Demo();
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
            {
                error.WriteLine($"error: cannot read the config: {ex.Message}");
                return 2;
            }
            if (parse.GetValue(seed) is { } s)
                cfg.Seed = s;
            var replayFiles = parse.GetValue(replay) ?? [];
            if (replayFiles.Length > 0)
            {
                if (!(parse.GetValue(speed) > 0))
                {
                    error.WriteLine("error: --speed must be positive.");
                    return 2;
                }
                // Recorded books start empty of house liquidity and carry 8-decimal sizes.
                cfg.SeedLevels = 0;
                foreach (var sc in cfg.Symbols)
                    sc.StepSize = "0.00000001";
            }
            if (parse.GetValue(levels) is { } l)
                cfg.SeedLevels = l;
            if (parse.GetValue(symbols) is { Length: > 0 } only)
            {
                var unknown = only.Except(cfg.Symbols.Select(x => x.Symbol)).ToList();
                if (unknown.Count > 0)
                {
                    error.WriteLine($"error: unknown symbol(s) {string.Join(", ", unknown)}; the config has {string.Join(", ", cfg.Symbols.Select(x => x.Symbol))}.");
                    return 2;
                }
                cfg.Symbols = cfg.Symbols.Where(x => only.Contains(x.Symbol)).ToList();
            }
            if (!IPAddress.TryParse(parse.GetValue(host), out var address))
            {
                error.WriteLine($"error: --host must be an IP address, got '{parse.GetValue(host)}'.");
                return 2;
            }

            FlowRegime? regime = null;
            if (parse.GetValue(flow) is { } flowName)
            {
                if (MarketFlow.ParseRegime(flowName) is not { } r)
                {
                    error.WriteLine($"error: --flow must be calm, trending, bursty, withdrawal, spoof or mixed, got '{flowName}'.");
                    return 2;
                }
                regime = r;
            }
            using var sim = ExchangeSimulator.Create(cfg, TimeProvider.System);
            sim.Api.UnknownStatusEveryNthOrder = parse.GetValue(unknownEvery);
            sim.Clock.Skew = TimeSpan.FromMilliseconds(parse.GetValue(skew));
            foreach (var (option, set) in (ReadOnlySpan<(Option<int>, Action<TimeSpan>)>)[
                (ackDelay, d => sim.Faults.AckDelay = d), (venueDelay, d => sim.Faults.VenueDelay = d),
                (requestDelay, d => sim.Faults.RequestDelay = d), (mdLag, d => sim.Faults.MarketDataLag = d)])
            {
                int ms = parse.GetValue(option);
                if (ms < 0)
                {
                    error.WriteLine($"error: {option.Name} must not be negative.");
                    return 2;
                }
                set(TimeSpan.FromMilliseconds(ms));
            }
            foreach (string h in parse.GetValue(halt) ?? [])
            {
                if (!sim.Engine.TryGetBook(h, out _))
                {
                    error.WriteLine($"error: --fault-halt: unknown symbol {h}.");
                    return 2;
                }
                sim.HaltSymbol(h);
            }
            if (replayFiles.Length > 0)
            {
                try
                {
                    var r = sim.StartRecordedReplay([.. replayFiles.Select(f => f.FullName)], parse.GetValue(speed));
                    // The mapping between the recording's clock and the exchange clock, so a run's fills (stamped on the
                    // exchange clock) can be placed in recorded time: recorded = start + (exchange − wall start) × speed.
                    DateTimeOffset wallStart = sim.Clock.GetUtcNow();
                    DateTimeOffset recordedStart = DateTimeOffset.UnixEpoch.AddTicks(r.NextTimestampNs / 100);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"replaying {r.Book.Name}: {r.EventCount} recorded messages at {parse.GetValue(speed)}x; recorded {recordedStart:yyyy-MM-ddTHH:mm:ss.fffffffZ} is exchange time {wallStart:yyyy-MM-ddTHH:mm:ss.fffffffZ}"));
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or System.Text.Json.JsonException)
                {
                    error.WriteLine($"error: cannot replay the recording: {ex.Message}");
                    return 2;
                }
            }
            if (regime is { } startRegime)
                sim.StartMarketFlow(startRegime, TimeSpan.FromMilliseconds(Math.Max(1, parse.GetValue(flowInterval))));
            SimulatorServer server;
            try
            {
                server = await SimulatorServer.StartAsync(sim.Api, address, parse.GetValue(port), cancel);
            }
            catch (IOException ex)
            {
                error.WriteLine($"error: cannot listen on {address}:{parse.GetValue(port)}: {ex.Message}");
                return 1;
            }
            await using (server)
            {
                double seconds = parse.GetValue(duration);
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                int? parent = parse.GetValue(parentPid);
                // A child of fathom demo shares the terminal, so Ctrl+C reaches it too: it must stay up while the
                // parent cancels its orders, and stops when the parent closes its stdin or is gone. The handlers are in
                // place before the banner: whoever waits for the banner may signal at once.
                using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT,
                    c => { c.Cancel = true; if (parent is null) stop.Cancel(); });
                using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
                PrintBanner(output, server.BaseAddress, cfg, sim);
                string? stopReason = null;
                if (parse.GetValue(console) || parent is not null)
                {
                    // Without the console the input is read (and ignored) only to see it end.
                    TextReader input = parse.GetValue(console) ? Console.In : new DiscardingReader(Console.In);
                    _ = Task.Run(() =>
                    {
                        new FaultConsole(sim).Run(input, output, stop.Token);
                        if (parent is not null && !stop.IsCancellationRequested)
                        {
                            stopReason = "stdin closed by the parent";
                            stop.Cancel();
                        }
                    });
                }
                if (parent is int pid)
                    _ = WatchParentAsync(pid, () => { stopReason ??= $"parent process {pid} is gone"; stop.Cancel(); }, stop.Token);
                try
                {
                    await Task.Delay(seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: fall through to an orderly stop.
                }
                output.WriteLine(stopReason is null ? "simulator stopping" : $"simulator stopping: {stopReason}");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Polls for <paramref name="pid"/> every 200 ms and calls <paramref name="gone"/> once it has exited.</summary>
    private static async Task WatchParentAsync(int pid, Action gone, CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            if (!IsAlive(pid))
            {
                gone();
                return;
            }
            try
            {
                await Task.Delay(200, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Reads lines and hands back none of them: <see cref="FaultConsole.Run"/> then returns at end of input only.</summary>
    private sealed class DiscardingReader(TextReader inner) : TextReader
    {
        public override string? ReadLine()
        {
            while (inner.ReadLine() is not null)
            {
            }
            return null;
        }
    }

    private static void PrintBanner(TextWriter output, Uri baseAddress, SimulatorConfig cfg, ExchangeSimulator sim)
    {
        string url = baseAddress.ToString().TrimEnd('/');
        output.WriteLine($"Fathom simulator (Binance spot REST + WebSocket) listening on {url}");
        output.WriteLine($"  REST base URL   {url}   (e.g. {url}/api/v3/exchangeInfo)");
        string ws = "ws" + url[url.IndexOf(':')..];
        output.WriteLine($"  market streams  {ws}/ws/btcusdt@depth@100ms   {ws}/stream?streams=btcusdt@depth@100ms/btcusdt@bookTicker/btcusdt@trade");
        output.WriteLine($"  WebSocket API   {ws}/ws-api/v3   (session.logon with the Ed25519 key; userDataStream.subscribe)");
        output.WriteLine($"  OKX v5          {url}/api/v5/…   {ws}/ws/v5/public   {ws}/ws/v5/private   (same engine; BTCUSDT is BTC-USDT; HMAC keys with their passphrase)");
        if (sim.Flow is { } f)
            output.WriteLine($"  market flow     {f.Regime}, seed {cfg.Seed}");
        output.WriteLine($"  symbols         {string.Join(", ", cfg.Symbols.Select(s => s.Symbol))}   seed {cfg.Seed}, house levels/side {cfg.SeedLevels}");
        output.WriteLine($"  rate limits     {cfg.RateLimits.RequestWeightPerMinute} weight/min per IP, {cfg.RateLimits.OrdersPer10Seconds} orders/10s, {cfg.RateLimits.OrdersPerDay} orders/day per account");
        output.WriteLine("Demo API keys (simulator-only, safe to share):");
        foreach (var a in cfg.Accounts)
        {
            foreach (var k in a.Keys)
            {
                if (k.Secret is not null)
                    output.WriteLine($"  {a.Name,-8} HMAC     apiKey {k.ApiKey}\n                    secret {k.Secret}" +
                        // Only the demo passphrase is printed; one from a config file is a real credential.
                        (k.Passphrase is null ? "" : $"\n                    OKX passphrase {(k.Passphrase == SimulatorConfig.DemoPassphrase ? k.Passphrase : "(set)")}"));
                else
                    output.WriteLine($"  {a.Name,-8} Ed25519  apiKey {k.ApiKey}\n                    public key (raw, base64) {k.Ed25519PublicKey}" +
                        (k.Ed25519PrivateKey is null ? "" : $"\n                    private key (raw 32-byte seed, base64) {k.Ed25519PrivateKey}"));
            }
        }
        output.WriteLine($"Accounts: {string.Join(", ", sim.Engine.Accounts.Select(x => x.Name))}. Press Ctrl+C to stop.");
        output.Flush();
    }
}
