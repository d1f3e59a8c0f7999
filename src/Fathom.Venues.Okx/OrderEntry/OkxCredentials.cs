using Fathom.Core;

namespace Fathom.Venues.Okx;

/// <summary>
/// An OKX v5 API key, its secret and its passphrase (all three sign or accompany every private request,
/// EXCHANGES.md §8.5). Loaded from environment variables, never from configuration files that get printed,
/// and never logged: <see cref="ToString"/> redacts everything but a short key prefix.
/// </summary>
public sealed class OkxCredentials
{
    public const string ApiKeyVariable = "FATHOM_OKX_API_KEY";
    public const string SecretVariable = "FATHOM_OKX_API_SECRET";
    public const string PassphraseVariable = "FATHOM_OKX_API_PASSPHRASE";

    public OkxCredentials(string apiKey, string secret, string passphrase)
    {
        if (string.IsNullOrWhiteSpace(apiKey))
            ThrowHelper.ThrowArgument(nameof(apiKey), "API key is empty.");
        if (string.IsNullOrEmpty(secret))
            ThrowHelper.ThrowArgument(nameof(secret), "API secret is empty.");
        if (string.IsNullOrEmpty(passphrase))
            ThrowHelper.ThrowArgument(nameof(passphrase), "API passphrase is empty.");
        ApiKey = apiKey;
        Secret = secret;
        Passphrase = passphrase;
    }

    public string ApiKey { get; }
    internal string Secret { get; }
    internal string Passphrase { get; }

    /// <summary>
    /// From <c>FATHOM_OKX_API_KEY</c>, <c>FATHOM_OKX_API_SECRET</c> and <c>FATHOM_OKX_API_PASSPHRASE</c>. Null when
    /// none is set; throws with a clear message (naming the variables, never their values) when only some are.
    /// </summary>
    public static OkxCredentials? FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? key = getVariable(ApiKeyVariable), secret = getVariable(SecretVariable), pass = getVariable(PassphraseVariable);
        bool any = !string.IsNullOrEmpty(key) || !string.IsNullOrEmpty(secret) || !string.IsNullOrEmpty(pass);
        if (!any)
            return null;
        if (string.IsNullOrEmpty(key) || string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(pass))
            throw new InvalidOperationException($"OKX credentials are half-configured: set all of {ApiKeyVariable}, {SecretVariable} and {PassphraseVariable}.");
        return new OkxCredentials(key, secret, pass);
    }

    /// <summary>Safe to log: the first 4 characters of the API key.</summary>
    public override string ToString() => $"okx api key {ApiKey[..Math.Min(4, ApiKey.Length)]}…({ApiKey.Length} chars), secret set, passphrase set";
}
