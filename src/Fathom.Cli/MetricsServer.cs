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
/// core lock, off the hot path.
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

    public static async Task<MetricsServer> StartAsync(Lock coreLock, TradingEngine engine, IReadOnlyList<BookSync> books, int port, CancellationToken cancel)
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
            bool healthy;
            lock (coreLock)
                healthy = PrometheusMetrics.IsHealthy(engine, books);
            return healthy ? Results.Text("ok\n") : Results.Text("unhealthy\n", statusCode: 503);
        });
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
