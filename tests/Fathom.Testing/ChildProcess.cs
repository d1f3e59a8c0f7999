using System.Diagnostics;
using System.Text;

namespace Fathom.Testing;

/// <summary>
/// A real child process for crash tests: its stdout and stderr lines are kept (stamped, in order) and can be
/// waited for, stdin can be written, and <see cref="Kill"/> sends SIGKILL (on Unix) to it and every process it
/// started. Disposing kills whatever is still running, so a failing or timed-out test leaves nothing behind;
/// so does the test host's own exit (the processes are tracked until they end).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly HashSet<Process> s_live = [];
    private readonly Process _process;
    private readonly List<(DateTime At, string Line)> _lines = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    static ChildProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (s_live)
                foreach (var p in s_live)
                    TryKill(p);
        };
    }

    private ChildProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>How the test names it in messages.</summary>
    public string Name { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    /// <summary>Since the process was started.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;
    public DateTime StartedUtc { get; private init; }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c> (the SDK's host, as the test runs on).</summary>
    public static ChildProcess StartDotnet(string name, string dll, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(dll);
        foreach (string a in arguments)
            start.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(key);
            else
                start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, name) { StartedUtc = DateTime.UtcNow };
        process.OutputDataReceived += (_, e) => child.Append(e.Data, "");
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, "stderr: ");
        if (!process.Start())
            throw new InvalidOperationException($"could not start {name}");
        lock (s_live)
            s_live.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Append(string? line, string tag)
    {
        if (line is null)
            return;
        lock (_lines)
            _lines.Add((DateTime.UtcNow, tag + line));
    }

    /// <summary>Lines so far (stdout as is, stderr prefixed <c>stderr: </c>).</summary>
    public int LineCount
    {
        get
        {
            lock (_lines)
                return _lines.Count;
        }
    }

    /// <summary>Every line so far, one per line, for failure messages.</summary>
    public string Output(int lastLines = int.MaxValue)
    {
        lock (_lines)
            return string.Join("\n", _lines.Skip(Math.Max(0, _lines.Count - lastLines)).Select(l => l.Line));
    }

    /// <summary>The first line from index <paramref name="from"/> on that <paramref name="match"/> accepts, or null.</summary>
    public string? FindLine(Func<string, bool> match, int from = 0)
    {
        lock (_lines)
        {
            for (int i = from; i < _lines.Count; i++)
                if (match(_lines[i].Line))
                    return _lines[i].Line;
        }
        return null;
    }

    /// <summary>
    /// Waits for a line (from index <paramref name="from"/>) that <paramref name="match"/> accepts; throws
    /// <see cref="TimeoutException"/> with the output when none comes in time, or when the process exits first.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, int from = 0, string? what = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (FindLine(match, from) is { } line)
                return line;
            if (_process.HasExited)
            {
                _process.WaitForExit(); // drains the redirected streams
                if (FindLine(match, from) is { } last)
                    return last;
                throw new TimeoutException($"{Name} (pid {Id}) exited with {_process.ExitCode} before {what ?? "the expected line"}:\n{Output(80)}");
            }
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"{Name} (pid {Id}): no {what ?? "expected line"} within {timeout.TotalSeconds:F0} s:\n{Output(80)}");
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Writes one line to the process's stdin.</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>SIGKILL (on Unix) to the process and its whole tree; returns once it has exited.</summary>
    public void Kill()
    {
        TryKill(_process);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            throw new InvalidOperationException($"{Name} (pid {Id}) did not exit within 30 s of SIGKILL");
        _process.WaitForExit(); // drains the redirected streams
        lock (s_live)
            s_live.Remove(_process);
    }

    /// <summary>Waits for the process to exit by itself; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        _process.WaitForExit();
        lock (s_live)
            s_live.Remove(_process);
        return true;
    }

    private static void TryKill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone (or exiting): nothing left to kill.
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                Kill();
        }
        finally
        {
            lock (s_live)
                s_live.Remove(_process);
            _process.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
