namespace Fathom.Hosting;

/// <summary>
/// An input the operator gave (a file, a directory, an environment variable) cannot be used. The message
/// is the whole explanation on one line, naming the input and what to do; <c>CliErrors</c> prints
/// it as <c>error: …</c> and exits with code 2 (nothing was done).
/// </summary>
public sealed class HostInputException : Exception
{
    public HostInputException(string message)
        : base(message)
    {
    }

    public HostInputException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
