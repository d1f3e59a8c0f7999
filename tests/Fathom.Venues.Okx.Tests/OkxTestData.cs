using System.Globalization;
using System.Text;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Okx.Tests;

/// <summary>Instruments and hand-built OKX messages shared by the tests.</summary>
internal static class OkxTestData
{
    /// <summary>BTC-USDT as OKX's instrument list gives it: tickSz 0.1, lotSz 0.00000001.</summary>
    public static InstrumentSpec BtcUsdt { get; } = new InstrumentSpec
    {
        Symbol = "BTC-USDT",
        Venue = Venue.Okx,
        PriceDecimals = 1,
        QtyDecimals = 8,
        TickSize = new Price(1),
        StepSize = new Qty(1),
    }.Validate();

    public static (OkxInstrumentTable Table, OkxInstrument Instrument) Table()
    {
        var table = new OkxInstrumentTable();
        return (table, table.Add(BtcUsdt));
    }

    public static string Levels((string Px, string Sz)[] levels) =>
        string.Join(",", levels.Select(l => $"[\"{l.Px}\",\"{l.Sz}\",\"0\",\"1\"]"));

    /// <summary>A <c>books</c> message; <paramref name="prev"/>/<paramref name="seq"/> null leave the ids out (as in the 2022 capture).</summary>
    public static byte[] Books(string action, long? prev, long? seq, (string, string)[] bids, (string, string)[] asks, int checksum = 0)
    {
        var ids = new StringBuilder();
        if (prev is not null) ids.Append(CultureInfo.InvariantCulture, $",\"prevSeqId\":{prev}");
        if (seq is not null) ids.Append(CultureInfo.InvariantCulture, $",\"seqId\":{seq}");
        return Encoding.UTF8.GetBytes("{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT\"},\"action\":\"" + action + "\",\"data\":[{\"asks\":[" +
            Levels(asks) + "],\"bids\":[" + Levels(bids) + "],\"ts\":\"1700000000000\",\"checksum\":" + checksum.ToString(CultureInfo.InvariantCulture) + ids + "}]}");
    }

    public static byte[] Update(long prev, long seq, (string, string)[] bids, (string, string)[] asks, int checksum = 0) =>
        Books("update", prev, seq, bids, asks, checksum);

    public static byte[] Snapshot(long seq, (string, string)[] bids, (string, string)[] asks, int checksum = 0) =>
        Books("snapshot", -1, seq, bids, asks, checksum);

    /// <summary>A pipeline: parser → router → one BookSync with the OKX rule and checksum.</summary>
    public sealed class Pipeline
    {
        public Pipeline()
        {
            (OkxInstrumentTable table, OkxInstrument instrument) = Table();
            Instrument = instrument;
            Parser = new OkxStreamParser(table);
            Sync = OkxBooks.CreateSync(instrument, observer: Transitions.Add);
            Router = new MarketDataRouter(table.Count);
            Router.Add(Sync);
        }

        public OkxInstrument Instrument { get; }
        public OkxStreamParser Parser { get; }
        public BookSync Sync { get; }
        public MarketDataRouter Router { get; }
        public List<SyncTransition> Transitions { get; } = [];
        private long _now = 1;

        public MarketDataError Feed(byte[] frame)
        {
            MarketDataRouter router = Router;
            return Parser.ParseFrame(frame, _now++, ref router);
        }

        public MarketDataError FeedRest(string json)
        {
            MarketDataRouter router = Router;
            return Parser.ParseRestBooks(Encoding.UTF8.GetBytes(json), Instrument, 400, _now++, ref router);
        }
    }
}
