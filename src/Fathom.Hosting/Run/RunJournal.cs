using System.Globalization;
using Fathom.Journal;

namespace Fathom.Hosting.Run;

/// <summary>
/// The config file's journal (<c>"journal": { "path", "rotateMb", "rotateMinutes" }</c>): where each run's
/// journal goes and when it rotates. The command line overrides it: <c>--journal FILE</c> replaces the path
/// (used as given), and each <c>--journal-rotate-*</c> limit replaces the file's one (<see cref="Merge"/>).
/// </summary>
/// <remarks>
/// A journal file is created new (never appended to), so a fixed path would refuse the second run, and a
/// restart after a crash is exactly that: each run writes <see cref="PathFor"/>, the configured name with the
/// run's start time inserted (<c>journal/fathom.fathomjnl</c> → <c>journal/fathom-20261209T103102Z.fathomjnl</c>,
/// then its segments <c>…Z.000001.fathomjnl</c>), so the sets sort by start time.
/// </remarks>
internal sealed record RunJournal(string? Path, JournalRotation? Rotation)
{
    public static RunJournal None { get; } = new(null, null);

    /// <summary>This run's journal file: <see cref="Path"/> with <paramref name="startUtc"/> before its extension; null without a path.</summary>
    public string? PathFor(DateTimeOffset startUtc)
    {
        if (Path is null)
            return null;
        string ext = System.IO.Path.GetExtension(Path);
        string stamp = startUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return Path[..^ext.Length] + "-" + stamp + ext;
    }

    /// <summary>Each limit the command line gives (above zero) replaces the file's; either may be null.</summary>
    public static JournalRotation? Merge(JournalRotation? commandLine, JournalRotation? file)
    {
        if (commandLine is null || file is null)
            return commandLine ?? file;
        return new JournalRotation(
            MaxBytes: commandLine.MaxBytes > 0 ? commandLine.MaxBytes : file.MaxBytes,
            MaxAge: commandLine.MaxAge > TimeSpan.Zero ? commandLine.MaxAge : file.MaxAge);
    }

    /// <summary>"every 64 MB or 60 min", for the start-up print.</summary>
    public static string Describe(JournalRotation? rotation)
    {
        if (rotation is not { Enabled: true })
            return "not rotated";
        var parts = new List<string>(2);
        if (rotation.MaxBytes > 0)
            parts.Add((rotation.MaxBytes / (1024.0 * 1024)).ToString("0.###", CultureInfo.InvariantCulture) + " MB");
        if (rotation.MaxAge > TimeSpan.Zero)
            parts.Add(rotation.MaxAge.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture) + " min");
        return "rotated every " + string.Join(" or ", parts);
    }
}
