using Fathom.Hosting;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom book --live &lt;symbols&gt;</c>: the live feed into books, redrawn twice a second with sync
/// state, counters and feed lag. Testnet by default; <c>--url</c> for a local server such as
/// <c>fathom sim</c>; <c>--mainnet</c> for Binance's public data. No keys are used.
/// </summary>
internal static class LiveBookCommand
{
    public static async Task<int> RunAsync(string[] symbols, string? url, bool mainnet, int depth, double? durationSeconds,
        TextWriter output, TextWriter error, CancellationToken cancel)
    {
        if (!CliEndpoints.TryResolve(url, mainnet, error, out BinanceEndpoints endpoints))
            return 2;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var limiter = new RestWeightLimiter(TimeProvider.System);
        var rest = new BinanceRestClient(http, endpoints, limiter);
        Dictionary<string, Fathom.Core.InstrumentSpec> specs;
        try
        {
            specs = await rest.GetExchangeInfoAsync(symbols, cancel);
        }
        catch (Exception ex) when (ex is BinanceRestException or FormatException or System.Text.Json.JsonException)
        {
            error.WriteLine($"error: could not load exchangeInfo from {endpoints.RestBase}: {ex.Message}");
            return 2;
        }
        var instruments = new List<Fathom.Core.InstrumentSpec>();
        foreach (string s in symbols)
        {
            if (!specs.TryGetValue(s, out var spec))
            {
                error.WriteLine($"error: {s.ToUpperInvariant()} is not listed by {endpoints.RestBase}.");
                return 2;
            }
            instruments.Add(spec);
        }

        var transitions = new List<string>();
        await using var feed = new BinanceMarketDataFeed(instruments, endpoints, http, TimeProvider.System,
            observer: t => { lock (transitions) transitions.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {t}"); });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (durationSeconds is double d)
            stop.CancelAfter(TimeSpan.FromSeconds(d));
        Task run = feed.RunAsync(stop.Token);
        bool terminal = !Console.IsOutputRedirected && ReferenceEquals(output, Console.Out);
        output.WriteLine($"fathom book --live: {string.Join(", ", instruments.Select(i => i.Symbol))} from {feed.StreamUrl}");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop.Token);
                Render(feed, transitions, depth, output, terminal);
            }
        }
        catch (OperationCanceledException)
        {
        }
        await run;
        Render(feed, transitions, depth, output, terminal: false);
        return feed.UnexpectedErrors == 0 ? 0 : 1;
    }

    private static void Render(BinanceMarketDataFeed feed, List<string> transitions, int depth, TextWriter o, bool terminal)
    {
        var screen = new StringWriter();
        lock (feed.CoreLock)
        {
            foreach (BookSync sync in feed.Books)
            {
                BookCommand.PrintBook(screen, sync, depth);
                screen.WriteLine($"feed lag {sync.FeedLag.ExcessNanos / 1e6:F1} ms over baseline (apparent {sync.FeedLag.ApparentNanos / 1e6:F1} ms); " +
                    $"top from {(sync.Top.FromTicker ? "bookTicker" : "book")}");
                screen.WriteLine();
            }
            FeedCounters c = feed.Counters;
            var p = feed.ParserCounters;
            screen.WriteLine($"connection #{feed.Connection?.Id} {feed.Connection?.State}; connects {c.Connects}, disconnects {c.Disconnects}, " +
                $"planned reconnects {c.PlannedReconnects}, silent {c.SilentConnections}, snapshots {c.SnapshotRequests} (failed {c.SnapshotFailures}, rate limited {c.SnapshotRateLimited})");
            screen.WriteLine($"messages {p.Messages}: diffs {p.Deltas}, tickers {p.TopOfBooks}, trades {p.Trades} (repeats dropped {feed.Router.RepeatedTrades}); malformed {p.Malformed}, truncated {p.Truncated}, grid refinements {p.GridRefinements}");
            if (feed.LastDisconnect is { } lost)
                screen.WriteLine($"last disconnect: {lost}");
            if (feed.LastError is { } err)
                screen.WriteLine($"last error: {err.Split('\n')[0]}");
        }
        lock (transitions)
            foreach (string t in transitions.TakeLast(5))
                screen.WriteLine(t);
        if (terminal)
            o.Write("\u001b[H\u001b[2J"); // home and clear: redraw in place
        o.Write(screen.ToString());
        o.Flush();
    }
}
