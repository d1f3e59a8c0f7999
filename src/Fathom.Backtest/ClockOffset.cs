using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Backtest;

/// <summary>
/// Opens a data source's messages and finds its clock offset: the smallest (local receive − exchange event time) over
/// the messages that carry an event time, the shift that puts exchange times on the recording's clock (see
/// <see cref="MessageClock"/>). One pass over the data before the run.
/// </summary>
internal static class ClockOffset
{
    public static RawMessageReader Reader(BacktestDataSource source, IReadOnlyList<InstrumentSpec> specs) => source.Kind switch
    {
        BacktestDataKind.HftBacktest => new HftBacktestMessages(source.Files, source.Instrument, source.SnapshotDepth),
        BacktestDataKind.FathomRecording => new RecordingMessages(source.Files, BySymbol(specs)),
        BacktestDataKind.Cryptofeed => new CryptofeedMessages(source.Capture
            ?? throw new ArgumentException("a cryptofeed source needs its capture's files", nameof(source)), BySymbol(specs)),
        _ => throw new ArgumentException($"{source.Kind} is not a JSON source", nameof(source)),
    };

    private static Dictionary<string, int> BySymbol(IReadOnlyList<InstrumentSpec> specs) =>
        specs.Select((s, i) => (s.Symbol, i)).ToDictionary(p => p.Symbol, p => p.i, StringComparer.Ordinal);

    public static long Of(BacktestDataSource source, IReadOnlyList<InstrumentSpec> specs)
    {
        long min = long.MaxValue;
        if (source.Kind == BacktestDataKind.FathomStore)
        {
            // The writer records each block's smallest lag in its header: the headers are all this reads.
            foreach (string file in source.Files)
            {
                using var reader = OpenStore(file);
                if (reader.MinReceiveLagNs() is { } lag)
                    min = Math.Min(min, lag);
            }
        }
        else
        {
            using RawMessageReader reader = Reader(source, specs);
            while (reader.Read())
                if (reader.ExchangeMs > 0)
                    min = Math.Min(min, reader.ReceiveNs - reader.ExchangeMs * 1_000_000);
        }
        return min == long.MaxValue ? 0 : min;
    }

    private static StoreReader OpenStore(string file)
    {
        try
        {
            return StoreReader.Open(file);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{file}: {ex.Message}", ex);
        }
    }
}
