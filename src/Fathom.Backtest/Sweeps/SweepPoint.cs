namespace Fathom.Backtest.Sweeps;

/// <summary>One point of a sweep grid: its position in grid order and one value per swept key (in axis order).</summary>
public sealed record SweepPoint(int Index, IReadOnlyList<SweepSetting> Settings)
{
    /// <summary>The value of <paramref name="path"/> at this point, or null when it is not swept.</summary>
    public SweepSetting? Find(string path) => Settings.FirstOrDefault(s => s.Path == path);

    /// <summary><c>a=1, b=x</c>.</summary>
    public override string ToString() => string.Join(", ", Settings);
}
