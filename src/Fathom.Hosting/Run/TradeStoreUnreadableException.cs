namespace Fathom.Hosting.Run;

/// <summary>
/// The trade store exists but cannot be read (not a SQLite database, damaged, locked past the timeout, or
/// written by a newer build). The message names the file; <c>fathom state</c> exits 1 on it.
/// </summary>
internal sealed class TradeStoreUnreadableException(string message, Exception inner) : Exception(message, inner);
