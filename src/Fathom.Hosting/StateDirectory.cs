using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fathom.Core;

namespace Fathom.Hosting;

/// <summary>
/// A state directory (the trade store, the client-order-id high-water mark, the control token) held by
/// this process alone. Two processes sharing one would reserve client-order-id blocks from the same
/// high-water file and could send identical client order ids, and each would cancel the other's orders
/// at reconciliation; so <see cref="Acquire"/> takes an exclusive lock on <c>fathom.lock</c> and a
/// second process is refused with the holder's pid and start time.
/// </summary>
/// <remarks>
/// The lock is the open <see cref="FileStream"/> with <see cref="FileShare.None"/> (flock on Unix, a share
/// mode on Windows), held until <see cref="Dispose"/> or process exit; the OS drops it when the process
/// dies, so a crash never leaves a stale lock. The lock file is never deleted: deleting it on release would
/// let a waiting process lock the unlinked file while a third creates a new one, and both would "hold" it.
/// The holder writes its pid and start time into the lock file (for <c>cat</c>) and into
/// <c>fathom.lock.holder</c>, because a locked file cannot be opened by another process, even to read.
/// </remarks>
public sealed class StateDirectory : IDisposable
{
    public const string LockFileName = "fathom.lock";
    public const string HolderFileName = "fathom.lock.holder";
    /// <summary>Each demo's own state directory under the temp directory: <c>fathom-demo-XXXXXX</c>.</summary>
    public const string DemoPrefix = "fathom-demo-";
    /// <summary>A finished demo's directory is removed by a later demo only when its lock is older than this.</summary>
    private static readonly TimeSpan s_demoPruneAge = TimeSpan.FromMinutes(1);

    private FileStream? _lock;

    private StateDirectory(string path, FileStream lockFile)
    {
        Path = path;
        _lock = lockFile;
    }

    public string Path { get; }
    public string LockPath => System.IO.Path.Combine(Path, LockFileName);

    /// <summary>
    /// Creates <paramref name="path"/> if needed and locks it for this process; throws
    /// <see cref="HostInputException"/> naming the holder when another process has it.
    /// </summary>
    public static StateDirectory Acquire(string path) => Acquire(path, requireLocking: true);

    private static StateDirectory Acquire(string path, bool requireLocking)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = System.IO.Path.GetFullPath(path);
        if (requireLocking && FileLockingDisabled)
            throw new HostInputException($"file locking is disabled in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING or System.IO.DisableFileLocking), " +
                $"so state directory {path} cannot be locked against a second fathom process; unset it");
        Directory.CreateDirectory(path);
        string lockPath = System.IO.Path.Combine(path, LockFileName);
        FileStream stream;
        try
        {
            // OpenOrCreate: never truncate a file someone else may hold.
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            string holder = ReadHolder(path) ?? "holder unknown";
            throw new HostInputException(
                $"state directory {path} is in use by another fathom process ({holder}); two processes sharing it would issue identical client order ids. " +
                "Stop that process first, or give this one its own state directory (and its own clientOrderIdPrefix or instanceId if both trade one account).", ex);
        }
        try
        {
            using var self = Process.GetCurrentProcess();
            string started = self.StartTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            string holder = string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}, started {started}");
            byte[] text = Encoding.UTF8.GetBytes(holder + "\n");
            stream.SetLength(0);
            stream.Write(text);
            stream.Flush(flushToDisk: true);
            string holderPath = System.IO.Path.Combine(path, HolderFileName);
            DurableFile.Replace(holderPath, text);
            return new StateDirectory(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fresh state directory for one <c>fathom demo</c> (<c>$TMPDIR/fathom-demo-XXXXXX</c>, mode 0700),
    /// locked like any other. Each demo runs its own simulated exchange whose ids restart at 1, so nothing
    /// carries over between demos; two demos at once never share a directory. Directories of earlier
    /// demos that have ended (their lock is free) are removed first, as the single fixed directory used to
    /// be recreated at each start.
    /// </summary>
    public static StateDirectory CreateForDemo(string? parent = null)
    {
        parent ??= System.IO.Path.GetTempPath();
        // Without working locks a running demo's directory would look finished: prune nothing then. The
        // directory is still this demo's own, so it needs no lock to be safe.
        if (!FileLockingDisabled)
            PruneFinishedDemos(parent);
        return Acquire(CreateUniqueSubdirectory(parent), requireLocking: false);
    }

    private static string CreateUniqueSubdirectory(string parent)
    {
        string path = System.IO.Path.Combine(parent, DemoPrefix + Guid.NewGuid().ToString("N")[..12]);
        if (OperatingSystem.IsWindows())
            Directory.CreateDirectory(path);
        else
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Removes <c>fathom-demo-*</c> directories under <paramref name="parent"/> whose demo has ended; never one in use.</summary>
    internal static int PruneFinishedDemos(string parent)
    {
        int removed = 0;
        IEnumerable<string> candidates;
        try
        {
            candidates = Directory.EnumerateDirectories(parent, DemoPrefix + "*").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (string dir in candidates)
        {
            string lockPath = System.IO.Path.Combine(dir, LockFileName);
            try
            {
                // Only directories a demo created and locked, and not just now (one being set up has no lock yet,
                // or has created it an instant ago).
                var info = new FileInfo(lockPath);
                if (!info.Exists || DateTime.UtcNow - info.LastWriteTimeUtc < s_demoPruneAge)
                    continue;
                using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 1))
                {
                    // Free: that demo has ended.
                }
                Directory.Delete(dir, recursive: true);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // In use (its demo is running) or not ours to remove: leave it.
            }
        }
        return removed;
    }

    /// <summary>
    /// True when .NET was told not to lock files (then <see cref="FileShare.None"/> locks nothing on Unix):
    /// the runtime reads the same switch and variable.
    /// </summary>
    internal static bool FileLockingDisabled =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out bool disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is { } v
            && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>"pid N, started T" as the holder wrote it, or null.</summary>
    private static string? ReadHolder(string path)
    {
        try
        {
            string text = File.ReadAllText(System.IO.Path.Combine(path, HolderFileName)).Trim();
            return text.Length is > 0 and < 200 && !text.Contains('\n', StringComparison.Ordinal) ? text : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock (the lock file stays; see the remarks).</summary>
    public void Dispose()
    {
        var stream = Interlocked.Exchange(ref _lock, null);
        if (stream is null)
            return;
        try
        {
            // Still holding the lock: nobody else can be the holder these describe.
            File.Delete(System.IO.Path.Combine(Path, HolderFileName));
            stream.SetLength(0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Releasing must not fail; a stale description is only cosmetic (the lock itself is free).
        }
        finally
        {
            stream.Dispose();
        }
    }
}
