using System.Net;
using Fathom.Engine;
using Fathom.MarketData;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fathom.Cli;

/// <summary>
/// <c>/metrics</c> (Prometheus text) and <c>/health</c> (200 when every book is Live, risk is not
/// Halted and the strategy runs; 503 otherwise) on loopback. Each request reads the engine under its
/// core lock, off the hot path. With a control callback it also serves the operator surface,
/// <c>POST /control/{action}</c> (halt, resume, pause, flatten, stop), for headless runs: loopback only
/// like everything here, and only with the <see cref="ControlHeader"/> header, which a browser cannot add
/// to a cross-site request without a CORS preflight this server never grants (so a web page cannot halt
/// or flatten the engine).
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The header every control request must carry (any value).</summary>
    public const string ControlHeader = "X-Fathom-Control";

    /// <param name="control">
    /// Runs one operator action by name and returns what it did, or null for an unknown action (404).
    /// Null: no control endpoints.
    /// </param>
    public static async Task<MetricsServer> StartAsync(Lock coreLock, TradingEngine engine, IReadOnlyList<BookSync> books, int port, CancellationToken cancel,
        Func<string, string?>? control = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // The CLI owns Ctrl+C and SIGTERM (it cancels orders before exiting); the web host must not take them.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/metrics", () =>
        {
            string text;
            lock (coreLock)
                text = PrometheusMetrics.Build(engine, books);
            return Results.Text(text, "text/plain; version=0.0.4");
        });
        app.MapGet("/health", () =>
        {
            List<string> problems;
            lock (coreLock)
                problems = PrometheusMetrics.Problems(engine, books);
            return problems.Count == 0 ? Results.Text("ok\n") : Results.Text("unhealthy\n" + string.Join("\n", problems) + "\n", statusCode: 503);
        });
        if (control is not null)
        {
            app.MapPost("/control/{action}", (string action, HttpRequest request) =>
            {
                if (!request.Headers.ContainsKey(ControlHeader))
                    return Results.Text($"refused: send the {ControlHeader} header (e.g. curl -X POST -H '{ControlHeader}: 1' ...)\n", statusCode: 403);
                string? done = control(action.ToLowerInvariant());
                return done is null
                    ? Results.Text($"unknown action '{action}': halt, resume, pause, flatten or stop\n", statusCode: 404)
                    : Results.Text(done + "\n");
            });
        }
        await app.StartAsync(cancel).ConfigureAwait(false);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsServer(app, new Uri(bound));
    }

    private sealed class PassiveLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
