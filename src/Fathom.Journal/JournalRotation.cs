namespace Fathom.Journal;

/// <summary>
/// When a journal starts its next segment: after <see cref="MaxBytes"/> bytes of records (before
/// compression, so a segment's file is smaller) or once its first input is <see cref="MaxAge"/> old by
/// the core's clock, whichever comes first. Zero turns a limit off. A segment always ends on a whole
/// input: the input that crosses a limit is the first of the next segment.
/// </summary>
public sealed record JournalRotation(long MaxBytes = 0, TimeSpan MaxAge = default)
{
    public bool Enabled => MaxBytes > 0 || MaxAge > TimeSpan.Zero;

    /// <summary>
    /// The file of segment <paramref name="index"/> of the journal at <paramref name="firstPath"/>: the first
    /// is the path itself (index 0), then <c>NAME.000001.EXT</c>, <c>NAME.000002.EXT</c>… beside it.
    /// </summary>
    public static string SegmentPath(string firstPath, int index)
    {
        ArgumentException.ThrowIfNullOrEmpty(firstPath);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index == 0)
            return firstPath;
        string ext = Path.GetExtension(firstPath);
        string stem = firstPath[..^ext.Length];
        return $"{stem}.{index:D6}{ext}";
    }

    /// <summary>
    /// The later segments found beside <paramref name="firstPath"/>, by index (1, 2, …), whatever their
    /// numbering: a gap is the caller's to report.
    /// </summary>
    public static IReadOnlyList<(int Index, string Path)> FindSegments(string firstPath)
    {
        string full = Path.GetFullPath(firstPath);
        string dir = Path.GetDirectoryName(full)!;
        string ext = Path.GetExtension(full);
        string stem = Path.GetFileName(full)[..^ext.Length];
        var found = new List<(int, string)>();
        if (!Directory.Exists(dir))
            return found;
        foreach (string file in Directory.EnumerateFiles(dir, stem + ".*" + ext))
        {
            string name = Path.GetFileName(file);
            if (name.Length <= stem.Length + 1 + ext.Length)
                continue;
            string middle = name.Substring(stem.Length + 1, name.Length - stem.Length - 1 - ext.Length);
            if (middle.Length == 6 && middle.All(char.IsAsciiDigit) && int.Parse(middle, System.Globalization.CultureInfo.InvariantCulture) is > 0 and int index)
                found.Add((index, file));
        }
        found.Sort((x, y) => x.Item1.CompareTo(y.Item1));
        return found;
    }

    /// <summary>The segment index of <paramref name="path"/> when it names a later segment (<c>NAME.000003.EXT</c>), else 0.</summary>
    public static int IndexOf(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        int dot = name.LastIndexOf('.');
        string digits = dot < 0 ? "" : name[(dot + 1)..];
        return digits.Length == 6 && digits.All(char.IsAsciiDigit) ? int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
