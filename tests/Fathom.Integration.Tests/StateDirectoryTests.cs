using Fathom.Hosting;
using System.Diagnostics;
using System.Globalization;
using Fathom.Cli;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>
/// One process per state directory: a second <c>fathom run</c> on a directory in use is refused, naming the
/// holder, before it reads a credential or contacts the venue (it would issue the same client order ids and
/// cancel the first one's orders at reconciliation). Each demo gets a directory of its own.
/// </summary>
public sealed class StateDirectoryTests
{
    private static string TempDir() => Directory.CreateTempSubdirectory("fathom-state-tests-").FullName;

    [Fact]
    public void Acquire_HeldDirectory_RefusedNamingThePid()
    {
        string dir = Path.Combine(TempDir(), "state");
        using (var held = StateDirectory.Acquire(dir))
        {
            // The holder's description (the lock file itself cannot be opened while it is held, even to read).
            Assert.StartsWith($"pid {Environment.ProcessId}, started ", File.ReadAllText(Path.Combine(dir, StateDirectory.HolderFileName)));
            var ex = Assert.Throws<HostInputException>(() => StateDirectory.Acquire(dir));
            Assert.StartsWith($"state directory {dir} is in use by another fathom process (pid {Environment.ProcessId}, started ", ex.Message);
            Assert.Contains("identical client order ids", ex.Message);
            // The lock is on the directory, not a spelling of its path.
            Assert.Throws<HostInputException>(() => StateDirectory.Acquire(dir + "/../state"));
        }
        // Released: the next process (here, the next attempt) takes it.
        using var again = StateDirectory.Acquire(dir);
        Assert.True(File.Exists(again.LockPath));
    }

    [Fact]
    public async Task Run_ChildProcessOnAHeldDirectory_Exit2NamingTheHolder()
    {
        string dir = TempDir();
        using var held = StateDirectory.Acquire(Path.Combine(dir, "fathom-state"));
        (int exitCode, string stdout, string stderr) = await RunChildAsync(dir);
        Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: state directory {Path.Combine(dir, "fathom-state")} is in use by another fathom process (pid {Environment.ProcessId}, started ", line);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task Run_FileLockingDisabled_RefusedRatherThanUnlocked()
    {
        // With this variable .NET takes no lock at all: a second process would not be kept out.
        string dir = TempDir();
        (int exitCode, string stdout, string stderr) = await RunChildAsync(dir, ("DOTNET_SYSTEM_IO_DISABLEFILELOCKING", "1"));
        Assert.True(exitCode == 2, $"exit {exitCode}\n{stdout}\n{stderr}");
        Assert.StartsWith("error: file locking is disabled in this process", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary><c>fathom run</c> as a child process on <see cref="RunConfigTests.ValidJson"/> in <paramref name="dir"/> (a closed port, no credentials).</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunChildAsync(string dir, params (string Name, string Value)[] environment)
    {
        string config = Path.Combine(dir, "fathom.json");
        File.WriteAllText(config, RunConfigTests.ValidJson);
        string fathom = Path.Combine(AppContext.BaseDirectory, "fathom.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (string a in new[] { fathom, "run", "--config", config, "--duration", "5" })
            start.ArgumentList.Add(a);
        // No credentials: the lock is checked before they are read, so the refusal must be the lock's.
        start.Environment.Remove("FATHOM_BINANCE_API_KEY");
        start.Environment.Remove("FATHOM_BINANCE_API_SECRET");
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        using var child = Process.Start(start)!;
        Task<string> stdout = child.StandardOutput.ReadToEndAsync();
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        try
        {
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!child.HasExited)
                child.Kill(entireProcessTree: true);
        }
        return (child.ExitCode, await stdout, await stderr);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void CreateForDemo_EachDemoItsOwnDirectory_FinishedOnesPrunedLater()
    {
        string parent = TempDir();
        using var first = StateDirectory.CreateForDemo(parent);
        using var second = StateDirectory.CreateForDemo(parent);
        Assert.NotEqual(first.Path, second.Path);
        Assert.StartsWith(Path.Combine(parent, StateDirectory.DemoPrefix), first.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(first.Path));

        // A demo that ended a while ago, one that ended just now, one still running (old lock), and a
        // directory of the same name pattern that no demo locked.
        var ended = StateDirectory.CreateForDemo(parent);
        ended.Dispose();
        var justEnded = StateDirectory.CreateForDemo(parent);
        justEnded.Dispose();
        File.SetLastWriteTimeUtc(ended.LockPath, DateTime.UtcNow.AddMinutes(-5));
        File.SetLastWriteTimeUtc(first.LockPath, DateTime.UtcNow.AddMinutes(-5));
        string foreign = Directory.CreateDirectory(Path.Combine(parent, StateDirectory.DemoPrefix + "not-ours")).FullName;

        Assert.Equal(1, StateDirectory.PruneFinishedDemos(parent));
        Assert.False(Directory.Exists(ended.Path));
        Assert.True(Directory.Exists(justEnded.Path));
        Assert.True(Directory.Exists(first.Path));   // running: its lock is held
        Assert.True(Directory.Exists(second.Path));
        Assert.True(Directory.Exists(foreign));
        Assert.True(File.Exists(first.LockPath));
        Assert.Contains(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(first.Path, StateDirectory.HolderFileName)));
    }
}
