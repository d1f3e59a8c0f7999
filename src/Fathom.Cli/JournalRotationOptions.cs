using System.CommandLine;
using Fathom.Hosting.Run;
using Fathom.Journal;

namespace Fathom.Cli;

/// <summary>
/// <c>--journal-rotate-mb</c> and <c>--journal-rotate-minutes</c>, shared by <c>demo</c> and <c>run</c>. For <c>run</c>, each one given
/// replaces the config file's <c>journal.rotateMb</c> / <c>journal.rotateMinutes</c> (<see cref="RunJournal.Merge"/>).
/// </summary>
internal static class JournalRotationOptions
{
    public static (Option<int?> Mb, Option<int?> Minutes) Create()
    {
        var mb = new Option<int?>("--journal-rotate-mb")
        {
            Description = "Start the journal's next segment (NAME.000001.EXT, …) after this many MB of records (before compression). Off by default.",
        };
        var minutes = new Option<int?>("--journal-rotate-minutes")
        {
            Description = "Start the journal's next segment once the current one is this many minutes old. Off by default.",
        };
        // The same limits as the run config file's "journal" section (RunConfigRanges).
        mb.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1 or > RunConfigRanges.MaxJournalRotateMb) r.AddError($"--journal-rotate-mb must be between 1 and {RunConfigRanges.MaxJournalRotateMb}."); });
        minutes.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1 or > RunConfigRanges.MaxJournalRotateMinutes) r.AddError($"--journal-rotate-minutes must be between 1 and {RunConfigRanges.MaxJournalRotateMinutes} (30 days)."); });
        return (mb, minutes);
    }

    /// <summary>The rotation the options ask for, or null when neither is given.</summary>
    public static JournalRotation? Read(ParseResult parse, Option<int?> mb, Option<int?> minutes)
    {
        int? size = parse.GetValue(mb);
        int? age = parse.GetValue(minutes);
        if (size is null && age is null)
            return null;
        return new JournalRotation(MaxBytes: (size ?? 0) * 1024L * 1024, MaxAge: TimeSpan.FromMinutes(age ?? 0));
    }
}
