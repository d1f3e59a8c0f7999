using Fathom.Testing;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>The test server fixture itself: without binaries it fails saying how to install them, never skips.</summary>
public sealed class PostgresServerTests
{
    [Fact]
    public async Task StartAsync_NoBinaries_FailsSayingHowToInstall()
    {
        string empty = Directory.CreateTempSubdirectory("fathom-no-pg").FullName;
        try
        {
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresServer.StartAsync(binDirectory: empty));
            Assert.Contains("apt-get install -y postgresql-15", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
