using System.Text.Json.Nodes;
using Fathom.Core;
using Fathom.Hosting;
using Fathom.Testing;
using Fathom.Venues.Binance;
using Xunit;

namespace Fathom.Backtest.Tests;

public sealed class BacktesterTests
{
    [Fact]
    public void Run_StrategyTimer_FiresAtVirtualTimeThroughTheWholeRecording()
    {
        var fired = new List<long>();
        TimerProbe? probe = null;
        var catalog = StrategyCatalog.CreateDefault().Add("timer-probe", args => probe = new TimerProbe(args.InstrumentIds, fired));
        JsonObject json = BacktestConfigs.MarketMaker(end: null, files: SharedData.BinanceSpotDays);
        json["strategy"] = new JsonObject { ["name"] = "timer-probe" };
        BacktestConfig config = BacktestConfigs.Parse(json, catalog);

        BacktestResult result = BacktestConfigs.Run(config, out _, catalog).Result;

        // The strategy started at the first message's virtual time (the venue sees it first, at exchange time on the
        // recording's clock: a few ms before it was received), not the wall clock's.
        Assert.Equal(result.Run.StartNs, probe!.StartedNs);
        Assert.InRange(result.Run.StartNs, BacktestConfigs.FirstMessageNs - 50_000_000, BacktestConfigs.FirstMessageNs);
        // Each fire is due one period after the last, and comes with the next engine timer input (every 20 ms).
        long previous = probe.StartedNs;
        foreach (long t in fired)
        {
            Assert.InRange(t - previous, TimerProbe.PeriodNs, TimerProbe.PeriodNs + config.TimerPeriodNs);
            previous = t;
        }
        // About 10.8 minutes of recording: one fire a second, all of it run in this test.
        long span = result.Run.EndNs - result.Run.StartNs;
        Assert.InRange(span, 10 * 60_000_000_000L, 11 * 60_000_000_000L);
        Assert.InRange(fired.Count, span / (TimerProbe.PeriodNs + config.TimerPeriodNs), span / TimerProbe.PeriodNs);
        Assert.Empty(result.Orders);
    }

    [Fact]
    public void Run_MarketMakerOnRecordedDay_ResultMatchesWhatTheVenueReported()
    {
        // The whole first file: 2024-08-08 23:54:13.937 to 23:59:59.999.
        BacktestConfig config = BacktestConfigs.Parse(BacktestConfigs.MarketMaker(end: null));

        BacktestOutcome outcome = BacktestConfigs.Run(config, out TradeThroughVenue venue);
        BacktestResult result = outcome.Result;

        Assert.Null(outcome.StrategyError);
        Assert.Null(outcome.HaltReason);
        Assert.Equal(0, outcome.IllegalTransitions);
        Assert.False(venue.SawTimeGoBack);
        Assert.True(result.Fills.Count > 0, "the market maker got no fill in six minutes of BTCUSDT");
        Assert.Equal(venue.FillsSent, result.Fills.Count);
        // One order row per new order the core sent (a place, or a cancel-replace's new leg).
        Assert.Equal(venue.PlacesReceived, result.Orders.Count);
        Assert.Equal(venue.AcksSent, result.Orders.Count(o => o.AckNs > 0));
        Assert.Equal(venue.FillsSent, result.Orders.Count(o => o.Outcome == BacktestOrderOutcome.Filled));
        Assert.Equal(venue.CancelsSent, result.Orders.Count(o => o.Outcome == BacktestOrderOutcome.Canceled));
        Assert.Equal(result.Fills.Sum(f => f.Qty), result.Orders.Sum(o => o.FilledQty));
        Assert.All(result.Orders, o => Assert.True(o.AckNs == 0 || o.AckNs >= o.SentNs + 4_000_000, "an ack came back faster than 2 + 2 ms"));
        Assert.All(result.Fills, f => Assert.Equal(Math.Round(f.Price * f.Qty * 0.0001m, 8), f.Fee));
        // Time order, inside the window; marks once a second while the book was live.
        Assert.True(result.Fills.Zip(result.Fills.Skip(1)).All(p => p.First.TimeNs <= p.Second.TimeNs));
        Assert.InRange(result.Marks.Count, 340, 347);
        Assert.All(result.Marks, m => Assert.InRange(m.Mid, 60_000m, 63_000m));
        // Events as the store benchmark counts them: every level the venue was given, every trade, and the file's
        // 28,040 bookTicker messages (docs: PROVENANCE.md), which are the core's business only.
        Assert.Equal(9_757, venue.Trades);
        Assert.Equal(venue.Levels + venue.Trades + 28_040, result.Run.Events);
        // The venue gets every bookTicker that is newer than the depth it has (its update id past the last diff's or
        // the snapshot's), so its touch is as fresh as the core's.
        Assert.Equal(NewerTickers(SharedData.BinanceSpotDays[0]), venue.Tickers);
    }

    /// <summary>The bookTickers of an hftbacktest file whose update id is past the last depth update before them.</summary>
    private static long NewerTickers(string file)
    {
        long book = 0, newer = 0;
        foreach (byte[] line in SharedData.ReadLines(file))
        {
            using var json = System.Text.Json.JsonDocument.Parse(line.AsMemory(Array.IndexOf(line, (byte)' ') + 1));
            var root = json.RootElement;
            if (root.TryGetProperty("lastUpdateId", out var snapshotId))
            {
                book = snapshotId.GetInt64();
                continue;
            }
            string stream = root.GetProperty("stream").GetString()!;
            if (stream.EndsWith("@depth@100ms", StringComparison.Ordinal))
                book = root.GetProperty("data").GetProperty("u").GetInt64();
            else if (stream.EndsWith("@bookTicker", StringComparison.Ordinal) && root.GetProperty("data").GetProperty("u").GetInt64() > book)
                newer++;
        }
        return newer;
    }

    [Fact]
    public void Run_SameConfigTwice_GivesByteIdenticalResultJson()
    {
        BacktestConfig config = BacktestConfigs.Parse(BacktestConfigs.MarketMaker(end: "2024-08-08T23:56:30Z"));

        byte[] first = BacktestResultJson.Serialize(BacktestConfigs.Run(config, out _).Result);
        byte[] second = BacktestResultJson.Serialize(BacktestConfigs.Run(config, out _).Result);

        Assert.True(BacktestResultJson.Deserialize(first).Fills.Count > 0);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Run_BinaryStoreOfTheSameDay_GivesTheSameResultAsTheJson()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-bt-").FullName;
        try
        {
            string store = Path.Combine(dir, "btcusdt_20240808.fathomstore");
            BacktestConfig json = BacktestConfigs.Parse(BacktestConfigs.MarketMaker(end: "2024-08-08T23:56:30Z"));
            using (var output = File.Create(store))
                BinanceStoreConverter.ConvertHftBacktest([SharedData.BinanceSpotDays[0]], json.Specs[0], 1000, output);
            JsonObject storeJson = BacktestConfigs.MarketMaker(end: "2024-08-08T23:56:30Z");
            storeJson["data"] = new JsonArray(new JsonObject { ["kind"] = "fathom-store", ["files"] = new JsonArray(store) });
            BacktestConfig fromStore = BacktestConfigs.Parse(storeJson);

            BacktestResult a = BacktestConfigs.Run(json, out _).Result;
            BacktestResult b = BacktestConfigs.Run(fromStore, out _).Result;

            Assert.True(a.Fills.Count > 0);
            Assert.Equal(BacktestResultJson.Serialize(a), BacktestResultJson.Serialize(b));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Run_FathomRecordingOfTheSameDay_GivesTheSameResultAsTheJson()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-bt-").FullName;
        try
        {
            // The day as `fathom record` would have written it: each frame and the snapshot with its receive time.
            string recording = Path.Combine(dir, "btcusdt.fathomrec");
            using (var writer = Fathom.MarketData.RecordingWriter.Create(recording))
            {
                foreach (byte[] line in SharedData.ReadLines(SharedData.BinanceSpotDays[0]))
                {
                    int space = Array.IndexOf(line, (byte)' ');
                    long receiveNs = long.Parse(line.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture);
                    ReadOnlySpan<byte> json = line.AsSpan(space + 1);
                    Assert.True(json.StartsWith("{\"lastUpdateId\""u8)
                        ? writer.TryAppendSnapshot(receiveNs, "BTCUSDT", 1000, json)
                        : writer.TryAppendFrame(receiveNs, json, 1));
                    if (writer.RecordsAppended % 1000 == 0)
                        writer.Flush();
                }
            }
            BacktestConfig fromJson = BacktestConfigs.Parse(BacktestConfigs.MarketMaker(end: "2024-08-08T23:56:30Z"));
            JsonObject recordingJson = BacktestConfigs.MarketMaker(end: "2024-08-08T23:56:30Z");
            recordingJson["data"] = new JsonArray(new JsonObject { ["kind"] = "fathom-recording", ["files"] = new JsonArray(recording) });
            BacktestConfig fromRecording = BacktestConfigs.Parse(recordingJson);

            BacktestResult a = BacktestConfigs.Run(fromJson, out _).Result;
            BacktestResult b = BacktestConfigs.Run(fromRecording, out _).Result;

            Assert.True(a.Fills.Count > 0);
            Assert.Equal(BacktestResultJson.Serialize(a), BacktestResultJson.Serialize(b));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Run_DataOfAnotherSymbol_SaysItsBookNeverMoved()
    {
        // The BTCUSDT day configured as ETHUSDT: hftbacktest's snapshot lines carry no symbol, so it makes a Live book of
        // the wrong market that none of the day's diffs (all BTCUSDT) moves. The run completes; the outcome says why its
        // results mean nothing, and a run on the right symbol says nothing.
        JsonObject json = BacktestConfigs.MarketMaker(end: "2024-08-08T23:55:00Z");
        JsonObject instrument = json["instruments"]![0]!.AsObject();
        instrument["symbol"] = "ETHUSDT";
        instrument["baseAsset"] = "ETH";
        BacktestOutcome wrong = BacktestConfigs.Run(BacktestConfigs.Parse(json), out _);
        string warning = Assert.Single(wrong.DataWarnings);
        Assert.StartsWith("ETHUSDT: no depth diff of it reached the core, so its results are on a book that never moved", warning);
        Assert.Contains("message(s) named a symbol not configured: is the data of this symbol?", warning);

        BacktestOutcome right = BacktestConfigs.Run(BacktestConfigs.Parse(BacktestConfigs.MarketMaker(end: "2024-08-08T23:55:00Z")), out _);
        Assert.Empty(right.DataWarnings);
    }

    [Fact]
    public void Run_FathomRecordingAcrossAPlannedReconnect_GivesTheSameResultAsWithoutTheOverlap()
    {
        // A planned reconnect's overlap as the recorder writes it: 300 lines (~2 s) the old connection delivered, then the same
        // 300 again from the new connection's queue, stamped when the switch replayed them (after the last of them).
        // The core drops the repeats (BookSync, the router), and so must the venue: an older diff given again would put
        // older sizes back in its book, and a trade given again would fill our orders twice.
        string dir = Directory.CreateTempSubdirectory("fathom-bt-").FullName;
        try
        {
            string clean = Path.Combine(dir, "clean.fathomrec"), overlapped = Path.Combine(dir, "overlapped.fathomrec");
            WriteRecording(clean, overlap: null);
            int repeatedTickers = WriteRecording(overlapped, overlap: (11_000, 300)); // a window where a repeated trade fills one of our orders
            BacktestConfig Config(string file)
            {
                JsonObject json = BacktestConfigs.MarketMaker(end: "2024-08-08T23:56:30Z");
                json["data"] = new JsonArray(new JsonObject { ["kind"] = "fathom-recording", ["files"] = new JsonArray(file) });
                return BacktestConfigs.Parse(json);
            }

            BacktestResult a = BacktestConfigs.Run(Config(clean), out _).Result;
            BacktestResult b = BacktestConfigs.Run(Config(overlapped), out _).Result;

            Assert.True(a.Fills.Count > 0);
            // The same run but for the input count: the repeated tickers are inputs (older than the book, so they
            // change nothing, as in any recording); the repeated diffs and trades are not given to the venue.
            Assert.Equal(a.Run.Events + repeatedTickers, b.Run.Events);
            Assert.Equal(BacktestResultJson.Serialize(a with { Run = a.Run with { Events = 0 } }),
                BacktestResultJson.Serialize(b with { Run = b.Run with { Events = 0 } }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Writes the day as `fathom record` would; returns how many ticker frames the overlap repeats.</summary>
    private static int WriteRecording(string path, (int Start, int Count)? overlap)
    {
        using var writer = Fathom.MarketData.RecordingWriter.Create(path);
        var again = new List<byte[]>();
        int index = 0;
        foreach (byte[] line in SharedData.ReadLines(SharedData.BinanceSpotDays[0]))
        {
            int space = Array.IndexOf(line, (byte)' ');
            long receiveNs = long.Parse(line.AsSpan(0, space), System.Globalization.CultureInfo.InvariantCulture);
            ReadOnlySpan<byte> json = line.AsSpan(space + 1);
            bool snapshot = json.StartsWith("{\"lastUpdateId\""u8);
            Assert.True(snapshot ? writer.TryAppendSnapshot(receiveNs, "BTCUSDT", 1000, json) : writer.TryAppendFrame(receiveNs, json, 1));
            if (overlap is { } o && !snapshot && index >= o.Start && index < o.Start + o.Count)
            {
                again.Add(json.ToArray());
                if (index == o.Start + o.Count - 1)
                    foreach (byte[] frame in again)
                        Assert.True(writer.TryAppendFrame(receiveNs, frame, 2));
            }
            if (writer.RecordsAppended % 1000 == 0)
                writer.Flush();
            index++;
        }
        return again.Count(f => f.AsSpan().IndexOf("@bookTicker"u8) >= 0);
    }

    [Fact]
    public void Run_CryptofeedCapture_GivesTheSameResultAsItsConvertedStore()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-bt-").FullName;
        try
        {
            // `fathom convert`'s path: the three capture files into a store of all four subscribed symbols.
            string store = Path.Combine(dir, "binance.fathomstore");
            string[] capture = SharedData.CryptofeedBinanceSpot;
            using (var output = File.Create(store))
                BinanceStoreConverter.ConvertCryptofeed(capture[0], capture[1], capture[2], Fathom.Core.Venue.BinanceSpot, output);
            BacktestConfig direct = BacktestConfigs.Parse(BacktestConfigs.CryptofeedMarketMaker());
            JsonObject storeJson = BacktestConfigs.CryptofeedMarketMaker();
            storeJson["data"] = new JsonArray(new JsonObject { ["kind"] = "fathom-store", ["files"] = new JsonArray(store) });
            BacktestConfig fromStore = BacktestConfigs.Parse(storeJson);

            BacktestOutcome a = Backtester.Execute(direct, (specs, model, sink) => new Fathom.Backtest.Venue.SimulatedVenue(specs, model, sink));
            BacktestOutcome b = Backtester.Execute(fromStore, (specs, model, sink) => new Fathom.Backtest.Venue.SimulatedVenue(specs, model, sink));

            // The strategy traded on it (the core saw the capture) and the venue matched it (the venue saw it).
            Assert.Null(a.StrategyError);
            Assert.True(a.Result.Orders.Count > 0, "no order in the capture's 30 s");
            Assert.True(a.Result.Marks.Count > 100, $"{a.Result.Marks.Count} marks: the core's NKNUSDT book was live only briefly");
            Assert.True(a.VenueAcks > 0, "the venue acknowledged nothing");
            Assert.True(a.Result.Fills.Count > 0, "the venue never filled the market maker on the capture");
            Assert.True(a.Result.Run.Events > 0);
            Assert.Equal(BacktestResultJson.Serialize(a.Result), BacktestResultJson.Serialize(b.Result));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Run_VirtualClock_TheEngineMeasuresNoWallClockLatency()
    {
        // A backtest's core runs on a virtual clock: its latency histograms would only hold zero-length inputs, so the
        // composition builds the engine without them (seven mapped ~220 KiB arrays written through on every run).
        Fathom.Engine.TradingEngine? engine = null;
        BacktestOutcome outcome = Backtester.Execute(BacktestConfigs.Parse(BacktestConfigs.CryptofeedMarketMaker()), (specs, model, sink) =>
        {
            engine = (Fathom.Engine.TradingEngine)((BacktestRecorder)sink).Engine;
            return new Fathom.Backtest.Venue.SimulatedVenue(specs, model, sink);
        });
        Assert.True(outcome.Result.Orders.Count > 0);
        Assert.NotNull(engine);
        Assert.False(engine.Latency.Measured);
        Assert.Equal(0, engine.Latency.CoreCost.TotalCount);
        Assert.Equal(0, engine.Latency.TickToOrder.TotalCount);
        Assert.True(engine.Latency.CoreCost.HighestTrackableValue < 1_000, "the histograms are token-sized");
    }

    [Fact]
    public void Run_DamagedCryptofeedCapture_StopsWithTheFileAndLine()
    {
        string dir = Directory.CreateTempSubdirectory("fathom-bt-").FullName;
        try
        {
            string[] capture = SharedData.CryptofeedBinanceSpot;
            // Line 5 of the connection file is not '<ts>: <json>'; line 2 of the snapshot file is not '<url> -> <ts>: <json>'.
            string ws = Path.Combine(dir, "BINANCE.ws.1.0");
            List<string> wsLines = [.. File.ReadLines(capture[2])];
            wsLines.Insert(4, "garbage");
            File.WriteAllLines(ws, wsLines);
            string http = Path.Combine(dir, "BINANCE.http.0.0");
            List<string> httpLines = [.. File.ReadLines(capture[1])];
            httpLines[1] = httpLines[1].Replace(" -> ", " => ", StringComparison.Ordinal);
            File.WriteAllLines(http, httpLines);

            BacktestConfig badWs = BacktestConfigs.Parse(BacktestConfigs.CryptofeedMarketMaker(capture[1], ws));
            BacktestConfig badHttp = BacktestConfigs.Parse(BacktestConfigs.CryptofeedMarketMaker(http, capture[2]));

            var wsError = Assert.Throws<InvalidDataException>(() => BacktestConfigs.Run(badWs, out _));
            Assert.Equal($"{ws}: line 5: expected '<ts>: <json>' (a received frame) or a sent '<url> <- …' line", wsError.Message);
            var httpError = Assert.Throws<InvalidDataException>(() => BacktestConfigs.Run(badHttp, out _));
            Assert.StartsWith($"{http}: line 2: not a cryptofeed HTTP line ('<url> -> <ts>: <json>'): https://api.binance.com/api/v3/depth?symbol=BLZETH", httpError.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
