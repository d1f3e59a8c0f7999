using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fathom.Testing;
using Xunit;

namespace Fathom.Simulator.Tests;

/// <summary>
/// The test kit's <see cref="StallingTcpProxy"/>: plain TCP (an echo server here) and the simulator's
/// REST and WebSocket API through it. A stall must look like a black-holed path (nothing arrives, no
/// FIN, no RST), not like a failure; held bytes come out after Resume.
/// </summary>
public sealed class StallingTcpProxyTests
{
    /// <summary>A loopback echo server: every connection gets its own bytes back until it closes.</summary>
    private sealed class EchoServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public EchoServer()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var client = await _listener.AcceptTcpClientAsync();
                        _ = Task.Run(async () =>
                        {
                            using (client)
                            {
                                try { await client.GetStream().CopyToAsync(client.GetStream()); }
                                catch (IOException) { }
                            }
                        });
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public void Dispose() => _listener.Stop();
    }

    private static async Task<Socket> ConnectAsync(StallingTcpProxy proxy)
    {
        var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = new CancellationTokenSource(WsClient.Patience);
        await s.ConnectAsync(proxy.EndPoint, timeout.Token);
        return s;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes within the patience timeout.</summary>
    private static async Task<byte[]> ReadExactlyAsync(Socket s, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(WsClient.Patience);
        int read = 0;
        while (read < count)
        {
            int n = await s.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, "the connection was closed");
            read += n;
        }
        return buffer;
    }

    [Fact]
    public async Task Stall_TcpEcho_NothingArrives_NoFinNoReset_ThenResumeDeliversHeldBytesInOrder()
    {
        using var echo = new EchoServer();
        using var proxy = new StallingTcpProxy("127.0.0.1", echo.Port);
        using var s = await ConnectAsync(proxy);
        await s.SendAsync("hello"u8.ToArray(), SocketFlags.None);
        Assert.Equal("hello"u8.ToArray(), await ReadExactlyAsync(s, 5));

        proxy.Stall();
        Assert.True(proxy.IsStalled);
        await s.SendAsync("held-1 "u8.ToArray(), SocketFlags.None);
        await s.SendAsync("held-2"u8.ToArray(), SocketFlags.None);
        // A read that is cancelled by our own timeout: no data, no FIN (0 bytes), no reset (SocketException).
        using (var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            var buffer = new byte[64];
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await s.ReceiveAsync(buffer, SocketFlags.None, wait.Token));
        }
        Assert.True(s.Connected);

        proxy.Resume();
        Assert.Equal("held-1 held-2"u8.ToArray(), await ReadExactlyAsync(s, 13));
        Assert.Equal(1, proxy.ConnectionsAccepted);
    }

    [Fact]
    public async Task Latency_DelaysEveryChunkInBothDirections()
    {
        using var echo = new EchoServer();
        using var proxy = new StallingTcpProxy("127.0.0.1", echo.Port);
        using var s = await ConnectAsync(proxy);
        var latency = TimeSpan.FromMilliseconds(300);
        Assert.Equal(latency, proxy.AddLatency(latency));
        var sent = Stopwatch.StartNew();
        await s.SendAsync("ping"u8.ToArray(), SocketFlags.None);
        Assert.Equal("ping"u8.ToArray(), await ReadExactlyAsync(s, 4));
        // One way each direction: the echo's round trip crosses the proxy twice.
        Assert.True(sent.Elapsed >= 2 * latency, $"round trip {sent.Elapsed}");

        proxy.Latency = TimeSpan.Zero;
        Assert.Equal(TimeSpan.Zero, proxy.AddLatency(-latency)); // never below zero
        await s.SendAsync("pong"u8.ToArray(), SocketFlags.None);
        Assert.Equal("pong"u8.ToArray(), await ReadExactlyAsync(s, 4));
    }

    [Fact]
    public async Task Stall_SimulatorRest_RequestTimesOutRatherThanFails_ThenResumeServesNewRequests()
    {
        await using var h = await SimulatorHarness.StartAsync();
        using var proxy = new StallingTcpProxy(h.Server.BaseAddress);
        using var client = new HttpClient { BaseAddress = proxy.Through(h.Server.BaseAddress), Timeout = TimeSpan.FromSeconds(1) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v3/ping")).StatusCode);

        proxy.Stall();
        var failure = await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync("/api/v3/time"));
        Assert.IsType<TimeoutException>(failure.InnerException); // HttpClient's timeout, not a reset or a closed connection

        proxy.Resume();
        using var fresh = new HttpClient { BaseAddress = proxy.Through(h.Server.BaseAddress), Timeout = WsClient.Patience };
        var time = await fresh.GetAsync("/api/v3/time");
        Assert.Equal(HttpStatusCode.OK, time.StatusCode);
        Assert.Contains("serverTime", await time.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v3/ping")).StatusCode); // the first client recovers too
    }

    [Fact]
    public async Task Stall_SimulatorWsApi_PingHeldWhileStalled_AnsweredAfterResume_SocketStaysOpen()
    {
        await using var h = await SimulatorHarness.StartAsync();
        using var proxy = new StallingTcpProxy(h.Server.BaseAddress);
        await using var ws = await WsClient.ConnectAsync(proxy.Through(h.WsUri("/ws-api/v3")));
        Assert.Equal(200, (await ws.RequestAsync("before", "ping")).GetProperty("status").GetInt32());

        proxy.Stall();
        await ws.SendRequestAsync("during", "ping");
        await ws.AssertNoneAsync(f => WsClient.IsResponse(f, "during"), TimeSpan.FromMilliseconds(500));
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, ws.State);
        Assert.False(ws.Closed);

        proxy.Resume();
        Assert.Equal(200, (await ws.ResponseAsync("during")).GetProperty("status").GetInt32());
        Assert.Equal(200, (await ws.RequestAsync("after", "ping")).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Dispose_ClosesEveryConnection()
    {
        using var echo = new EchoServer();
        var proxy = new StallingTcpProxy("127.0.0.1", echo.Port);
        using var s = await ConnectAsync(proxy);
        await s.SendAsync("x"u8.ToArray(), SocketFlags.None);
        await ReadExactlyAsync(s, 1);
        proxy.Dispose();
        using var timeout = new CancellationTokenSource(WsClient.Patience);
        int n;
        try
        {
            n = await s.ReceiveAsync(new byte[8], SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            n = 0; // a reset is a close too
        }
        Assert.Equal(0, n);
    }
}
