namespace Fathom.Hosting.Run;

/// <summary>The coordination service the config names cannot be reached or read. The message names where it is (never a password); <c>fathom cluster status</c> exits 1 on it.</summary>
internal sealed class ClusterUnreadableException(string message, Exception inner) : Exception(message, inner);
