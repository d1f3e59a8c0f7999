using Fathom.Hosting;
using Fathom.Cli;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom demo</c> headless, end to end: simulator, feed, engine, market maker, risk and the
/// WebSocket API gateway on loopback. It must trade (orders placed, fills received), hold its risk
/// limits, and leave no open order behind when it stops.
/// </summary>
[Collection(DemoCollection.Name)]
public class DemoTests
{
    [Fact]
    public async Task Demo_Headless_TradesAndLeavesNoOpenOrders()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var metricsUrl = new TaskCompletionSource<Uri>();
        Task<int> demo = DemoCommand.RunAsync(durationSeconds: 8, "BTCUSDT", seed: 7, "mixed", output, error, CancellationToken.None,
            onMetrics: u => metricsUrl.SetResult(u));
        // While it runs, /metrics answers in Prometheus format and /health says whether it is healthy.
        Uri baseUrl = await metricsUrl.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        string metricsText = "";
        for (int i = 0; i < 50 && !metricsText.Contains("fathom_book_live{symbol=\"BTCUSDT\"} 1"); i++)
        {
            await Task.Delay(100);
            metricsText = await http.GetStringAsync(new Uri(baseUrl, "/metrics"));
        }
        Assert.Contains("fathom_book_live{symbol=\"BTCUSDT\"} 1", metricsText);
        Assert.Contains("# TYPE fathom_orders_total counter", metricsText);
        var health = await http.GetAsync(new Uri(baseUrl, "/health"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        int rc = await demo.WaitAsync(TimeSpan.FromSeconds(90));
        string text = output.ToString();
        Assert.True(rc == 0, $"exit {rc}\n{text}\n{error}");
        Assert.Contains("open at exit 0", text);
        Assert.Contains("strategy ok", text);
        Assert.Matches(@"orders: [1-9]\d* placed", text);
        Assert.Matches(@"fills: [1-9]\d*", text);
        Assert.Contains("0 gaps", text);
        Assert.Matches(@"store: [1-9]\d* fills", text); // fills reached SQLite
        Assert.DoesNotContain("Halted", text);
    }
}
