using Fathom.Cli;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom demo</c> headless, end to end: simulator, feed, engine, market maker, risk and the
/// WebSocket API gateway on loopback. It must trade (orders placed, fills received), hold its risk
/// limits, and leave no open order behind when it stops.
/// </summary>
public class DemoTests
{
    [Fact]
    public async Task Demo_Headless_TradesAndLeavesNoOpenOrders()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = await DemoCommand.RunAsync(durationSeconds: 6, "BTCUSDT", seed: 7, "mixed", output, error, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(90));
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
