using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fathom.Cli;

/// <summary>
/// The demo's exchange in a child process: the same <c>fathom</c> binary running <c>fathom sim</c> on a free
/// loopback port, so the simulator's allocations and threads are not the engine's. The child is bound to
/// this process (<c>--parent-pid</c>): it exits when our end of its stdin closes (which the kernel does when
/// we die, however we die) or when our pid is gone, and it ignores Ctrl+C so it outlives our cancel-all.
/// Its stdin is also its fault console (<see cref="SendAsync"/>). <see cref="Exited"/> completes when the
/// child ends; <see cref="DisposeAsync"/> closes its stdin, waits briefly, then kills it.
/// </summary>
internal sealed class SimulatorChild : IAsyncDisposable
{
    private const string ListeningPrefix = "Fathom simulator (Binance spot REST + WebSocket) listening on ";
    private const int KeptLines = 40;

    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;

    private SimulatorChild(Process process) => _process = process;

    public int ProcessId => _process.Id;
    /// <summary>The REST base address the child listens on.</summary>
    public Uri BaseAddress { get; private set; } = null!;
    /// <summary>Completes with the child's exit code when it ends.</summary>
    public Task<int> Exited => _exited.Task;
    /// <summary>True once <see cref="DisposeAsync"/> started stopping the child (its exit is then expected).</summary>
    public bool Stopping => _stopping;

    /// <summary>Starts <c>fathom sim</c> with <paramref name="simArguments"/> (plus the port and parent binding) and waits until it listens.</summary>
    public static async Task<SimulatorChild> StartAsync(IReadOnlyList<string> simArguments, TimeSpan startTimeout, CancellationToken cancel)
    {
        var start = SelfStartInfo();
        start.ArgumentList.Add("sim");
        foreach (string a in simArguments)
            start.ArgumentList.Add(a);
        start.ArgumentList.Add("--host");
        start.ArgumentList.Add("127.0.0.1");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--fault-console");
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new SimulatorChild(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, "");
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, "stderr: ");
        process.Exited += (_, _) => child._exited.TrySetResult(SafeExitCode(process));
        if (!process.Start())
            throw new InvalidOperationException("could not start the simulator process");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Task done = await Task.WhenAny(child._listening.Task, child._exited.Task).WaitAsync(startTimeout, cancel).ConfigureAwait(false);
            if (done != child._listening.Task)
                throw new InvalidOperationException($"the simulator process exited with {child._exited.Task.Result} before listening:\n{child.RecentOutput()}");
            child.BaseAddress = child._listening.Task.Result;
            return child;
        }
        catch
        {
            await child.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// How to run this same <c>fathom</c>: the apphost when that is what runs, else <c>dotnet fathom.dll</c>
    /// (under <c>dotnet fathom.dll</c> or a test host).
    /// </summary>
    private static ProcessStartInfo SelfStartInfo()
    {
        string dll = typeof(SimulatorChild).Assembly.Location;
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == Path.GetFileNameWithoutExtension(dll))
            return new ProcessStartInfo(self);
        string host = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(host);
        start.ArgumentList.Add(dll);
        return start;
    }

    private void OnLine(string? line, string tag)
    {
        if (line is null)
            return;
        if (tag.Length == 0 && line.StartsWith(ListeningPrefix, StringComparison.Ordinal)
            && Uri.TryCreate(line[ListeningPrefix.Length..].Trim() + "/", UriKind.Absolute, out var uri))
            _listening.TrySetResult(uri);
        lock (_lines)
        {
            _lines.Enqueue(tag + line);
            while (_lines.Count > KeptLines)
                _lines.Dequeue();
        }
    }

    /// <summary>The child's last lines of output (stderr prefixed), for error messages.</summary>
    public string RecentOutput()
    {
        lock (_lines)
            return string.Join("\n", _lines);
    }

    /// <summary>One line to the child's fault console (<c>disconnect</c>, <c>ack-delay 300</c>, ...).</summary>
    public async Task SendAsync(string command)
    {
        // A key press and a test (or two quick keys) may send at once: one line at a time on the child's stdin.
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _process.StandardInput.WriteLineAsync(command).ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private readonly SemaphoreSlim _sendGate = new(1, 1);

    private static int SafeExitCode(Process p)
    {
        try
        {
            return p.ExitCode;
        }
        catch (InvalidOperationException)
        {
            return -1;
        }
    }

    /// <summary>Closes the child's stdin (it stops itself), waits up to 5 s, then kills it.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        try
        {
            if (!_process.HasExited)
            {
                try
                {
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // The pipe is already broken: the child is exiting.
                }
                try
                {
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }
}
