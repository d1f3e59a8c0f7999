using BenchmarkDotNet.Attributes;
using Fathom.Book;

namespace Fathom.Benchmarks;

/// <summary>
/// Diagnostic experiment: the same round trip as <see cref="BookLevelUpdateBenchmarks.FathomOrderBook"/>
/// with <see cref="BookOptions.WindowTicks"/> varied, to separate the cost of the spill store (small
/// windows) from the cost of a large, sparsely used window (cache misses). Run with
/// <c>--filter '*WindowSweep*'</c>; the setup prints where the updates land for each window.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(BookBenchmarkConfig))]
public class FathomWindowSweep
{
    private LevelUpdate[] _forward = [];
    private LevelUpdate[] _inverse = [];
    private OrderBook _book = null!;

    [Params(1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22)]
    public int WindowTicks { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sequence = LevelUpdateSequence.Load();
        var options = new BookOptions { WindowTicks = WindowTicks };
        _forward = sequence.Forward;
        _inverse = sequence.Inverse;
        _book = sequence.NewFathomBook(options);
        Console.WriteLine($"// WindowTicks={WindowTicks} (ForPrice would pick {BookOptions.ForPrice(sequence.SnapshotBestBidTick).WindowTicks}): " +
            WindowPathStats.Measure(sequence, options));
    }

    [Benchmark(OperationsPerInvoke = BookLevelUpdateBenchmarks.OperationsPerInvoke)]
    public long RoundTrip() =>
        BookLevelUpdateBenchmarks.Replay(_book, _forward) + BookLevelUpdateBenchmarks.Replay(_book, _inverse);
}
