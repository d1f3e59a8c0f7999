namespace Fathom.Risk;

/// <summary>What risk has done, for metrics and tests. Plain fields: the core is single-threaded.</summary>
public sealed class RiskCounters
{
    public long Checks;
    public long Refusals;
    public long CancelsPassed;
    public long Transitions;
    public long IllegalTransitions;
    public long InFlightUntracked;
    public long MarkoutBreaches;
    public long VwapStops;
    private readonly long[] _byDecision = new long[Enum.GetValues<RiskDecision>().Length];

    public long RefusedBy(RiskDecision decision) => _byDecision[(int)decision];
    internal void Refused(RiskDecision decision)
    {
        Refusals++;
        _byDecision[(int)decision]++;
    }
}
