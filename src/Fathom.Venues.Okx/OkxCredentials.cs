using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// An OKX API key with its secret and passphrase (all three sign every private request, EXCHANGES.md §8.5).
/// Loaded from environment variables, never from configuration files that get printed, and never logged:
/// <see cref="ToString"/> shows only a short key prefix.
/// </summary>
public sealed class OkxCredentials
{
    public const string ApiKeyVariable = "FATHOM_OKX_API_KEY";
    public const string SecretVariable = "FATHOM_OKX_API_SECRET";
    public const string PassphraseVariable = "FATHOM_OKX_PASSPHRASE";

    public OkxCredentials(string apiKey, string secret, string passphrase)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
            ThrowHelper.ThrowArgument(nameof(apiKey), "API key is empty.");
        if (string.IsNullOrEmpty(secret))
            ThrowHelper.ThrowArgument(nameof(secret), "secret is empty.");
        if (string.IsNullOrEmpty(passphrase))
            ThrowHelper.ThrowArgument(nameof(passphrase), "passphrase is empty.");
        ApiKey = apiKey;
        Secret = secret;
        Passphrase = passphrase;
    }

    public string ApiKey { get; }
    internal string Secret { get; }
    internal string Passphrase { get; }

    /// <summary>
    /// From <c>FATHOM_OKX_API_KEY</c>, <c>FATHOM_OKX_API_SECRET</c> and <c>FATHOM_OKX_PASSPHRASE</c>. Null when none
    /// is set; throws naming the missing variables (never a value) when only some are.
    /// </summary>
    public static OkxCredentials? FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? key = getVariable(ApiKeyVariable), secret = getVariable(SecretVariable), passphrase = getVariable(PassphraseVariable);
        var missing = new List<string>(3);
        if (string.IsNullOrEmpty(key)) missing.Add(ApiKeyVariable);
        if (string.IsNullOrEmpty(secret)) missing.Add(SecretVariable);
        if (string.IsNullOrEmpty(passphrase)) missing.Add(PassphraseVariable);
        if (missing.Count == 3)
            return null;
        if (missing.Count > 0)
            throw new InvalidOperationException($"OKX credentials are half-configured: {string.Join(" and ", missing)} not set (set all of {ApiKeyVariable}, {SecretVariable} and {PassphraseVariable}).");
        return new OkxCredentials(key!, secret!, passphrase!);
    }

    /// <summary>Safe to log: the first 4 characters of the API key; the secret and passphrase only as "set".</summary>
    public override string ToString() => $"okx api key {ApiKey[..Math.Min(4, ApiKey.Length)]}…({ApiKey.Length} chars), secret set, passphrase set";
}
