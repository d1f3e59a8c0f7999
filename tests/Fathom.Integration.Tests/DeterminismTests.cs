using Fathom.Hosting;
using Fathom.Cli;
using Fathom.Journal;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>Demos share the demo's state directory: run them one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class DemoCollection
{
    public const string Name = "demo";
}

/// <summary>Runs the demo headless once with a journal; the tests replay it.</summary>
public sealed class JournaledDemo : IAsyncLifetime
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fathom-determinism-{Guid.NewGuid():N}.jnl");
    public string Output { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = await DemoCommand.RunAsync(durationSeconds: 6, "BTCUSDT", seed: 11, "mixed", output, error, CancellationToken.None, journalPath: Path)
            .WaitAsync(TimeSpan.FromSeconds(120));
        Output = output.ToString();
        Assert.True(rc == 0, $"demo exit {rc}\n{Output}\n{error}");
    }

    public Task DisposeAsync()
    {
        File.Delete(Path);
        return Task.CompletedTask;
    }
}

/// <summary>
/// DESIGN.md's determinism rule, end to end: the demo (simulator, WebSocket feed, analyzer, market
/// maker, execution, risk, WebSocket API gateway, all on real threads and real sockets) journals every
/// core input; a fresh core fed that journal on a manual clock produces the same commands byte for byte.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class DeterminismTests(JournaledDemo demo) : IClassFixture<JournaledDemo>
{
    [Fact]
    public void Replay_OfTheDemoJournal_ReproducesTheCommandStreamByteForByte()
    {
        var kinds = CountKinds(demo.Path);
        // The run exercised every kind of input the core has: frames, snapshots, reports (fills among them), timers, operators.
        Assert.True(kinds.GetValueOrDefault(RecordKind.CoreFrame) > 50, Describe(kinds));
        Assert.True(kinds.GetValueOrDefault(RecordKind.CoreSnapshot) >= 1, Describe(kinds));
        Assert.True(kinds.GetValueOrDefault(RecordKind.VenueReport) > 5, Describe(kinds));
        Assert.True(kinds.GetValueOrDefault(RecordKind.TimerTick) > 10, Describe(kinds));
        Assert.True(kinds.GetValueOrDefault(RecordKind.OperatorCommand) >= 2, Describe(kinds)); // start and stop
        Assert.True(kinds.GetValueOrDefault(RecordKind.IdReservation) >= 1, Describe(kinds));
        Assert.Matches(@"fills: [1-9]\d*", demo.Output);

        JournalReplay.Result result = JournalReplay.Run(demo.Path);
        Assert.Null(result.JournalProblem);
        Assert.Null(result.FirstDifference);
        Assert.True(result.ExpectedCommands > 5, $"{result.ExpectedCommands} commands");
        Assert.Equal(result.ExpectedCommands, result.ReplayedCommands);
        Assert.True(result.Identical);
        Assert.Contains($"journal: {result.Inputs} inputs", demo.Output);
    }

    [Fact]
    public void Replay_ThroughADifferentCore_IsCaughtAtTheFirstDifferentCommand()
    {
        // Quoting one tick wider is a different core: the very first quote differs, and the replay says so.
        JournalReplay.Result result = JournalReplay.Run(demo.Path,
            s => s with { Strategies = [s.Strategies[0].With("halfSpreadTicks", "4")] });
        Assert.False(result.Identical);
        Assert.NotNull(result.FirstDifference);
        Assert.Contains("command 1:", result.FirstDifference);
    }

    [Fact]
    public void Journal_WithAnInputMissing_IsReportedIncomplete()
    {
        // Copy the journal without its first venue report: the sequence numbers show the hole.
        string holed = demo.Path + ".holed";
        try
        {
            bool skipped = false;
            using (var reader = RecordingReader.Open(demo.Path))
            using (var writer = RecordingWriter.Create(holed))
            {
                while (reader.TryRead(out RecordingRecord r))
                {
                    if (!skipped && r.Kind == RecordKind.VenueReport)
                    {
                        skipped = true;
                        continue;
                    }
                    Assert.True(writer.TryAppend(r.Kind, r.ReceiveTimeNs, r.Arg, r.Tag, r.Payload));
                    if (writer.RecordsAppended % 1000 == 0)
                        writer.Flush();
                }
            }
            Assert.True(skipped);
            JournalReplay.Result result = JournalReplay.Run(holed);
            Assert.False(result.Identical);
            Assert.NotNull(result.JournalProblem);
            Assert.Contains("hole", result.JournalProblem);
        }
        finally
        {
            File.Delete(holed);
        }
    }

    private static Dictionary<RecordKind, int> CountKinds(string path)
    {
        var kinds = new Dictionary<RecordKind, int>();
        using var reader = CoreJournalReader.Open(path);
        while (reader.TryRead(out JournalEntry e))
            kinds[e.Kind] = kinds.GetValueOrDefault(e.Kind) + 1;
        Assert.Null(reader.Problem);
        return kinds;
    }

    private static string Describe(Dictionary<RecordKind, int> kinds) => string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"));
}
