using Fathom.Cli;
using Fathom.Hosting;
using Fathom.Journal;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>Runs the demo headless once with a journal rotated every 16 KB of records, in a directory of its own.</summary>
public sealed class RotatedJournaledDemo : IAsyncLifetime
{
    public const long SegmentBytes = 16 * 1024;
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("fathom-rotation-").FullName;
    public string Path => System.IO.Path.Combine(Directory, "demo.fathomjnl");
    public string Output { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int rc = await DemoCommand.RunAsync(durationSeconds: 6, "BTCUSDT", seed: 11, "mixed", output, error, CancellationToken.None,
                journalPath: Path, journalRotation: new JournalRotation(MaxBytes: SegmentBytes))
            .WaitAsync(TimeSpan.FromSeconds(120));
        Output = output.ToString();
        Assert.True(rc == 0, $"demo exit {rc}\n{Output}\n{error}");
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A journal rotated by size is one journal in several files: the set replays byte for byte, each later
/// segment continues the sequence numbers of the one before (starting on a whole input, without the meta
/// record), and a missing segment is reported, never skipped.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class JournalRotationTests(RotatedJournaledDemo demo) : IClassFixture<RotatedJournaledDemo>
{
    [Fact]
    public void Replay_OfARotatedDemoJournal_ReadsEverySegment_ReproducesTheCommandsByteForByte()
    {
        var segments = JournalRotation.FindSegments(demo.Path);
        Assert.True(segments.Count >= 2, $"a 6 s demo must fill more than two 16 KB segments; found {segments.Count + 1}\n{demo.Output}");
        Assert.Equal(Enumerable.Range(1, segments.Count), segments.Select(s => s.Index));

        JournalReplay.Result result = JournalReplay.Run(demo.Path);
        Assert.Null(result.JournalProblem);
        Assert.Null(result.FirstDifference);
        Assert.True(result.Identical);
        Assert.True(result.ExpectedCommands > 0, "the demo must have traded");
        Assert.Equal(segments.Count + 1, result.Segments);
        Assert.Contains($"journal: {result.Inputs} inputs in {demo.Path} and {segments.Count} later segments", demo.Output);
    }

    [Fact]
    public void Segments_ContinueTheSequence_OnlyTheFirstHoldsTheMeta_EachLaterOneStartsWithAnInput()
    {
        long lastInput = 0;
        var files = new[] { demo.Path }.Concat(JournalRotation.FindSegments(demo.Path).Select(s => s.Path)).ToList();
        for (int i = 0; i < files.Count; i++)
        {
            using var reader = CoreJournalReader.Open(files[i]);
            bool first = true;
            int metas = 0;
            while (reader.TryRead(out JournalEntry e))
            {
                if (e.Kind == RecordKind.JournalMeta)
                    metas++;
                if (first && i > 0)
                {
                    // A segment never separates an input from its reservations and commands.
                    Assert.False(e.Kind is RecordKind.IdReservation or RecordKind.CommandOut or RecordKind.JournalMeta,
                        $"{files[i]} starts with {e.Kind}");
                    Assert.Equal(lastInput + 1, e.Sequence);
                }
                first = false;
                if (e.Kind is not (RecordKind.JournalMeta or RecordKind.IdReservation or RecordKind.CommandOut))
                    lastInput = e.Sequence;
            }
            Assert.Equal(i == 0 ? 1 : 0, metas);
            if (i == 0)
                Assert.Null(reader.Problem); // read alone, a later segment's first input looks like a hole after 0
        }
    }

    [Fact]
    public void Replay_WithAMiddleSegmentMissing_IsReportedNamingTheSegment()
    {
        string copy = Directory.CreateTempSubdirectory("fathom-rotation-holed-").FullName;
        try
        {
            foreach (string file in Directory.EnumerateFiles(demo.Directory))
                if (!file.EndsWith(".000002.fathomjnl", StringComparison.Ordinal))
                    File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            JournalReplay.Result result = JournalReplay.Run(Path.Combine(copy, "demo.fathomjnl"));
            Assert.False(result.Identical);
            Assert.NotNull(result.JournalProblem);
            Assert.Contains("segment 2 (demo.000002.fathomjnl) of the rotated journal is missing", result.JournalProblem);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Fact]
    public void Replay_OfALaterSegmentAlone_SaysToStartFromTheFirstFile()
    {
        var ex = Assert.Throws<InvalidDataException>(() => JournalReplay.Run(JournalRotation.SegmentPath(demo.Path, 1)));
        Assert.Contains("segment 1 of a rotated journal", ex.Message);
    }
}
