using System.Text;
using Fathom.Venues.Okx;
using Xunit;

namespace Fathom.Venues.Okx.Tests;

/// <summary><c>public/instruments</c> read with what order entry needs: <c>instIdCode</c> (number or string) and the currencies.</summary>
public sealed class OkxListedInstrumentTests
{
    private const string Answer = """
        {"code":"0","msg":"","data":[
          {"instType":"SPOT","instId":"BTC-USDT","instIdCode":100001,"baseCcy":"BTC","quoteCcy":"USDT","tickSz":"0.1","lotSz":"0.00000001","minSz":"0.00001","state":"live"},
          {"instType":"SPOT","instId":"ETH-USDT","instIdCode":"100002","baseCcy":"ETH","quoteCcy":"USDT","tickSz":"0.01","lotSz":"0.000001","minSz":"0.001","state":"live"},
          {"instType":"SPOT","instId":"OLD-USDT","baseCcy":"OLD","quoteCcy":"USDT","tickSz":"0.01","lotSz":"1","minSz":"1","state":"suspend"}
        ]}
        """;

    [Fact]
    public void ParseListed_ReadsInstIdCodeCurrenciesAndTheSameSpecAsParse()
    {
        var listed = new Dictionary<string, OkxListedInstrument>(StringComparer.Ordinal);
        OkxInstruments.ParseListed(Encoding.UTF8.GetBytes(Answer), listed);
        var specs = new Dictionary<string, Fathom.Core.InstrumentSpec>(StringComparer.Ordinal);
        OkxInstruments.Parse(Encoding.UTF8.GetBytes(Answer), specs);

        Assert.Equal(100001, listed["BTC-USDT"].InstIdCode);
        Assert.Equal(100002, listed["ETH-USDT"].InstIdCode); // a numeric string is read too
        Assert.Equal(0, listed["OLD-USDT"].InstIdCode); // none given: 0, which a run refuses to trade
        Assert.Equal(("ETH", "USDT"), (listed["ETH-USDT"].BaseCcy, listed["ETH-USDT"].QuoteCcy));
        foreach (var (instId, spec) in specs)
            Assert.Equal(spec, listed[instId].Spec);

        var order = listed["BTC-USDT"].ToOrderInstrument(3);
        Assert.Equal(new OkxOrderInstrument(3, "BTC-USDT", 100001, 1, 8, "BTC", "USDT"), order);
    }
}
