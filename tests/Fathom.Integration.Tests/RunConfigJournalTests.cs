using System.Text.Json.Nodes;
using Fathom.Hosting.Run;
using Fathom.Journal;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>The run config's <c>journal</c> section: validated with JSON paths, one file per run, the command line overriding it.</summary>
public sealed class RunConfigJournalTests
{
    private const string Source = "/tmp/fathom-test/fathom.json";

    private static string With(string journal)
    {
        var root = JsonNode.Parse(RunConfigTests.ValidJson)!.AsObject();
        root["journal"] = JsonNode.Parse(journal);
        return root.ToJsonString();
    }

    private static IReadOnlyList<string> Refused(string json) =>
        Assert.Throws<RunConfigException>(() => RunConfig.Parse(json, Source)).Errors;

    [Fact]
    public void Parse_JournalSection_PathRelativeToTheConfigAndRotationLimits()
    {
        var config = RunConfig.Parse(With("""{ "path": "journals/run.fathomjnl", "rotateMb": 64, "rotateMinutes": 60 }"""), Source);
        Assert.Equal("/tmp/fathom-test/journals/run.fathomjnl", config.Journal.Path);
        Assert.Equal(new JournalRotation(64L * 1024 * 1024, TimeSpan.FromHours(1)), config.Journal.Rotation);
        Assert.Contains("journal /tmp/fathom-test/journals/run.fathomjnl (each run's file named with its start time), rotated every 64 MB or 60 min", config.Describe());

        // A fraction of a MB, and rotation alone (for --journal).
        config = RunConfig.Parse(With("""{ "rotateMb": 0.5 }"""), Source);
        Assert.Null(config.Journal.Path);
        Assert.Equal(new JournalRotation(512 * 1024), config.Journal.Rotation);
        Assert.Contains("journal only with --journal, rotated every 0.5 MB", config.Describe());

        // Without the section: no journal, nothing said.
        config = RunConfig.Parse(RunConfigTests.ValidJson, Source);
        Assert.Equal(RunJournal.None, config.Journal);
        Assert.DoesNotContain("journal", config.Describe());
    }

    [Theory]
    [InlineData("""{ "rotateMb": 0 }""", "$.journal.rotateMb: must be at least 0.001 MB (got 0)")]
    [InlineData("""{ "rotateMb": 1048577 }""", "$.journal.rotateMb: must be at most 1048576 MB (got 1048577)")]
    [InlineData("""{ "rotateMinutes": 0 }""", "$.journal.rotateMinutes: must be positive (got 0)")]
    [InlineData("""{ "rotateMinutes": 1.5 }""", "$.journal.rotateMinutes: must be an integer, without a fraction or an exponent (got 1.5)")]
    [InlineData("""{ "rotateMinutes": 43201 }""", "$.journal.rotateMinutes: must be at most 43200 min (got 43201)")]
    [InlineData("""{ "path": "" }""", "$.journal.path: '' must name a file (leave it out to journal only with --journal)")]
    [InlineData("""{ "path": "journals/" }""", "$.journal.path: 'journals/' must name a file (leave it out to journal only with --journal)")]
    public void Parse_BadJournalSetting_RefusedNamingItsPath(string journal, string expected) =>
        Assert.Equal([expected], Refused(With(journal)));

    [Fact]
    public void Parse_UnknownJournalProperty_ListsTheKnownOnes()
    {
        string e = Assert.Single(Refused(With("""{ "rotateGb": 1 }""")));
        Assert.StartsWith("unknown property 'rotateGb' in $.journal at line 1", e);
        Assert.EndsWith("known properties here: path, rotateMb, rotateMinutes", e);
    }

    [Fact]
    public void PathFor_InsertsTheRunsStartTime_SoEveryRunHasItsOwnSet()
    {
        var journal = new RunJournal("/var/fathom/journals/run.fathomjnl", null);
        var start = new DateTimeOffset(2026, 12, 9, 10, 31, 2, TimeSpan.Zero);
        string path = journal.PathFor(start)!;
        Assert.Equal("/var/fathom/journals/run-20261209T103102Z.fathomjnl", path);
        Assert.Equal("/var/fathom/journals/run-20261209T103102Z.000001.fathomjnl", JournalRotation.SegmentPath(path, 1));
        Assert.Equal(0, JournalRotation.IndexOf(path));
        Assert.Null(RunJournal.None.PathFor(start));
    }

    [Fact]
    public void Merge_EachCommandLineLimitReplacesTheFilesOne()
    {
        var file = new JournalRotation(64L * 1024 * 1024, TimeSpan.FromMinutes(60));
        Assert.Equal(file, RunJournal.Merge(null, file));
        Assert.Equal(new JournalRotation(8L * 1024 * 1024, TimeSpan.FromMinutes(60)), RunJournal.Merge(new JournalRotation(8L * 1024 * 1024), file));
        Assert.Equal(new JournalRotation(64L * 1024 * 1024, TimeSpan.FromMinutes(5)), RunJournal.Merge(new JournalRotation(MaxAge: TimeSpan.FromMinutes(5)), file));
        var commandLine = new JournalRotation(1024 * 1024, TimeSpan.FromMinutes(1));
        Assert.Equal(commandLine, RunJournal.Merge(commandLine, null));
        Assert.Equal(commandLine, RunJournal.Merge(commandLine, file));
        Assert.Null(RunJournal.Merge(null, null));
    }
}
