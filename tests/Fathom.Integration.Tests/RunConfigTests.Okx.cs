using System.Text.Json.Nodes;
using Fathom.Hosting;
using Fathom.Hosting.Run;
using Xunit;

namespace Fathom.Integration.Tests;

/// <summary>The OKX venue names in the run config, and the refusal while OKX order entry is not composed (issue 19).</summary>
public sealed partial class RunConfigTests
{
    [Theory]
    [InlineData("okx-demo")]
    [InlineData("okx")]
    [InlineData("okx-custom")]
    public void Parse_OkxVenue_RefusedClearlyUntilOrderEntryExists(string venue)
    {
        var root = Valid();
        root.Remove("streamUrl");
        root.Remove("wsApiUrl");
        if (venue != "okx-custom")
            root.Remove("restUrl");
        else
        {
            root["publicWsUrl"] = "ws://127.0.0.1:1/ws/v5/public";
            root["privateWsUrl"] = "ws://127.0.0.1:1/ws/v5/private";
        }
        root["venue"] = venue;
        var ex = Refused(root);
        string error = Assert.Single(ex.Errors);
        Assert.Contains($"$.venue: '{venue}' is OKX", error);
        Assert.Contains(OkxVenue.OrderEntryUnavailable, error);
        Assert.False(OkxVenue.SupportsOrderEntry);
    }

    [Fact]
    public void Parse_OkxCustomWithoutPublicWsUrl_NamesTheMissingUrl()
    {
        var root = Valid();
        root.Remove("streamUrl");
        root.Remove("wsApiUrl");
        root["venue"] = "okx-custom";
        root["privateWsUrl"] = "ws://127.0.0.1:1/ws/v5/private";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("$.publicWsUrl: required for venue 'okx-custom'"));
    }

    [Fact]
    public void Parse_OkxUrlsWithBinanceVenue_Refused()
    {
        var root = Valid();
        root["publicWsUrl"] = "ws://127.0.0.1:1/ws/v5/public";
        var ex = Refused(root);
        Assert.Contains(ex.Errors, e => e.Contains("explicit OKX URLs are only for venue 'okx-custom'"));
    }

    [Fact]
    public void OkxVenue_CreateOrderEntry_RefusesWithTheIssue()
    {
        using var http = new HttpClient();
        var venue = new OkxVenue("okx-demo", Fathom.Venues.Okx.OkxEndpoints.Demo, http, TimeProvider.System);
        var ex = Assert.Throws<NotSupportedException>(() => venue.CreateOrderEntry(null!, null!, null));
        Assert.Equal(OkxVenue.OrderEntryUnavailable, ex.Message);
    }
}
