namespace Fathom.Backtest;

/// <summary>A backtest config that cannot run: every problem found, each naming its field (<c>$.instruments[0].tickSize</c>) and what is wrong.</summary>
public sealed class BacktestConfigException(IReadOnlyList<string> errors)
    : Exception("invalid backtest config:\n  " + string.Join("\n  ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
