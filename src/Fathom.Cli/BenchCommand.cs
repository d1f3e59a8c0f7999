using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fathom.Cli;

/// <summary>
/// <c>fathom bench</c>: runs the benchmarks behind the project's performance claims on this machine and prints
/// one table, target beside figure (issue 20): the order book (BenchmarkDotNet, Fathom against SortedDictionary in
/// the same run), parse + apply of the recorded depth frames (ns per input byte) and the latency harness
/// (tick-to-order at ×<c>--speed</c>, and its ratio to the parse + book floor measured in the same run). Short
/// BenchmarkDotNet jobs: a few minutes in all. Needs the source tree (it runs the bench projects with
/// <c>dotnet run</c>) and the recorded data in <c>shared/data</c>. The load average before and after is printed:
/// on a busy machine read the ratios, not the absolute figures.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var speed = new Option<double>("--speed") { Description = "Replay speed of the latency harness (recorded time ×).", DefaultValueFactory = _ => 20 };
        var frames = new Option<int>("--frames") { Description = "Feed only the first N recorded frames to the harness (0: all, about 200,000).", DefaultValueFactory = _ => 0 };
        var repo = new Option<DirectoryInfo?>("--repo") { Description = "The Fathom source tree (default: found by walking up from this binary and the current directory)." };
        var verbose = new Option<bool>("--verbose") { Description = "Show the benchmarks' own output as they run." };
        var command = new Command("bench", "Run the book, parse + apply and latency-harness benchmarks and print target, figure, met? in one table.")
        {
            speed, frames, repo, verbose,
        };
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(speed), parse.GetValue(frames), parse.GetValue(repo)?.FullName,
            parse.GetValue(verbose), output, error, cancel));
        return command;
    }

    private static async Task<int> RunAsync(double speed, int frames, string? repo, bool verbose, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        if (!(speed > 0) || frames < 0)
        {
            error.WriteLine("error: --speed must be positive and --frames not negative.");
            return 2;
        }
        string? root = repo ?? FindRepo(AppContext.BaseDirectory) ?? FindRepo(Environment.CurrentDirectory);
        if (root is null || !File.Exists(Path.Combine(root, "bench", "Fathom.Benchmarks", "Fathom.Benchmarks.csproj")))
        {
            error.WriteLine("error: the Fathom source tree (with bench/) was not found; run from a checkout or pass --repo.");
            return 2;
        }
        string loadBefore = LoadAverage();
        var started = Stopwatch.StartNew();
        string artifacts = Path.Combine(Path.GetTempPath(), "fathom-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            output.WriteLine($"fathom bench: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {loadBefore}");
            output.WriteLine("1/2 book and parse + apply (BenchmarkDotNet, short job) ...");
            var (benchCode, benchOut) = await DotnetRunAsync(root, "bench/Fathom.Benchmarks",
                ["--filter", "*BookLevelUpdateBenchmarks.SortedDictionary*", "*BookLevelUpdateBenchmarks.FathomOrderBook*", "*ParseApplyBenchmarks.DepthPerByte*",
                 "--job", "short", "--exporters", "json", "--artifacts", artifacts], verbose, output, cancel).ConfigureAwait(false);
            var means = new Dictionary<string, double>(StringComparer.Ordinal);
            string results = Path.Combine(artifacts, "results");
            if (Directory.Exists(results))
                foreach (string file in Directory.GetFiles(results, "*.json"))
                    foreach (var (method, mean) in BenchReport.Means(await File.ReadAllTextAsync(file, cancel).ConfigureAwait(false)))
                        means[method] = mean;
            if (benchCode != 0 || means.Count == 0)
                error.WriteLine($"error: the BenchmarkDotNet run failed (exit {benchCode}); its last output:\n{Tail(benchOut, 30)}");

            output.WriteLine($"2/2 latency harness at ×{speed.ToString(CultureInfo.InvariantCulture)} (tick-to-order and its parse + book floor) ...");
            var harnessArgs = new List<string> { speed.ToString(CultureInfo.InvariantCulture) };
            if (frames > 0)
                harnessArgs.Add(frames.ToString(CultureInfo.InvariantCulture));
            var (harnessCode, harnessOut) = await DotnetRunAsync(root, "bench/Fathom.LatencyHarness", harnessArgs, verbose, output, cancel).ConfigureAwait(false);
            var harness = BenchReport.HarnessResult(harnessOut);
            if (harnessCode != 0 || harness.Count == 0)
                error.WriteLine($"error: the latency harness failed (exit {harnessCode}); its last output:\n{Tail(harnessOut, 30)}");

            List<BenchRow> rows = BenchReport.Rows(means, harness);
            output.WriteLine();
            output.Write(BenchReport.Table(rows));
            output.WriteLine($"took {started.Elapsed.TotalMinutes:F1} min; load average before {loadBefore}, after {LoadAverage()} " +
                "(other work on the machine slows every figure; the ×-ratios are measured within one run)");
            return benchCode == 0 && harnessCode == 0 && means.Count > 0 && harness.Count > 0 ? 0 : 1;
        }
        finally
        {
            try
            {
                if (Directory.Exists(artifacts))
                    Directory.Delete(artifacts, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is not worth failing the run over.
            }
        }
    }

    /// <summary><c>dotnet run -c Release --project</c> <paramref name="project"/> <c>--</c> args; returns the exit code and everything it printed.</summary>
    private static async Task<(int Code, string Output)> DotnetRunAsync(string root, string project, IEnumerable<string> args, bool verbose, TextWriter output,
        CancellationToken cancel)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["run", "-c", "Release", "--project", project, "--"])
            start.ArgumentList.Add(a);
        foreach (string a in args)
            start.ArgumentList.Add(a);
        var text = new StringBuilder();
        using var process = new Process { StartInfo = start };
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (text)
            {
                text.Append(e.Data).Append('\n');
                if (verbose)
                    output.WriteLine("  " + e.Data);
            }
        };
        process.OutputDataReceived += onLine;
        process.ErrorDataReceived += onLine;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        process.WaitForExit(); // drains the redirected streams
        lock (text)
            return (process.ExitCode, text.ToString());
    }

    private static string? FindRepo(string from)
    {
        for (var dir = new DirectoryInfo(from); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Fathom.slnx")) && Directory.Exists(Path.Combine(dir.FullName, "bench")))
                return dir.FullName;
        }
        return null;
    }

    private static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} / {parts[1]} / {parts[2]} (1 / 5 / 15 min)";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
