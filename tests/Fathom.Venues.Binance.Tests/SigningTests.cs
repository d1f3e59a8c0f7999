using System.Text;
using Fathom.Testing;
using Xunit;

namespace Fathom.Venues.Binance.Tests;

/// <summary>Signing against the official vectors in EXCHANGES.md §5 and RFC 8032.</summary>
[Collection(AllocationCollection.Name)]
public class SigningTests
{
    private const string ApiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    private const string Secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    [Theory]
    [InlineData("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")]
    [InlineData("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
        "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")]
    [InlineData("apiKey=" + ApiKey + "&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
        "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24")]
    [InlineData("apiKey=" + ApiKey + "&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
        "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd")]
    public void Hmac_MatchesOfficialVectors(string payload, string expected) =>
        Assert.Equal(expected, new HmacSigner(Secret).Sign(payload));

    [Fact]
    public void QueryBuilder_PercentEncodesValues_SoR2SignsAsBinanceExpects()
    {
        Span<byte> buffer = stackalloc byte[512];
        var q = new BinanceQueryBuilder(buffer);
        q.Add("symbol"u8, Encoding.UTF8.GetBytes("１２３４５６"));
        q.Add("side"u8, "BUY"u8);
        q.Add("type"u8, "LIMIT"u8);
        q.Add("timeInForce"u8, "GTC"u8);
        q.Add("quantity"u8, "1"u8);
        q.Add("price"u8, "0.1"u8);
        q.Add("recvWindow"u8, 5000);
        q.Add("timestamp"u8, 1499827319559);
        string query = Encoding.ASCII.GetString(q.Written);
        Assert.Equal("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559", query);
        Assert.Equal("e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3", new HmacSigner(Secret).Sign(query));
    }

    [Fact]
    public void QueryBuilder_EncodesReservedCharacters()
    {
        Span<byte> buffer = stackalloc byte[128];
        var q = new BinanceQueryBuilder(buffer);
        q.Add("newClientOrderId"u8, "a b+c/d=e&f~g_h-i.j"u8);
        Assert.Equal("newClientOrderId=a%20b%2Bc%2Fd%3De%26f~g_h-i.j", Encoding.ASCII.GetString(q.Written));
    }

    [Fact]
    public void Ed25519_Rfc8032Vector1()
    {
        // RFC 8032 §7.1 TEST 1: empty message.
        byte[] seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var signer = new Ed25519Signer(seed);
        Assert.Equal("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", Convert.ToHexStringLower(signer.PublicKey));
        Span<byte> sig = stackalloc byte[64];
        signer.Sign([], sig);
        Assert.Equal("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            Convert.ToHexStringLower(sig));
        Assert.True(Ed25519Signer.Verify(signer.PublicKey, [], sig));
        sig[0] ^= 1;
        Assert.False(Ed25519Signer.Verify(signer.PublicKey, [], sig));
    }

    [Fact]
    public void Ed25519_SignatureIsBase64Of64Bytes()
    {
        using var signer = new Ed25519Signer(new byte[32]);
        string sig = signer.SignBase64("apiKey=x&timestamp=1");
        Assert.Equal(Ed25519Signer.SignatureBase64Length, sig.Length);
        Assert.True(Ed25519Signer.Verify(signer.PublicKey, "apiKey=x&timestamp=1"u8, Convert.FromBase64String(sig)));
    }

    [Fact]
    public void Credentials_NeverPrintTheSecret()
    {
        var c = new BinanceCredentials(ApiKey, Secret, new byte[32]);
        string text = c.ToString();
        Assert.DoesNotContain(Secret, text);
        Assert.DoesNotContain(ApiKey, text);
        Assert.StartsWith("api key vmPU", text);
    }

    [Fact]
    public void Credentials_FromEnvironment_RequireKeyAndSecretTogether()
    {
        var env = new Dictionary<string, string?> { [BinanceCredentials.ApiKeyVariable] = ApiKey };
        Assert.Throws<InvalidOperationException>(() => BinanceCredentials.FromEnvironment(k => env.GetValueOrDefault(k)));
        env[BinanceCredentials.HmacSecretVariable] = Secret;
        Assert.True(BinanceCredentials.FromEnvironment(k => env.GetValueOrDefault(k))!.HasHmac);
        Assert.Null(BinanceCredentials.FromEnvironment(_ => null));
        var onlySecret = new Dictionary<string, string?> { [BinanceCredentials.HmacSecretVariable] = Secret };
        Assert.Throws<InvalidOperationException>(() => BinanceCredentials.FromEnvironment(k => onlySecret.GetValueOrDefault(k)));
    }

    [Fact]
    public void Credentials_Ed25519KeyFile_RawSeedAndPem()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-keys").FullName;
        try
        {
            string raw = Path.Combine(dir, "raw.key");
            File.WriteAllText(raw, Convert.ToBase64String(new byte[32]));
            Assert.Equal(32, Ed25519Signer.ReadPrivateKeyFile(raw).Length);
            string bad = Path.Combine(dir, "bad.key");
            File.WriteAllText(bad, Convert.ToBase64String(new byte[31]));
            Assert.Throws<InvalidDataException>(() => Ed25519Signer.ReadPrivateKeyFile(bad));
            // openssl genpkey -algorithm ed25519 output for the RFC 8032 test 1 key.
            string pem = Path.Combine(dir, "key.pem");
            File.WriteAllText(pem, "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n");
            Assert.Equal("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", Convert.ToHexStringLower(Ed25519Signer.ReadPrivateKeyFile(pem)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void HmacSign_DoesNotAllocate()
    {
        var signer = new HmacSigner(Secret);
        byte[] payload = Encoding.ASCII.GetBytes("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559");
        byte[] output = new byte[HmacSigner.SignatureLength];
        AllocationAssert.Zero((signer, payload, output), static s =>
        {
            for (int i = 0; i < 100; i++)
                s.signer.Sign(s.payload, s.output);
        });
    }
}
