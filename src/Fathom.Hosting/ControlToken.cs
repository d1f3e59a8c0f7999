using System.Security.Cryptography;
using System.Text;
using Fathom.Core;

namespace Fathom.Hosting;

/// <summary>
/// The secret every <c>POST /control/{action}</c> must present as <c>Authorization: Bearer &lt;token&gt;</c>.
/// <see cref="Provision"/> takes it from <see cref="Variable"/> when set, otherwise makes a new one
/// (32 random bytes as hex) at each start and writes it to <c>control.token</c> in the state directory,
/// mode 0600: whoever can read that file (the operator's account) can drive the engine, a web page cannot.
/// </summary>
/// <remarks>The token is never printed or logged; only the path of its file is.</remarks>
public static class ControlToken
{
    public const string Variable = "FATHOM_CONTROL_TOKEN";
    public const string FileName = "control.token";
    /// <summary>A token from the environment must be at least this long (a generated one is 64 hex characters).</summary>
    public const int MinLength = 32;

    /// <summary>The token to require, and the file it was written to (null when it came from <see cref="Variable"/>).</summary>
    public static (string Token, string? Path) Provision(string stateDirectory, Func<string, string?> getVariable)
    {
        ArgumentException.ThrowIfNullOrEmpty(stateDirectory);
        ArgumentNullException.ThrowIfNull(getVariable);
        string path = System.IO.Path.Combine(stateDirectory, FileName);
        string? fromEnvironment = getVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (fromEnvironment.Length < MinLength || !fromEnvironment.All(IsToken68))
                throw new HostInputException($"{Variable} must be at least {MinLength} characters of A-Z, a-z, 0-9, '-', '.', '_', '~', '+', '/' " +
                    "(e.g. export FATHOM_CONTROL_TOKEN=$(openssl rand -hex 32)); its value is not shown");
            // A file left by an earlier run would hold a token that no longer works.
            File.Delete(path);
            return (fromEnvironment, null);
        }
        string token = Generate();
        WriteFile(path, token);
        return (token, path);
    }

    /// <summary>32 bytes from the OS's cryptographic generator, as 64 lowercase hex characters.</summary>
    public static string Generate() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>Writes <paramref name="token"/> (no newline) to <paramref name="path"/>, readable and writable by the owner only.</summary>
    public static void WriteFile(string path, string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(token);
        // A fresh file created 0600 (never a wider file narrowed later), then renamed over the old one and the
        // directory synced: no moment where the token sits in a file others may read, never through a planted
        // symlink, and a power loss leaves the old token or the new one.
        DurableFile.Replace(path, Encoding.ASCII.GetBytes(token), UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// True when <paramref name="presented"/> is the token. Both are hashed first and the digests compared
    /// with <see cref="CryptographicOperations.FixedTimeEquals"/>: the time taken says nothing about how much
    /// of a guess was right, nor about the token's length.
    /// </summary>
    public static bool Matches(string expected, string? presented)
    {
        ArgumentException.ThrowIfNullOrEmpty(expected);
        if (presented is null)
            return false;
        Span<byte> want = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> got = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(expected), want);
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), got);
        return CryptographicOperations.FixedTimeEquals(want, got);
    }

    /// <summary>The characters of RFC 6750's bearer token (token68), so a token always fits an Authorization header.</summary>
    private static bool IsToken68(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '+' or '/';
}
