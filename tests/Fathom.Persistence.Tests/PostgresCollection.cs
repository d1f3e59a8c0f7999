using Fathom.Testing;
using Xunit;

namespace Fathom.Persistence.Tests;

/// <summary>One PostgreSQL server for every test in the collection (a start takes about a second); each test makes its own database.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>Starts <see cref="PostgresServer"/> before the collection's first test and stops it after the last. Missing binaries fail every test in the collection, saying how to install them.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("the PostgreSQL server has not started");

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
