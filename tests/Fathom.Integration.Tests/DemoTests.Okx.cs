using Fathom.Cli;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary><c>fathom demo --venue okx</c> headless: the same demo trading through the simulator child's OKX v5 front.</summary>
public partial class DemoTests
{
    [Fact]
    public async Task Demo_HeadlessOkx_QuotesAndFillsThroughTheOkxFrontAndLeavesNoOpenOrders()
    {
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var metricsUrl = new TaskCompletionSource<Uri>();
        int simPid = 0;
        Task<int> demo = DemoCommand.RunAsync(durationSeconds: 15, "BTCUSDT", seed: 7, "mixed", output, error,
            CancellationToken.None, onMetrics: u => metricsUrl.SetResult(u), onSimulator: pid => simPid = pid, okx: true);
        Uri baseUrl = await metricsUrl.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        // The book is OKX's instrument (BTC-USDT exists only through public/instruments), live from the OKX feed.
        string metricsText = "";
        for (int i = 0; i < 80 && !(metricsText.Contains("fathom_book_live{symbol=\"BTC-USDT\"} 1") && Count(metricsText, "fathom_command_to_ack_seconds") > 0); i++)
        {
            await Task.Delay(100);
            metricsText = await http.GetStringAsync(new Uri(baseUrl, "/metrics"));
        }
        Assert.Contains("fathom_book_live{symbol=\"BTC-USDT\"} 1", metricsText);
        Assert.Contains("fathom_order_entry_up 1", metricsText);
        Assert.True(Count(metricsText, "fathom_command_to_ack_seconds") > 0, metricsText);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri(baseUrl, "/health"))).StatusCode);
        int rc = await demo.WaitAsync(TimeSpan.FromSeconds(90));
        string text = output.ToString();
        Assert.True(rc == 0, $"exit {rc}\n{text}\n{error}");
        Assert.Contains("market making BTC-USDT through its OKX v5 front", text);
        Assert.Contains("open at exit 0", text);
        Assert.Matches(@"orders: [1-9]\d* placed", text);
        Assert.Matches(@"fills: [1-9]\d*", text);
        Assert.Matches(@"store: [1-9]\d* fills", text);
        Assert.DoesNotContain("Halted", text);
        Assert.NotEqual(0, simPid);
        Assert.False(IsRunning(simPid), $"the simulator process {simPid} outlived the demo");
        Assert.DoesNotContain(Fathom.Simulator.SimulatorConfig.DemoPassphrase, text + error);
    }
}
