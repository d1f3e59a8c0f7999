using System.CommandLine;

namespace Fathom.Cli;

/// <summary>The <c>fathom</c> command line. Commands parse options and call into the libraries; no business logic lives here.</summary>
public static class Program
{
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Fathom: a low-latency trading engine for crypto venues.");
        return root;
    }
}
