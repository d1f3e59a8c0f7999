using System.Text;
using Fathom.Core;
using Fathom.MarketData;

namespace Fathom.Venues.Binance;

/// <summary>
/// Replays cryptofeed's raw recordings of a Binance session (format version 1, see
/// shared/data/PROVENANCE.md): <c>EXCHANGE.0</c> holds exchangeInfo, <c>EXCHANGE.http.0.0</c> the
/// REST depth snapshots and <c>EXCHANGE.ws.N.0</c> one WebSocket connection, read by
/// <see cref="CryptofeedMessageReader"/> (snapshots and frames merged by their receive timestamps, as a
/// live client would have seen them) and fed through the same parser and state machine as live data.
/// </summary>
public sealed class CryptofeedReplay
{
    private readonly BinanceStreamParser _parser;
    private readonly BinanceSymbolTable _symbols;
    private readonly string _httpPath;
    private readonly string _wsPath;

    private CryptofeedReplay(BinanceSymbolTable symbols, string httpPath, string wsPath)
    {
        _symbols = symbols;
        _parser = new BinanceStreamParser(symbols);
        _httpPath = httpPath;
        _wsPath = wsPath;
    }

    public BinanceStreamParser Parser => _parser;
    public BinanceSymbolTable Symbols => _symbols;
    public long Frames { get; private set; }
    public long BadLines { get; private set; }
    public long SnapshotsReplayed { get; private set; }

    /// <summary>
    /// Opens a recording: instrument metadata from <paramref name="exchangeInfoPath"/>, the symbols
    /// subscribed in <paramref name="wsPath"/>'s connect URL, snapshots from <paramref name="httpPath"/>.
    /// </summary>
    public static CryptofeedReplay Open(string exchangeInfoPath, string httpPath, string wsPath, Venue venue)
    {
        var specs = ExchangeInfo(exchangeInfoPath, venue);
        var symbols = new BinanceSymbolTable();
        foreach (string name in CryptofeedMessageReader.Symbols(wsPath))
        {
            if (!specs.TryGetValue(name, out var spec))
                throw new InvalidDataException($"{name} is subscribed in {wsPath} but missing from the exchangeInfo in {exchangeInfoPath}.");
            symbols.Add(spec);
        }
        // Fail on a damaged snapshot file now, as before the replay.
        CryptofeedMessageReader.Open(httpPath, wsPath).Dispose();
        return new CryptofeedReplay(symbols, httpPath, wsPath);
    }

    /// <summary>The instruments of a capture's exchangeInfo file (<c>EXCHANGE.0</c>, <c>&lt;url&gt; -&gt; &lt;ts&gt;: &lt;json&gt;</c>), by symbol.</summary>
    public static IReadOnlyDictionary<string, InstrumentSpec> ExchangeInfo(string exchangeInfoPath, Venue venue)
    {
        string infoLine = CryptofeedMessageReader.FirstLine(exchangeInfoPath) ?? throw new InvalidDataException($"{exchangeInfoPath} is empty.");
        return BinanceExchangeInfo.Parse(Encoding.UTF8.GetBytes(JsonAfterArrow(infoLine, exchangeInfoPath)), venue);
    }

    /// <summary>Replays the whole session into <paramref name="handler"/>.</summary>
    public void Replay<THandler>(ref THandler handler) where THandler : IMarketDataHandler
    {
        using var reader = CryptofeedMessageReader.Open(_httpPath, _wsPath);
        while (reader.Read())
        {
            if (reader.IsSnapshot)
            {
                var symbol = _symbols.FindUpper(Encoding.ASCII.GetBytes(reader.SnapshotSymbol));
                if (symbol is null)
                    continue; // a snapshot for a symbol this connection did not subscribe to
                SnapshotsReplayed++;
                _parser.ParseSnapshot(reader.Message, symbol, reader.SnapshotLimit, reader.ReceiveNs, ref handler);
            }
            else
            {
                Frames++;
                _parser.ParseFrame(reader.Message, reader.ReceiveNs, ref handler);
            }
        }
        BadLines = reader.BadLines;
    }

    private static string JsonAfterArrow(string line, string path)
    {
        int arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
        int colon = arrow < 0 ? -1 : line.IndexOf(": ", arrow, StringComparison.Ordinal);
        if (colon < 0)
            throw new InvalidDataException($"{path}: expected '<url> -> <ts>: <json>' on the first line.");
        return line[(colon + 2)..];
    }
}
