using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fathom.Simulator;

/// <summary>
/// Hosts a <see cref="SimulatorApi"/> on Kestrel. Binds to loopback by default; port 0 picks a free
/// port, reported in <see cref="BaseAddress"/> (tests use that, never a fixed port).
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
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
        app.Run(api.HandleAsync);
        await app.StartAsync(cancel).ConfigureAwait(false);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SimulatorServer(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
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
