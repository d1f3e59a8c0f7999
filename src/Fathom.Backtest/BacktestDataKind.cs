namespace Fathom.Backtest;

/// <summary>The formats of recorded data a backtest reads.</summary>
public enum BacktestDataKind : byte
{
    /// <summary>hftbacktest's Binance recordings: gzip text, <c>&lt;local_receive_ns&gt; &lt;json&gt;</c> a line, one symbol per file.</summary>
    HftBacktest = 0,
    /// <summary>Fathom's binary normalized store (<c>.fathomstore</c>, written by <c>fathom convert</c>).</summary>
    FathomStore = 1,
    /// <summary>A Fathom recording (<c>.fathomrec</c>, written by <c>fathom record</c>): raw frames and snapshots.</summary>
    FathomRecording = 2,
    /// <summary>A cryptofeed capture of Binance spot (the connection file, the snapshot file, optionally the exchangeInfo file).</summary>
    Cryptofeed = 3,
}
