using Fathom.Testing;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// <c>fathom sim --parent-pid</c>, as <c>fathom demo</c> runs its exchange: the child goes away with its parent,
/// however the parent ends, and Ctrl+C alone does not stop it (the parent still has orders to cancel).
/// </summary>
public class SimParentBindingTests
{
    private static string FathomDll => Path.Combine(AppContext.BaseDirectory, "fathom.dll");

    [Fact]
    public async Task Sim_ParentProcessGone_Stops()
    {
        using var parent = System.Diagnostics.Process.Start("sleep", "600");
        await using var sim = ChildProcess.StartDotnet("fathom sim", FathomDll,
            ["sim", "--port", "0", "--parent-pid", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], AppContext.BaseDirectory);
        await sim.WaitForLineAsync(l => l.Contains("listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(60), what: "the banner");

        // SIGINT (what a terminal's Ctrl+C sends the whole process group) leaves a bound child running.
        using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", sim.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        Assert.False(await sim.WaitForExitAsync(TimeSpan.FromSeconds(2)), "Ctrl+C stopped a child bound to its parent");

        parent.Kill();
        await sim.WaitForLineAsync(l => l.Contains($"simulator stopping: parent process {parent.Id} is gone", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), what: "the stop on the parent's exit");
        Assert.True(await sim.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the simulator did not exit after its parent");
        Assert.Equal(0, sim.ExitCode);
    }
}
