using BenchmarkDotNet.Attributes;
using Fathom.Book;
using Fathom.Core;
using Fathom.MarketData;
using Fathom.Venues.Binance;

namespace Fathom.Benchmarks;

/// <summary>
/// Where a depth frame's parse time goes, one stage at a time, over the same recorded BTCUSDT depth
/// frames as <see cref="ParseApplyBenchmarks"/> (the 6,495 diffs, without the REST snapshot).
/// Every method is reported per byte of those frames, so the stages read as shares of the full parse.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="ScanOnly"/>: the generic <c>JsonScanner</c> walk of every frame (<c>SkipValue</c>),
/// no numbers converted, no dispatch.</item>
/// <item><see cref="DecimalsOnly"/>: <see cref="DecimalParser.TryParse"/> over every level's price
/// (at the book grid's 2 decimals) and quantity (8 decimals), located in [GlobalSetup].</item>
/// <item><see cref="DecimalsFixed8Only"/>: the same strings through the fixed-format fast path.</item>
/// <item><see cref="LevelRunsOnly"/>: the level fast path (<c>BinanceLevelReader.ReadRun</c>) over
/// each frame's bid and ask arrays, located in [GlobalSetup]: quotes found, numbers converted, levels stored.</item>
/// <item><see cref="FullParse"/>: <see cref="BinanceStreamParser.ParseFrame{THandler}"/> into a handler
/// that only sums the levels: scan + decimals + dispatch.</item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class ParseStageBenchmarks
{
    public const int Frames = 6_495;
    public const int FrameBytes = 10_418_580;

    private RecordedBtcUsdt.Frame[] _frames = null!;
    private (int Frame, int Start, int Length, bool IsPrice)[] _numbers = null!;
    private (int Bids, int Asks)[] _arrays = null!;
    private Level[] _levels = new Level[1024];
    private BinanceStreamParser _parser = null!;
    private BinanceSymbol _symbol = null!;

    [GlobalSetup]
    public void Setup()
    {
        _frames = RecordedBtcUsdt.Load().Depth;
        if (_frames.Length != Frames || RecordedBtcUsdt.Bytes(_frames) != FrameBytes)
            throw new InvalidOperationException($"the recording has {_frames.Length} depth frames / {RecordedBtcUsdt.Bytes(_frames)} bytes");
        var symbols = new BinanceSymbolTable();
        _symbol = symbols.Add(RecordedBtcUsdt.Spec);
        _parser = new BinanceStreamParser(symbols);

        // Every level string: the pattern ["price","qty"] inside the "b" and "a" arrays.
        var numbers = new List<(int, int, int, bool)>();
        for (int f = 0; f < _frames.Length; f++)
        {
            ReadOnlySpan<byte> json = _frames[f].Json;
            int levels = json.IndexOf("\"b\":["u8);
            for (int i = levels; i >= 0 && i < json.Length - 1; i++)
            {
                if (json[i] != '[' || json[i + 1] != '"')
                    continue;
                int priceStart = i + 2, priceEnd = json[priceStart..].IndexOf((byte)'"') + priceStart;
                int qtyStart = priceEnd + 3, qtyEnd = json[qtyStart..].IndexOf((byte)'"') + qtyStart;
                numbers.Add((f, priceStart, priceEnd - priceStart, true));
                numbers.Add((f, qtyStart, qtyEnd - qtyStart, false));
                i = qtyEnd;
            }
        }
        _numbers = [.. numbers];
        // Where each frame's bid and ask levels start (the first '[' of a level).
        _arrays = [.. _frames.Select(f => (f.Json.AsSpan().IndexOf("\"b\":[["u8) + 5, f.Json.AsSpan().IndexOf("\"a\":[["u8) + 5))];
        if (DecimalsOnly() != DecimalsFixed8Only() || FullParse() == 0)
            throw new InvalidOperationException("the fast decimal path disagrees with the general one");
        Console.WriteLine($"// {_numbers.Length} decimal strings ({_numbers.Length / 2} levels) in {Frames} frames");
    }

    [Benchmark(OperationsPerInvoke = FrameBytes)]
    public int ScanOnly()
    {
        int end = 0;
        foreach (RecordedBtcUsdt.Frame f in _frames)
        {
            var scanner = new JsonScanner(f.Json);
            scanner.SkipValue();
            scanner.ExpectEnd();
            end += scanner.Position;
        }
        return end;
    }

    [Benchmark(OperationsPerInvoke = FrameBytes)]
    public long DecimalsOnly()
    {
        long sum = 0;
        foreach (var (frame, start, length, isPrice) in _numbers)
        {
            DecimalParser.TryParse(_frames[frame].Json.AsSpan(start, length), isPrice ? 2 : 8, allowNegative: false, out long v);
            sum += v;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = FrameBytes)]
    public long DecimalsFixed8Only()
    {
        long sum = 0;
        foreach (var (frame, start, length, isPrice) in _numbers)
        {
            ReadOnlySpan<byte> text = _frames[frame].Json.AsSpan(start, length);
            int decimals = isPrice ? 2 : 8;
            if (!DecimalParser.TryParseFixed8(text, decimals, out long v))
                DecimalParser.TryParse(text, decimals, allowNegative: false, out v);
            sum += v;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = FrameBytes)]
    public long LevelRunsOnly()
    {
        long sum = 0;
        for (int f = 0; f < _frames.Length; f++)
        {
            int n = 0;
            sum += BinanceLevelReader.ReadRun(_frames[f].Json, _arrays[f].Bids, 2, ref _levels, ref n, out _);
            sum += BinanceLevelReader.ReadRun(_frames[f].Json, _arrays[f].Asks, 2, ref _levels, ref n, out _);
            sum += n;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = FrameBytes)]
    public long FullParse()
    {
        var handler = new LevelSum();
        foreach (RecordedBtcUsdt.Frame f in _frames)
            _parser.ParseFrame(f.Json, f.ReceiveNs, ref handler);
        return handler.Sum;
    }

    private struct LevelSum : IMarketDataHandler
    {
        public long Sum;
        public void OnBookDelta(in BookDelta d)
        {
            foreach (Level l in d.Bids) Sum += l.Tick ^ l.Qty;
            foreach (Level l in d.Asks) Sum += l.Tick ^ l.Qty;
        }
        public void OnBookSnapshot(in BookSnapshot s) => Sum++;
        public void OnTopOfBook(in TopOfBook t) => Sum++;
        public void OnTrade(in Trade t) => Sum++;
        public void OnServerShutdown(long exchangeTimeMs, long receiveTimeNs) => Sum++;
        public void OnBookGridChanged(int instrumentId, long newTickRaw) => Sum += newTickRaw;
        public void OnMessageError(int instrumentId, MarketDataError error, long receiveTimeNs) => Sum++;
    }
}
