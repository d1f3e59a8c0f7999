using System.CommandLine;
using Fathom.Hosting;

namespace Fathom.Cli;

/// <summary><c>fathom replay --journal FILE</c>: the command around <see cref="JournalReplay"/>.</summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var journal = new Option<FileInfo>("--journal") { Description = "Journal written by `fathom demo --journal` or `fathom run --journal`.", Required = true };
        var command = new Command("replay", "Replay an input journal through a fresh core and check it reproduces the same commands byte for byte.") { journal };
        command.SetAction(parse =>
        {
            FileInfo file = parse.GetValue(journal)!;
            if (!file.Exists)
            {
                error.WriteLine($"error: no journal at {file.FullName}");
                return 2;
            }
            try
            {
                JournalReplay.Result r = JournalReplay.Run(file.FullName);
                output.WriteLine($"replayed {r.Inputs} inputs: {r.ReplayedCommands} commands (journal: {r.ExpectedCommands})");
                if (r.JournalProblem is not null)
                    output.WriteLine($"journal incomplete: {r.JournalProblem}");
                if (r.FirstDifference is not null)
                    output.WriteLine($"DIFFERENT: {r.FirstDifference}");
                else if (r.Identical)
                    output.WriteLine("identical command stream");
                // The verdict on stderr too, in one line: a script sees why the exit code is 1.
                if (r.JournalProblem is not null)
                    error.WriteLine($"error: {file.FullName} is incomplete: {r.JournalProblem}; the replay covers only what was readable");
                else if (!r.Identical)
                    error.WriteLine($"error: the replay of {file.FullName} differs from the journal: {CliErrors.OneLine(r.FirstDifference ?? "a different number of commands")}");
                return r.Identical ? 0 : 1;
            }
            catch (InvalidDataException ex)
            {
                error.WriteLine($"error: {CliErrors.OneLine(ex.Message)}");
                return 2;
            }
        });
        return command;
    }

}
