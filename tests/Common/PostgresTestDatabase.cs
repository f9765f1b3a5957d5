using System.Security.Cryptography;
using Npgsql;

namespace Assistiv.Tests.Common;

/// <summary>
/// A fresh, uniquely named PostgreSQL database for one test class, made on the server that
/// <c>GATEWAY_TEST_POSTGRES</c> names and dropped on dispose. <c>./test.sh</c> sets that variable
/// (a server that answers, else a throwaway cluster: API.md §1.7), so a missing variable is a failure,
/// never a skip.
/// </summary>
/// <example>
/// <code>
/// public sealed class LedgerPostgresTests : IAsyncLifetime
/// {
///     private PostgresTestDatabase _db = null!;
///     public async ValueTask InitializeAsync() => _db = await PostgresTestDatabase.CreateAsync(TestContext.Current.CancellationToken);
///     public ValueTask DisposeAsync() => _db.DisposeAsync();
/// }
/// </code>
/// </example>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "GATEWAY_TEST_POSTGRES";

    private const string NamePrefix = "gwtest_";

    private readonly string _adminConnectionString;
    private int _disposed;

    private PostgresTestDatabase(string adminConnectionString, string databaseName, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        DatabaseName = databaseName;
        ConnectionString = connectionString;
    }

    /// <summary>The new database's name (<c>gwtest_</c> + 24 random hex digits).</summary>
    public string DatabaseName { get; }

    /// <summary>The settings from <c>GATEWAY_TEST_POSTGRES</c> with <c>Database</c> set to <see cref="DatabaseName"/>.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// The connection string from <c>GATEWAY_TEST_POSTGRES</c>, pointed at the maintenance database
    /// (<c>postgres</c>) unless it names one. Throws with a message naming <c>./test.sh</c> when unset.
    /// </summary>
    public static string AdminConnectionString => AdminConnectionStringFrom(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary><see cref="AdminConnectionString"/> for a given value of <c>GATEWAY_TEST_POSTGRES</c>.</summary>
    public static string AdminConnectionStringFrom(string? settings)
    {
        if (string.IsNullOrWhiteSpace(settings))
        {
            throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Run the tests with ./test.sh, which finds or starts a PostgreSQL "
                + $"server and sets it, or set {EnvironmentVariable} to an Npgsql connection string for a role that "
                + "may create databases (e.g. Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres).");
        }

        var builder = new NpgsqlConnectionStringBuilder(settings);
        if (string.IsNullOrEmpty(builder.Database))
        {
            builder.Database = "postgres";
        }

        return builder.ConnectionString;
    }

    /// <summary>Creates the database and returns a handle that drops it on dispose.</summary>
    public static async Task<PostgresTestDatabase> CreateAsync(CancellationToken cancellationToken)
    {
        var admin = AdminConnectionString;
        var name = NamePrefix + RandomNumberGenerator.GetHexString(24, lowercase: true);

        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new PostgresTestDatabase(admin, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Pooled connections of the test would otherwise keep the database busy.
        await using (var probe = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(probe);
        }

        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        // WITH (FORCE) (PostgreSQL 13+) ends sessions a test left open.
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
