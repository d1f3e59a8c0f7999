using Fathom.Journal;
using Fathom.MarketData;
using Xunit;

namespace Fathom.Engine.Tests;

public sealed class JournalRotationUnitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-jrot-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Timer_PastTheSegmentAge_StartsTheNextSegmentOnTheInput_KeepsItsCommandsWithIt()
    {
        string path = Path.Combine(_dir, "t.fathomjnl");
        const long Sec = 1_000_000_000;
        using (var journal = CoreJournal.Create(path, rotation: new JournalRotation(MaxAge: TimeSpan.FromSeconds(10))))
        {
            journal.Meta("{}");
            for (int i = 0; i < 25; i++)
            {
                journal.Timer(i * Sec);        // inputs 1..25, one a second
                journal.Command(i * Sec, [1]); // each with its command
            }
            Assert.Equal(2, journal.Segment); // 0–9 s, 10–19 s, 20–24 s
            Assert.Equal(JournalRotation.SegmentPath(path, 2), journal.CurrentPath);
        }
        Assert.Equal(Path.Combine(_dir, "t.000001.fathomjnl"), JournalRotation.SegmentPath(path, 1));
        Assert.Equal([1, 2], JournalRotation.FindSegments(path).Select(s => s.Index));

        using var reader = CoreJournalReader.OpenSet(path);
        var inputs = new List<long>();
        int commands = 0;
        while (reader.TryRead(out JournalEntry e))
        {
            if (e.Kind == RecordKind.TimerTick)
                inputs.Add(e.Sequence);
            else if (e.Kind == RecordKind.CommandOut)
            {
                Assert.Equal(inputs[^1], e.Sequence); // the command follows its own input, in the same segment
                commands++;
            }
        }
        Assert.Null(reader.Problem);
        Assert.Equal(3, reader.Segments);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => (long)i), inputs);
        Assert.Equal(25, commands);
    }

    [Fact]
    public void Size_WithoutRotation_StaysOneFile()
    {
        string path = Path.Combine(_dir, "one.fathomjnl");
        using (var journal = CoreJournal.Create(path))
        {
            for (int i = 0; i < 100; i++)
                journal.Timer(i);
            Assert.Equal(0, journal.Segment);
        }
        Assert.Empty(JournalRotation.FindSegments(path));
    }
}
