using System.Text.Json;

namespace Fathom.Integration.Tests;

/// <summary>
/// The second simulator account: it trades against our resting quotes, in bursts, at moments the test picks
/// (while the run lives, and while it is dead, against the orders the killed run left on the book). Each
/// order is an IOC limit at the price of one of our orders for the whole depth up to and including that
/// price, so it fills ours (whatever rests ahead of it too). It prefers our orders whose fill takes our
/// position back towards zero, so the position stays inside the strategy's limits over a long soak.
/// </summary>
public sealed partial class CrashChaosTests
{
    private long _takerOrders;
    private long _takerErrors;

    /// <summary>Sends up to <paramref name="count"/> IOC orders at once against our open orders; returns how many were sent.</summary>
    private async Task<int> TakerBurstAsync(int count)
    {
        var open = (await VenueOpenOrdersAsync()).Where(o => TryOurs(o.ClientOrderId, out _)).ToList();
        if (open.Count == 0)
            return 0;
        long position = await VenueBaseBalanceAsync() - InitialBase;
        var depth = await _taker!.PublicAsync($"/api/v3/depth?symbol={Symbol}&limit=100");
        // Long: hit our asks (we sell) more often than our bids, and the other way round.
        string reducing = position > 0 ? "SELL" : "BUY";
        var picks = open.OrderBy(o => (o.Side == reducing ? 0 : 1) + _picks.NextDouble() * 1.4).Take(count).ToList();
        var sends = new List<Task>();
        foreach (var ours in picks)
        {
            long price = Raw8(ours.Price);
            // Our buy is hit by a sell through every bid at or above its price, and the other way round.
            var levels = depth.GetProperty(ours.Side == "BUY" ? "bids" : "asks").EnumerateArray()
                .Select(l => (Price: Raw8(l[0].GetString()!), Qty: Raw8(l[1].GetString()!)))
                .TakeWhile(l => ours.Side == "BUY" ? l.Price >= price : l.Price <= price);
            long qty = Math.Min(levels.Sum(l => l.Qty), MaxTakeQty);
            if (qty <= 0)
                continue;
            string side = ours.Side == "BUY" ? "SELL" : "BUY";
            sends.Add(TakeAsync($"symbol={Symbol}&side={side}&type=LIMIT&timeInForce=IOC&quantity={Dec(qty)}&price={ours.Price}&newOrderRespType=ACK"));
        }
        await Task.WhenAll(sends);
        return sends.Count;
    }

    private async Task TakeAsync(string parameters)
    {
        Interlocked.Increment(ref _takerOrders);
        try
        {
            await _taker!.SignedAsync(HttpMethod.Post, "/api/v3/order", parameters);
        }
        catch (HttpRequestException ex)
        {
            // A refused take (a filter, the book moved) is not the engine's business; counted and shown.
            if (Interlocked.Increment(ref _takerErrors) <= 5)
                Log($"  taker: {ex.Message}");
        }
        catch (JsonException)
        {
            Interlocked.Increment(ref _takerErrors);
        }
    }
}
