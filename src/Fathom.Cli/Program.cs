using Fathom.Hosting;
using System.CommandLine;

namespace Fathom.Cli;

/// <summary>
/// The <c>fathom</c> command line. Commands parse options and call into the libraries; no business logic
/// lives here. Every command's action is guarded by <see cref="CliErrors"/>: bad input ends in
/// <c>error: …</c> lines and exit code 2, never a stack trace.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => BuildRoot(Console.Out, Console.Error).Parse(args).Invoke();

    public static RootCommand BuildRoot(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Fathom: a low-latency trading engine for crypto venues.");
        root.Subcommands.Add(DemoCommand.Create(output, error));
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(BookCommand.Create(output, error));
        root.Subcommands.Add(SimCommand.Create(output, error));
        root.Subcommands.Add(RecordCommand.Create(output, error));
        root.Subcommands.Add(ConvertCommand.Create(output, error));
        root.Subcommands.Add(ReplayCommand.Create(output, error));
        root.Subcommands.Add(BacktestCommand.Create(output, error));
        root.Subcommands.Add(StateCommand.Create(output, error));
        root.Subcommands.Add(ClusterCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        CliErrors.Guard(root, error);
        return root;
    }
}
