using Fathom.Execution;
using Fathom.Gateway.Abstractions;
using Fathom.Risk;

namespace Fathom.Testing;

/// <summary>A trade store that takes every record and keeps nothing, always healthy: test doubles override what they watch.</summary>
public class AcceptingTradeStore : ITradeStore
{
    public virtual string? Failure => null;
    public bool IsHealthy => Failure is null;
    public Action<string>? FaultObserver { get; set; }
    public virtual bool TryAppend(in FillReport fill) => true;
    public virtual bool TryAppend(in OrderTransition transition) => true;
    public virtual bool TryAppend(in RiskDayRecord day) => true;
    public virtual bool TryAppend(in RiskHaltRecord halt) => true;
    public virtual bool TryAppend(in RiskTransition transition) => true;
    public PersistedState Load() => PersistedState.Empty;
    public Task FlushAsync(TimeSpan timeout) => Task.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
