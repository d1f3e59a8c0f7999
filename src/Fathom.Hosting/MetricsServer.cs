using System.Net;
using Fathom.Core;
using Fathom.Engine;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.MarketData;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fathom.Hosting;

/// <summary>
/// <c>/metrics</c> (Prometheus text), <c>/health</c> (200 when every book is Live, risk is not
/// Halted and the strategy runs; 503 otherwise) and <c>/orders</c> (the engine's live orders as JSON) on
/// loopback. Each request reads the engine under its core lock, off the hot path. With a control callback and a token it also serves the operator surface,
/// <c>POST /control/{action}</c> (halt, resume, pause, flatten, stop), for headless runs.
/// </summary>
/// <remarks>
/// Listening on 127.0.0.1 keeps other machines out, not web pages: a page the operator opens can send
/// requests to 127.0.0.1 (cross-site), or rebind its own name to 127.0.0.1 and read the answers
/// (DNS rebinding). So every request, <c>/metrics</c>, <c>/health</c> and <c>/orders</c> included (they show
/// positions, orders and PnL), is refused with 403 unless its <c>Host</c> is a loopback name (<c>localhost</c>, <c>127.0.0.1</c>,
/// <c>[::1]</c>, any port: a rebound page sends its own name), it carries no <c>Origin</c> other than a
/// loopback one and no <c>Sec-Fetch-Site: cross-site</c>, and its content type is none of the three a
/// browser sends cross-site without a preflight (form-urlencoded, multipart, text/plain). A control request
/// must also present the token (<see cref="ControlToken"/>) as <c>Authorization: Bearer …</c>, else 401;
/// the answers never echo what was presented. <c>/metrics</c>, <c>/health</c> and <c>/orders</c> need no token:
/// they are read-only and scrapers do not send one.
/// </remarks>
public sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="control">
    /// Runs one operator action by name and returns what it did, or null for an unknown action (404).
    /// Null: no control endpoints.
    /// </param>
    /// <param name="controlToken">The token control requests must present; required with <paramref name="control"/>.</param>
    /// <param name="idFormat">How client order ids are written at the venue; given, <c>GET /orders</c> lists the engine's live orders.</param>
    public static async Task<MetricsServer> StartAsync(Lock coreLock, TradingEngine engine, IReadOnlyList<BookSync> books, int port, CancellationToken cancel,
        Func<string, string?>? control = null, string? controlToken = null, ClientOrderIdFormat? idFormat = null, Func<string>? extraMetrics = null)
    {
        if (control is not null && string.IsNullOrEmpty(controlToken))
            throw new ArgumentException("The control endpoints are never served without a token.", nameof(controlToken));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        // The CLI owns Ctrl+C and SIGTERM (it cancels orders before exiting); the web host must not take them.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        // Before any endpoint: a request a web page could have made is refused whatever it asks for.
        app.Use(async (context, next) =>
        {
            string? refusal = LoopbackGuard.Refusal(context.Request);
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.CacheControl = "no-store";
            if (refusal is not null)
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("refused: " + refusal + "\n").ConfigureAwait(false);
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        app.MapGet("/metrics", () =>
        {
            string text;
            lock (coreLock)
                text = PrometheusMetrics.Build(engine, books);
            if (extraMetrics is not null)
                text += extraMetrics();
            return Results.Text(text, "text/plain; version=0.0.4");
        });
        app.MapGet("/health", () =>
        {
            List<string> problems;
            lock (coreLock)
                problems = PrometheusMetrics.Problems(engine, books);
            return problems.Count == 0 ? Results.Text("ok\n") : Results.Text("unhealthy\n" + string.Join("\n", problems) + "\n", statusCode: 503);
        });
        if (idFormat is not null)
        {
            app.MapGet("/orders", () =>
            {
                byte[] json;
                lock (coreLock)
                    json = LiveOrdersJson(engine, books, idFormat);
                return Results.Bytes(json, "application/json; charset=utf-8");
            });
        }
        if (control is not null)
        {
            string token = controlToken!;
            app.MapPost("/control/{action}", (string action, HttpRequest request, HttpResponse response) =>
            {
                string? presented = BearerToken(request);
                if (presented is null || !ControlToken.Matches(token, presented))
                {
                    response.Headers.WWWAuthenticate = "Bearer realm=\"fathom control\"";
                    return Results.Text(presented is null
                        ? $"refused: send the control token: curl -H \"Authorization: Bearer $(cat STATE/{ControlToken.FileName})\" -X POST {request.Scheme}://{request.Host}/control/{{action}} " +
                          $"(STATE is the run's state directory; or the value of {ControlToken.Variable} if you set it)\n"
                        : $"refused: wrong control token (a new one is made at every start: read {ControlToken.FileName} again)\n",
                        statusCode: StatusCodes.Status401Unauthorized);
                }
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

    /// <summary>
    /// <c>{"orders":[…]}</c>: every live order (working, cancel or replace pending, or of unknown fate) of every
    /// instrument, oldest first, with the client id it was placed with, the one it carries now and the venue's id
    /// (0 before the venue acknowledged it). Amounts are decimal strings, exact. The caller holds the core lock.
    /// </summary>
    internal static byte[] LiveOrdersJson(TradingEngine engine, IReadOnlyList<BookSync> books, ClientOrderIdFormat idFormat)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("orders");
            for (int i = 0; i < books.Count; i++)
            {
                var spec = books[i].Book.Instrument;
                var live = new LiveOrderView[engine.Execution.LiveOrderCount(i)];
                int n = engine.Execution.LiveOrderViews(i, live);
                foreach (LiveOrderView o in live.AsSpan(0, n))
                {
                    w.WriteStartObject();
                    w.WriteString("symbol", spec.Symbol);
                    w.WriteString("clientOrderId", idFormat.Format(o.CurrentClientId.IsNone ? o.ClientId : o.CurrentClientId));
                    w.WriteString("origClientOrderId", idFormat.Format(o.ClientId));
                    w.WriteNumber("venueOrderId", o.VenueOrderId);
                    w.WriteString("side", o.Order.Side == OrderSide.Buy ? "BUY" : "SELL");
                    w.WriteString("price", FixedPoint.ToTrimmedString(o.Order.Price.Raw, spec.PriceDecimals));
                    w.WriteString("qty", FixedPoint.ToTrimmedString(o.Order.Quantity.Raw, spec.QtyDecimals));
                    w.WriteString("filled", FixedPoint.ToTrimmedString(o.Order.Filled.Raw, spec.QtyDecimals));
                    w.WriteString("state", o.Order.State.ToString());
                    w.WriteBoolean("quote", o.IsQuote);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The credentials of <c>Authorization: Bearer &lt;token&gt;</c>; null when absent or another scheme.</summary>
    private static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization.Count == 1 ? request.Headers.Authorization[0] : null;
        const string scheme = "Bearer ";
        if (header is null || header.Length <= scheme.Length || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        return header[scheme.Length..].Trim();
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
