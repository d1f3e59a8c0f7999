namespace Fathom.Backtest;

/// <summary>
/// One stream of recorded data: its files, read one after the other in the order given (a day after the day
/// before it), and, for hftbacktest files, the instrument they hold (index into the config's instruments); for a
/// cryptofeed capture, which of its files is which (<see cref="Capture"/>).
/// </summary>
public sealed record BacktestDataSource(BacktestDataKind Kind, IReadOnlyList<string> Files, int Instrument = -1, int SnapshotDepth = 1000,
    Fathom.Venues.Binance.CryptofeedCaptureFiles? Capture = null);
