using Fathom.Cli;
using Fathom.Execution;
using Fathom.Hosting;
using Fathom.Hosting.Run;
using Fathom.Strategy.Abstractions;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// Crash recovery through the real composition: what the store held when the process died comes back
/// into the engine on the next <c>fathom run</c> on the same state directory.
/// </summary>
public sealed partial class RunCommandTests
{
    /// <summary>What the restarted engine held when it was composed (before trading), read under the core lock.</summary>
    private sealed record RestartView(PositionView Position, long DayIndex, long DayStartPnl, long TotalPnl, Fathom.Risk.RiskState Risk,
        string? HaltReason, int RestoredFills);

    [Fact]
    public async Task Run_RestartOnTheCrashedStore_RestoresPositionRiskDayAndHalt()
    {
        await using var exchange = await Exchange.StartAsync();
        string json = SimulatorConfigJson(exchange.Server.BaseAddress);
        var first = await StartRunAsync(json);
        Assert.True(await WaitUntil(() => first.Host.Engine.Fills >= 2 || first.Run.IsCompleted, TimeSpan.FromSeconds(90)),
            $"no fills\n{first.Output}\n{first.Error}");
        first.Host.Apply(OperatorAction.Halt);
        await FlushStoreAsync(first.Host);

        // The crash: what kill -9 leaves on disk is exactly the committed transactions. An online SQLite
        // backup of the live database, taken while the run still trades (halted), is that state; the
        // first run's graceful shutdown afterwards only keeps the venue clean and its later writes are discarded.
        string stateDir = Path.Combine(first.Dir, "fathom-state");
        string db = Path.Combine(stateDir, "fathom.db");
        string crashed = Path.Combine(first.Dir, "crashed.db");
        using (var live = new SqliteConnection($"Data Source={db};Pooling=False"))
        using (var copy = new SqliteConnection($"Data Source={crashed};Pooling=False"))
        {
            live.Open();
            copy.Open();
            live.BackupDatabase(copy);
        }
        long firstDayStart, firstDay;
        lock (first.Host.CoreLock)
        {
            firstDayStart = first.Host.Execution.Risk.DayStartPnl;
            firstDay = first.Host.Engine.DayIndex;
        }
        first.Host.Apply(OperatorAction.Stop);
        int rc = await first.Run.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(rc is 0 or 1, $"exit {rc}\n{first.Output}\n{first.Error}");
        foreach (string f in new[] { db, db + "-wal", db + "-shm" })
            File.Delete(f);
        File.Copy(crashed, db);

        // What the crashed store says: the position its fills add up to, the day, the halt.
        PersistedState stored;
        await using (var store = Fathom.Persistence.SqliteTradeStore.Open(crashed, ["BTCUSDT"]))
            stored = store.Load();
        Assert.NotEmpty(stored.Fills);
        Assert.Equal(new RiskDayRecord(firstDay, firstDayStart, stored.Day!.Value.TimeNs), stored.Day);
        Assert.True(stored.Halt is { Halted: true }, "the operator halt was committed before the crash");

        // Restart on the same state directory.
        var restored = new TaskCompletionSource<RestartView>(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = await StartRunAsync(json, first.Dir, h =>
        {
            lock (h.CoreLock)
                restored.SetResult(new RestartView(h.Execution.Position(0), h.Engine.DayIndex, h.Execution.Risk.DayStartPnl,
                    h.Execution.Risk.TotalPnl(), h.Execution.Risk.State, h.Engine.HaltReason, h.Engine.RestoredFills));
        });
        RestartView view = await restored.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var spec = second.Host.Specs[0];
        ushort node = stored.Fills.First(f => !f.ClientId.IsNone).ClientId.Node; // the config's instance id
        // Reconciliation may add fills the crashed copy lacks (the first run's cancels could still fill after the
        // copy was taken): those are stored too, so the engine's position is the fills the store holds now.
        await FlushStoreAsync(second.Host);
        PersistedState now = second.Host.Store.Load();
        Assert.Equal(second.Host.Reconciliation!.MissedFills, now.Fills.Count - stored.Fills.Count);
        PositionLedger expected = now.PositionOf("BTCUSDT", node, spec.PriceDecimals, spec.QtyDecimals);

        // (a) The engine's position is the stored fills' sum, to the last unit, PnL and fees included; the
        // crashed store's fills were all restored.
        Assert.Equal(stored.Fills.Count(f => f.ClientId.Node == node && !f.ClientId.IsNone), view.RestoredFills);
        Assert.Equal(expected.Position, view.Position.Position);
        Assert.Equal(expected.BuyQty, view.Position.BuyQty);
        Assert.Equal(expected.SellQty, view.Position.SellQty);
        Assert.Equal(expected.RealizedPnl, view.Position.RealizedPnl);
        Assert.Equal(expected.FeesPaid, view.Position.FeesPaid);
        Assert.True(view.Position.BuyQty.Raw + view.Position.SellQty.Raw > 0, "fills were restored");
        // (b) The risk day carried over: drawdown is still measured from the first run's day start.
        Assert.Equal(firstDay, view.DayIndex);
        Assert.Equal(firstDayStart, view.DayStartPnl);
        // (c) The halt before the crash is a halt after it, with its reason, until an operator resumes.
        Assert.Equal(Fathom.Risk.RiskState.Halted, view.Risk);
        Assert.Contains("operator halt", view.HaltReason);
        Assert.Contains("before the restart", view.HaltReason);
        await Task.Delay(1_000); // a second of trading time: still halted, nothing placed
        Assert.Equal(Fathom.Risk.RiskState.Halted, RiskState(second.Host));
        Assert.Empty(exchange.OpenOrders());

        // The operator resumes: the halt is lifted, in the store too, so a later restart trades.
        second.Host.Apply(OperatorAction.Resume);
        Assert.Null(second.Host.Engine.HaltReason);
        await FlushStoreAsync(second.Host);
        Assert.False(second.Host.Store.Load().Halt?.Halted ?? true);
        await StopRunAsync(second, exchange);
    }

    private static Task FlushStoreAsync(EngineHost host) => host.Store.FlushAsync(TimeSpan.FromSeconds(30));

    private static async Task<Running> StartRunAsync(string configJson, string dir, Action<EngineHost> onQuoting)
    {
        string path = WriteConfig(dir, configJson);
        var output = new LockedStringWriter();
        var error = new LockedStringWriter();
        var quoting = new TaskCompletionSource<EngineHost>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> run = RunCommand.RunAsync(path, mainnet: false, durationSeconds: 300, output, error,
            CancellationToken.None, new RunHooks
            {
                GetVariable = DemoEnvironment(),
                OnQuoting = h =>
                {
                    onQuoting(h);
                    quoting.SetResult(h);
                },
            });
        var host = await quoting.Task.WaitAsync(TimeSpan.FromSeconds(90));
        return new Running(host, run, output, error, dir);
    }
}
