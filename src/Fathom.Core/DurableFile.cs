using System.Runtime.InteropServices;

namespace Fathom.Core;

/// <summary>
/// Replaces a small file so that a power loss leaves either the old or the new content, never a torn
/// or missing file: write a temporary file beside it, fsync it, rename it over the old one, then fsync
/// the directory. The last step matters: the rename is a change to the directory, and until the
/// directory's own metadata is on disk a power loss can bring back the old name (or no file at all on a
/// fresh create) even though the new file's bytes were synced.
/// </summary>
public static partial class DurableFile
{
    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> durably (see the type). With
    /// <paramref name="unixMode"/> the file is created with exactly that mode (never a wider file
    /// narrowed later), and a stale temporary file is removed first rather than written through.
    /// </summary>
    public static void Replace(string path, ReadOnlySpan<byte> content, UnixFileMode? unixMode = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp";
        // A temporary file left by a crash is garbage: never append to it, never follow a link planted there.
        File.Delete(temp);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (unixMode is { } mode && !OperatingSystem.IsWindows())
            options.UnixCreateMode = mode;
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        if (unixMode is { } exact && !OperatingSystem.IsWindows())
            File.SetUnixFileMode(temp, exact); // exact, whatever the umask
        File.Move(temp, path, overwrite: true);
        SyncDirectoryOf(path);
    }

    /// <summary>Fsyncs the directory holding <paramref name="path"/>, so a rename or create in it survives a power loss.</summary>
    public static void SyncDirectoryOf(string path) =>
        SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException($"{path} has no directory", nameof(path)));

    /// <summary>
    /// Fsyncs <paramref name="directory"/> itself (its entries, not the files in it). .NET cannot open a
    /// directory as a file (<see cref="File.OpenHandle"/> refuses one), so on Unix this calls libc's
    /// <c>open</c> and <c>fsync</c>. On Windows it does nothing: NTFS journals a rename with its metadata, and
    /// a directory handle cannot be flushed there. Throws <see cref="IOException"/> when the directory cannot
    /// be opened or synced.
    /// </summary>
    public static void SyncDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (OperatingSystem.IsWindows())
            return;
        // O_RDONLY (0) only: O_DIRECTORY and O_CLOEXEC differ between Linux architectures and macOS, and a
        // read-only open of a directory is valid everywhere. The descriptor lives for two calls.
        int fd = Open(directory, 0);
        if (fd < 0)
            throw new IOException($"cannot open directory {directory} to fsync it: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            // EINVAL: a file system that cannot sync a directory (some FUSE and network mounts); nothing more can be done there.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EInval)
                throw new IOException($"fsync of directory {directory} failed: errno {errno}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private const int EInval = 22;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
