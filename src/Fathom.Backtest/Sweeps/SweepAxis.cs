namespace Fathom.Backtest.Sweeps;

/// <summary>One swept key and its values, in the order given (one <c>--set path=v1,v2,…</c>).</summary>
public sealed record SweepAxis(string Path, IReadOnlyList<SweepSetting> Values);
