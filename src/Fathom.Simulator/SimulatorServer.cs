using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fathom.Simulator;

/// <summary>
/// Hosts a <see cref="SimulatorApi"/> on Kestrel: REST, and on the same port the market streams
/// (<c>/ws/…</c>, <c>/stream?streams=…</c>) and the WebSocket API (<c>/ws-api/v3</c>); the OKX v5 front
/// (<c>/api/v5/…</c>, <c>/ws/v5/public</c>, <c>/ws/v5/private</c>, <see cref="OkxFront"/>). Binds to loopback by default; port 0 picks a free
/// port, reported in <see cref="BaseAddress"/> (tests use that, never a fixed port).
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SimulatorApi _api;

    private SimulatorServer(WebApplication app, SimulatorApi api, Uri baseAddress)
    {
        _app = app;
        _api = api;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<SimulatorServer> StartAsync(SimulatorApi api, IPAddress? address = null, int port = 0, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(api);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // A library server must not take the process's SIGINT/SIGTERM: the host application decides when to stop.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(address ?? IPAddress.Loopback, port);
        });
        var app = builder.Build();
        // Binance pings every 20 s and drops a client that has not answered within a minute (EXCHANGES.md §1.3).
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = api.Streams.PingInterval, KeepAliveTimeout = api.Streams.PongTimeout });
        app.Run(context =>
        {
            var path = context.Request.Path;
            bool ws = context.WebSockets.IsWebSocketRequest;
            // OKX first: /ws/v5/… would otherwise match the Binance raw-stream prefix /ws.
            if (OkxFront.IsWebSocketPath(path) && ws)
                return api.Okx.AcceptAsync(context);
            if (StreamHub.IsWebSocketPath(path) && ws)
                return api.Streams.AcceptAsync(context);
            return OkxFront.IsRestPath(path) ? api.Okx.HandleAsync(context) : api.HandleAsync(context);
        });
        await app.StartAsync(cancel).ConfigureAwait(false);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorServer(app, api, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    private sealed class PassiveLifetime : Microsoft.Extensions.Hosting.IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        // Open WebSockets would hold Kestrel's graceful stop: drop them first.
        _api.Streams.DisconnectMarketStreams();
        _api.Streams.DisconnectWsApi();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
