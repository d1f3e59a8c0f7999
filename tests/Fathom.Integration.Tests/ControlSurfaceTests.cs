using Fathom.Hosting;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Fathom.Cli;
using Fathom.Core;
using Fathom.Execution;
using Fathom.Venues.Binance;
using Fathom.Risk;
using Fathom.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// The metrics server's control surface over real HTTP on loopback (Kestrel, as <c>fathom run</c> serves
/// it): only a request that presents the token runs an operator action, and nothing a web page can make
/// the operator's browser send gets through, the token notwithstanding: a foreign Host (DNS rebinding),
/// a foreign Origin, a form content type. The token file is the operator's alone (mode 0600).
/// </summary>
public sealed class ControlSurfaceTests : IAsyncLifetime
{
    private readonly string _token = ControlToken.Generate();
    private readonly List<string> _actions = [];
    private BinanceFeedCore _core = null!;
    private CoreParts _parts = null!;
    private MetricsServer _server = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        // A real core (as demo, run and replay build it), not connected to anything: the actions act on it.
        _core = new BinanceFeedCore([Specs.BtcUsdt]);
        _parts = CoreComposition.Build(_core, DemoCore.Setup(Specs.BtcUsdt, node: 1, epoch: 0), new MonotonicClock(TimeProvider.System),
            new InMemorySequenceReservation());
        _server = await MetricsServer.StartAsync(_core.CoreLock, _parts.Engine, _core.Books, port: 0, CancellationToken.None, Control, _token);
    }

    /// <summary>The operator actions as EngineHost maps them, recorded.</summary>
    private string? Control(string action)
    {
        lock (_actions)
            _actions.Add(action);
        switch (action)
        {
            case "halt":
                _parts.Engine.Halt();
                return "halted";
            case "resume":
                _parts.Engine.Resume();
                return "resumed";
            default:
                return null;
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private List<string> Actions()
    {
        lock (_actions)
            return [.. _actions];
    }

    private HttpRequestMessage Post(string action, string? token = null, string? host = null, string? origin = null, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, "/control/" + action)) { Content = content };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (host is not null)
            request.Headers.Host = host;
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        return request;
    }

    [Fact]
    public async Task Control_MissingToken_Is401AndNothingRuns()
    {
        var response = await _http.SendAsync(Post("halt"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Authorization: Bearer $(cat STATE/control.token)", body);
        Assert.DoesNotContain(_token, body);
        Assert.Empty(Actions());
        Assert.NotEqual(RiskState.Halted, _parts.Execution.Risk.State);
    }

    [Fact]
    public async Task Control_WrongToken_Is401AndNothingRuns()
    {
        string wrong = ControlToken.Generate();
        var response = await _http.SendAsync(Post("halt", wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("refused: wrong control token", body);
        Assert.DoesNotContain(_token, body);
        Assert.DoesNotContain(wrong, body);
        // The right token with one character changed, and as another scheme, are wrong too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(Post("halt", _token[..^1] + (_token[^1] == 'a' ? 'b' : 'a')))).StatusCode);
        var basic = Post("halt");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", _token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(basic)).StatusCode);
        Assert.Empty(Actions());
        Assert.NotEqual(RiskState.Halted, _parts.Execution.Risk.State);
    }

    [Fact]
    public async Task Control_RightToken_Is200AndTheActionRan()
    {
        var response = await _http.SendAsync(Post("halt", _token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("halted\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(["halt"], Actions());
        Assert.Equal(RiskState.Halted, _parts.Execution.Risk.State);
        // Host with a port, as curl sends it, and a loopback Origin (a local tool, a page served on loopback) are fine.
        Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(Post("resume", _token, host: "localhost:9464", origin: "http://127.0.0.1:9464"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.SendAsync(Post("explode", _token))).StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:9464")]
    [InlineData("127.0.0.1.evil.example")]
    [InlineData("localhost.evil.example")]
    public async Task ForeignHost_Is403ForControlMetricsAndHealth(string host)
    {
        // A rebound page's requests carry its own name: refused even with the token, and it reads nothing.
        var control = await _http.SendAsync(Post("halt", _token, host: host));
        Assert.Equal(HttpStatusCode.Forbidden, control.StatusCode);
        Assert.Contains("Host header must be localhost, 127.0.0.1 or [::1]", await control.Content.ReadAsStringAsync());
        foreach (string path in new[] { "/metrics", "/health" })
        {
            var get = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Address, path));
            get.Headers.Host = host;
            var response = await _http.SendAsync(get);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.DoesNotContain("fathom_", await response.Content.ReadAsStringAsync());
        }
        Assert.Empty(Actions());
        // The same requests addressed to loopback names are answered.
        foreach (string loopback in new[] { "localhost", "127.0.0.1:1234", "[::1]:9464", "LOCALHOST" })
        {
            var get = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Address, "/metrics"));
            get.Headers.Host = loopback;
            Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(get)).StatusCode);
        }
    }

    [Theory]
    [InlineData("http://evil.example", "application/x-www-form-urlencoded")]
    [InlineData("http://evil.example", null)]
    [InlineData("null", null)]
    [InlineData(null, "application/x-www-form-urlencoded")]
    [InlineData(null, "multipart/form-data; boundary=x")]
    [InlineData(null, "text/plain;charset=UTF-8")]
    public async Task CrossSiteRequest_Is403EvenWithTheToken(string? origin, string? contentType)
    {
        var content = contentType is null ? null : new StringContent("action=halt", Encoding.UTF8);
        if (content is not null)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        var response = await _http.SendAsync(Post("halt", _token, origin: origin, content: content));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain(_token, await response.Content.ReadAsStringAsync());
        Assert.Empty(Actions());
        Assert.NotEqual(RiskState.Halted, _parts.Execution.Risk.State);
    }

    [Fact]
    public async Task CrossSiteFetchMetadata_Is403()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Address, "/metrics"));
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        Assert.Equal(HttpStatusCode.Forbidden, (await _http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task StartAsync_ControlWithoutToken_Refused()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            MetricsServer.StartAsync(_core.CoreLock, _parts.Engine, _core.Books, 0, CancellationToken.None, _ => "x", controlToken: null));
        Assert.Contains("never served without a token", ex.Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void TokenFile_IsMode0600AndHoldsTheTokenOnly()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-token-").FullName;
        // A wider file left behind is replaced, not reused.
        string path = Path.Combine(dir, ControlToken.FileName);
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        (string token, string? written) = ControlToken.Provision(dir, _ => null);
        Assert.Equal(path, written);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(token, File.ReadAllText(path));
        Assert.Matches("^[0-9a-f]{64}$", token);
        Assert.NotEqual(token, ControlToken.Provision(dir, _ => null).Token); // a new one at every start
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void TokenFromEnvironment_IsUsedAndNoFileIsLeft()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-token-").FullName;
        ControlToken.Provision(dir, _ => null); // an earlier run's file
        string fromEnv = new('k', 40);
        (string token, string? path) = ControlToken.Provision(dir, name => name == ControlToken.Variable ? fromEnv : null);
        Assert.Equal(fromEnv, token);
        Assert.Null(path);
        Assert.False(File.Exists(Path.Combine(dir, ControlToken.FileName)));
        // Too short, or not a bearer token: refused without echoing it.
        var ex = Assert.Throws<HostInputException>(() => ControlToken.Provision(dir, name => name == ControlToken.Variable ? "short" : null));
        Assert.Contains("FATHOM_CONTROL_TOKEN must be at least 32 characters", ex.Message);
        Assert.DoesNotContain("short", ex.Message);
        Assert.Throws<HostInputException>(() => ControlToken.Provision(dir, name => name == ControlToken.Variable ? new string('k', 39) + " " : null));
    }

    [Fact]
    public void Matches_OnlyTheExactToken()
    {
        Assert.True(ControlToken.Matches(_token, _token));
        Assert.False(ControlToken.Matches(_token, null));
        Assert.False(ControlToken.Matches(_token, ""));
        Assert.False(ControlToken.Matches(_token, _token + "0"));
        Assert.False(ControlToken.Matches(_token, _token.ToUpperInvariant()));
    }
}
