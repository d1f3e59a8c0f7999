using System.Runtime.CompilerServices;
using Fathom.Execution;
using Fathom.Gateway.Abstractions;

namespace Fathom.Persistence.Benchmarks;

/// <summary>
/// A store that takes every record and keeps nothing: the baseline, so what <see cref="SqliteTradeStore"/> adds
/// to the core's append (the interface call and the record's construction are in both) is the difference.
/// </summary>
/// <remarks>
/// Its appends are never inlined: a call that returns at once is what "no store work" means for the engine,
/// whose store is a real call.
/// </remarks>
internal sealed class NoOpTradeStore : ITradeStore
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool TryAppend(in FillReport fill) => true;
    [MethodImpl(MethodImplOptions.NoInlining)]
    public bool TryAppend(in OrderTransition transition) => true;
    public bool TryAppend(in RiskDayRecord day) => true;
    public bool TryAppend(in RiskHaltRecord halt) => true;
    public bool TryAppend(in Fathom.Risk.RiskTransition transition) => true;
    public PersistedState Load() => PersistedState.Empty;
    public string? Failure => null;
    public bool IsHealthy => true;
    public Action<string>? FaultObserver { get; set; }
    public Task FlushAsync(TimeSpan timeout) => Task.CompletedTask;
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
