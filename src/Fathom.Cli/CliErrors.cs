using Fathom.Hosting;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.Json;
using Fathom.Hosting.Run;
using Microsoft.Data.Sqlite;

namespace Fathom.Cli;

/// <summary>
/// The one place an exception leaving a command becomes what the operator reads: <c>error: …</c> lines
/// on stderr (never a stack trace) and an exit code. Bad input (a config value, a corrupt file, a
/// directory in use) exits 2; anything else exits 1 and still names its type, so a bug is not mistaken
/// for bad input. <c>FATHOM_DEBUG=1</c> adds the stack trace of an unexpected exception.
/// </summary>
/// <remarks>
/// <see cref="Guard"/> wraps every subcommand's action once, in <see cref="Program.BuildRoot"/>, so a
/// command that forgets a catch still cannot print a trace: System.CommandLine's own handler (which
/// prints <c>Exception.ToString()</c>) is never reached.
/// </remarks>
internal static class CliErrors
{
    public const int ExitFailure = 1;
    public const int ExitInput = 2;

    /// <summary>Set to 1 to see the stack trace of an unexpected exception (bug reports).</summary>
    public const string DebugVariable = "FATHOM_DEBUG";

    /// <summary>Wraps the action of <paramref name="command"/> and of every subcommand below it.</summary>
    public static void Guard(Command command, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Action = command.Action switch
        {
            // Same kind as the original: the invocation pipeline treats sync and async actions differently
            // (process termination handling), and that must not change.
            SynchronousCommandLineAction sync => new GuardedSyncAction(sync, error),
            AsynchronousCommandLineAction async => new GuardedAsyncAction(async, error),
            var other => other,
        };
        foreach (var sub in command.Subcommands)
            Guard(sub, error);
    }

    /// <summary>Writes <paramref name="exception"/> as <c>error:</c> lines and returns the exit code.</summary>
    public static int Report(Exception exception, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        Exception ex = Unwrap(exception);
        int code;
        switch (ex)
        {
            case RunConfigException config:
                foreach (string e in config.Errors)
                    error.WriteLine("error: " + OneLine(e));
                error.Flush();
                return ExitInput;
            case HostInputException:
            case InvalidDataException:
            case FormatException:
            case JsonException:
            case FileNotFoundException:
            case DirectoryNotFoundException:
            case UnauthorizedAccessException:
            case IOException: // a file in use, unreadable or missing: the messages name it
                error.WriteLine("error: " + OneLine(ex.Message));
                code = ExitInput;
                break;
            case SqliteException sqlite:
                error.WriteLine("error: SQLite: " + OneLine(sqlite.Message));
                code = ExitInput;
                break;
            default:
                // A bug or an environment failure, not bad input: say what it was, never hide it.
                error.WriteLine($"error: unexpected {ex.GetType().FullName}: {OneLine(ex.Message)}" +
                    (Environment.GetEnvironmentVariable(DebugVariable) == "1" ? "" : $" (set {DebugVariable}=1 for the stack trace)"));
                if (Environment.GetEnvironmentVariable(DebugVariable) == "1")
                    error.WriteLine(ex.ToString());
                code = ExitFailure;
                break;
        }
        error.Flush();
        return code;
    }

    private static Exception Unwrap(Exception ex)
    {
        while (true)
        {
            switch (ex)
            {
                case AggregateException { InnerExceptions.Count: 1 } a:
                    ex = a.InnerExceptions[0];
                    continue;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }:
                    ex = inner;
                    continue;
                default:
                    return ex;
            }
        }
    }

    /// <summary>One line: an operator greps for <c>error:</c>, and a message must not smuggle in a second one.</summary>
    internal static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private sealed class GuardedSyncAction(SynchronousCommandLineAction inner, TextWriter error) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            try
            {
                return inner.Invoke(parseResult);
            }
            catch (Exception ex)
            {
                return Report(ex, error);
            }
        }
    }

    private sealed class GuardedAsyncAction(AsynchronousCommandLineAction inner, TextWriter error) : AsynchronousCommandLineAction
    {
        public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.InvokeAsync(parseResult, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw; // Ctrl+C or SIGTERM: the pipeline's own cancellation handling (exit 1, no output)
            }
            catch (Exception ex)
            {
                return Report(ex, error);
            }
        }
    }
}
