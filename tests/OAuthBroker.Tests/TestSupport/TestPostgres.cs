using System.Security.Cryptography;
using Npgsql;

namespace Assistiv.OAuthBroker.Tests.TestSupport;

/// <summary>
/// A fresh PostgreSQL database on the server named by <c>GATEWAY_TEST_POSTGRES</c> (as the shared test helper reads
/// it), dropped on dispose. A missing variable fails the test with a message naming what to set: PostgreSQL tests are
/// never skipped silently (API.md §1.7).
/// </summary>
internal sealed class TestPostgres : IAsyncDisposable
{
    public const string EnvironmentVariable = "GATEWAY_TEST_POSTGRES";

    private readonly string _admin;

    private TestPostgres(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestPostgres> CreateAsync(CancellationToken cancellationToken)
    {
        var settings = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(settings))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Set it to an Npgsql connection string for a role that may create databases "
                + "(e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres), or run the tests with ./test.sh.");
        }

        var admin = new NpgsqlConnectionStringBuilder(settings);
        if (string.IsNullOrEmpty(admin.Database))
        {
            admin.Database = "postgres";
        }

        var name = "gwtest_oauth_" + RandomNumberGenerator.GetHexString(16, lowercase: true);
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var db = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = name, MaxPoolSize = 60 };
        return new TestPostgres(admin.ConnectionString, name, db.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await using (var probe = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }

        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
