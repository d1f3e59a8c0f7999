using Xunit;

namespace Fathom.Core.Tests;

public sealed class DurableFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fathom-durable-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Replace_WritesTheContentAndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "mark");
        DurableFile.Replace(path, [1, 2, 3]);
        DurableFile.Replace(path, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Replace_AfterACrashLeftATemporaryFile_IgnoresItsContent()
    {
        string path = Path.Combine(_dir, "mark");
        DurableFile.Replace(path, [1, 2, 3]);
        File.WriteAllBytes(path + ".tmp", [9, 9, 9, 9, 9, 9, 9, 9, 9]); // a crash between the write and the rename
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        DurableFile.Replace(path, [7]);
        Assert.Equal([7], File.ReadAllBytes(path));
    }

    [Fact]
    public void Replace_WithAUnixMode_CreatesTheFileWithExactlyThatMode()
    {
        if (OperatingSystem.IsWindows())
            return;
        string path = Path.Combine(_dir, "token");
        DurableFile.Replace(path, [1], UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void SyncDirectory_OfAnExistingDirectory_Succeeds_OfAMissingOne_Throws()
    {
        DurableFile.SyncDirectory(_dir);
        DurableFile.SyncDirectoryOf(Path.Combine(_dir, "any-file"));
        if (OperatingSystem.IsWindows())
            return;
        // Proves the directory really is opened (a no-op would not notice it is gone).
        var ex = Assert.Throws<IOException>(() => DurableFile.SyncDirectory(Path.Combine(_dir, "missing")));
        Assert.Contains("missing", ex.Message);
    }
}
