using Xunit;

namespace Fathom.Venues.Okx.Tests.OrderEntry;

/// <summary>
/// OKX signing. EXCHANGES.md §8.5 gives the recipes but no vectors, so these were computed independently with
/// python3 (hmac, hashlib, base64): <c>base64.b64encode(hmac.new(secret.encode(), prehash.encode(), hashlib.sha256).digest())</c>.
/// </summary>
public class OkxSigningTests
{
    public const string Secret = "22582BD0CFF14C41EDBF1AB98506286D";
    public const string LoginVector = "+LdIr8lkkvhr5hoA3g9TMC0+uQJ849ftAcocA/ouu4M=";

    [Fact]
    public void SignLogin_MatchesIndependentVector()
    {
        Assert.Equal(LoginVector, new OkxSigner(Secret).SignLogin(1538054050));
    }

    [Theory]
    [InlineData("GET", "/api/v5/account/balance?ccy=BTC", "", "HiZhvSfMtWJA3uUIVXV3a/bSXNPCWvYFXoGCVS8V4zY=")]
    [InlineData("POST", "/api/v5/trade/order", "{\"instId\":\"BTC-USDT\",\"tdMode\":\"cash\",\"side\":\"buy\",\"ordType\":\"limit\",\"px\":\"2.15\",\"sz\":\"2\"}",
        "iwrdSpN7pm4G4u8+fswZUyH6mOM48+sBF6WvKpj4Dvk=")]
    public void SignRest_MatchesIndependentVectors(string method, string path, string body, string expected)
    {
        Assert.Equal(expected, new OkxSigner(Secret).SignRest("2020-12-08T09:08:57.715Z", method, path, body));
    }

    [Fact]
    public void IsoTimestamp_IsUtcWithMilliseconds()
    {
        Assert.Equal("2020-12-08T09:08:57.715Z", OkxSigner.IsoTimestamp(1607418537715));
        Assert.Equal("1970-01-01T00:00:00.000Z", OkxSigner.IsoTimestamp(0));
    }

    [Fact]
    public void Credentials_NeverPrintTheSecretOrPassphrase()
    {
        var c = new OkxCredentials("abcdefgh-key", "very-secret-value", "my-passphrase");
        string text = c.ToString();
        Assert.DoesNotContain("very-secret-value", text);
        Assert.DoesNotContain("my-passphrase", text);
        Assert.DoesNotContain("abcdefgh-key", text);
        Assert.StartsWith("okx api key abcd", text);
    }

    [Fact]
    public void Credentials_FromEnvironment_HalfConfiguredIsAClearError()
    {
        var vars = new Dictionary<string, string?> { [OkxCredentials.ApiKeyVariable] = "k", [OkxCredentials.SecretVariable] = "s" };
        var ex = Assert.Throws<InvalidOperationException>(() => OkxCredentials.FromEnvironment(n => vars.GetValueOrDefault(n)));
        Assert.Contains(OkxCredentials.PassphraseVariable, ex.Message);
        Assert.DoesNotContain("\"s\"", ex.Message);
        Assert.Null(OkxCredentials.FromEnvironment(_ => null));
        vars[OkxCredentials.PassphraseVariable] = "p";
        Assert.Equal("k", OkxCredentials.FromEnvironment(n => vars.GetValueOrDefault(n))!.ApiKey);
    }
}
