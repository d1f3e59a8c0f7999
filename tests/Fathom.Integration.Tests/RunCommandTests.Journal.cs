using Fathom.Hosting;
using Fathom.Journal;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>The config file's <c>journal</c> section through a real run: its own file per run, rotated by the file's limit, replayable as a set.</summary>
public sealed partial class RunCommandTests
{
    [Fact]
    public async Task Run_JournalInTheConfig_WritesItsOwnFileRotatedByTheConfigsLimit_AndTheSetReplays()
    {
        await using var exchange = await Exchange.StartAsync();
        // 0.02 MB: a few seconds of the simulator's market data per segment.
        var run = await StartRunAsync(SimulatorConfigJson(exchange.Server.BaseAddress,
            extra: "\"journal\": { \"path\": \"journals/run.fathomjnl\", \"rotateMb\": 0.02, \"rotateMinutes\": 600 },"));
        Assert.Contains("journal " + Path.Combine(run.Dir, "journals", "run.fathomjnl") + " (each run's file named with its start time), rotated every 0.02 MB or 600 min", run.Output.ToString());
        Assert.True(await WaitUntil(() => { lock (run.Host.CoreLock) return run.Host.Journal!.Segment >= 2; }, TimeSpan.FromSeconds(120)),
            $"the journal did not rotate twice\n{run.Output}");
        await StopRunAsync(run, exchange);

        string first = Assert.Single(Directory.GetFiles(Path.Combine(run.Dir, "journals"), "run-*Z.fathomjnl"));
        Assert.Matches(@"run-\d{8}T\d{6}Z\.fathomjnl$", first);
        string output = run.Output.ToString();
        Assert.Contains($"journal: every core input and command goes to {first} (rotated every 0.02 MB or 600 min)", output);
        var segments = JournalRotation.FindSegments(first);
        Assert.True(segments.Count >= 2, $"{segments.Count} later segments");
        Assert.Contains($"and {segments.Count} later segments", output);
        // Segments hold about the configured size of records (a segment ends on a whole input).
        Assert.All(segments.SkipLast(1), s => Assert.InRange(new FileInfo(s.Path).Length, 1, 4 * 0.02 * 1024 * 1024));

        JournalReplay.Result replay = JournalReplay.Run(first);
        Assert.True(replay.Identical, $"{replay.FirstDifference} {replay.JournalProblem} ({replay.ReplayedCommands}/{replay.ExpectedCommands})");
        Assert.Equal(segments.Count + 1, replay.Segments);
        Assert.True(replay.ExpectedCommands > 0);
    }
}
