using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Replays a <c>.fathomrec</c> recording of a Binance session (see <see cref="RecordingWriter"/>)
/// through the same parser as the live feed: stream frames go to
/// <see cref="BinanceStreamParser.ParseFrame{THandler}"/> and REST snapshots to
/// <see cref="BinanceStreamParser.ParseSnapshot{THandler}"/>, in recorded order with the recorded
/// receive timestamps, so the books end exactly where the live feed's did.
/// </summary>
/// <remarks>
/// <see cref="Open"/> reads the session's venue and symbols and the recorded exchangeInfo (both are
/// written before the first frame) to build the same symbol table, in the same id order, as the
/// recording feed had. A torn or corrupt tail is reported by the reader's counters, never thrown.
/// </remarks>
public sealed class RecordingReplay
{
    private readonly BinanceStreamParser _parser;
    private readonly BinanceSymbolTable _symbols;

    public RecordingReplay(BinanceStreamParser parser, BinanceSymbolTable symbols, BinanceSessionInfo? session = null)
    {
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(symbols);
        _parser = parser;
        _symbols = symbols;
        Session = session ?? new BinanceSessionInfo();
    }

    /// <summary>
    /// Prepares a replay of <paramref name="path"/>: instruments from the recorded exchangeInfo for the
    /// session's symbols (the fallback grid when the recording has none).
    /// </summary>
    public static RecordingReplay Open(string path)
    {
        BinanceSessionInfo? session = null;
        Dictionary<string, InstrumentSpec>? specs = null;
        using (var reader = RecordingReader.Open(path))
        {
            while (reader.TryRead(out RecordingRecord r) && r.Kind is not (RecordKind.StreamFrame or RecordKind.RestSnapshot))
            {
                if (r.Kind == RecordKind.SessionInfo && session is null)
                    session = BinanceSessionInfo.Parse(r.Payload);
                else if (r.Kind == RecordKind.ExchangeInfo && specs is null)
                    specs = BinanceExchangeInfo.Parse(r.Payload, Venue.BinanceSpot);
            }
        }
        if (session is null || session.Symbols.Count == 0)
            throw new InvalidDataException($"{path}: the recording has no session record naming its symbols; construct RecordingReplay with a symbol table instead.");
        var symbols = new BinanceSymbolTable();
        foreach (string name in session.Symbols)
        {
            InstrumentSpec spec = specs is not null && specs.TryGetValue(name, out var s)
                ? s with { Venue = session.Venue }
                : BinanceSessionInfo.FallbackSpec(name, session.Venue);
            symbols.Add(spec);
        }
        return new RecordingReplay(new BinanceStreamParser(symbols), symbols, session);
    }

    public BinanceStreamParser Parser => _parser;
    public BinanceSymbolTable Symbols => _symbols;
    public BinanceSessionInfo Session { get; }
    public bool IsUsdM => Session.Venue == Venue.BinanceUsdM;

    public long Records { get; private set; }
    public long Frames { get; private set; }
    public long Snapshots { get; private set; }
    /// <summary>Snapshots for a symbol the replay's table does not hold (skipped).</summary>
    public long UnknownSnapshotSymbols { get; private set; }
    /// <summary>Records the writer reported as dropped (queue full) before the recording's holes.</summary>
    public long DroppedRecords { get; private set; }
    public long CorruptBlocks { get; private set; }
    public bool TornTail { get; private set; }

    public void ReplayFile<THandler>(string path, ref THandler handler) where THandler : IMarketDataHandler
    {
        using var reader = RecordingReader.Open(path);
        Replay(reader, ref handler);
    }

    public void Replay<THandler>(RecordingReader reader, ref THandler handler) where THandler : IMarketDataHandler
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (reader.TryRead(out RecordingRecord record))
            ReplayRecord(record, ref handler);
        DroppedRecords = reader.DroppedRecords;
        CorruptBlocks = reader.CorruptBlocks;
        TornTail = reader.TornTail;
    }

    /// <summary>One record; public so other drivers can interleave recordings themselves.</summary>
    public void ReplayRecord<THandler>(in RecordingRecord record, ref THandler handler) where THandler : IMarketDataHandler
    {
        Records++;
        switch (record.Kind)
        {
            case RecordKind.StreamFrame:
                Frames++;
                _parser.ParseFrame(record.Payload, record.ReceiveTimeNs, ref handler);
                break;
            case RecordKind.RestSnapshot:
                BinanceSymbol? symbol = _symbols.FindUpper(record.Tag);
                if (symbol is null)
                {
                    UnknownSnapshotSymbols++;
                    break;
                }
                Snapshots++;
                _parser.ParseSnapshot(record.Payload, symbol, record.Arg, record.ReceiveTimeNs, ref handler);
                break;
            // exchangeInfo refreshes and session metadata do not move books; drop markers are counted by the reader.
        }
    }
}
