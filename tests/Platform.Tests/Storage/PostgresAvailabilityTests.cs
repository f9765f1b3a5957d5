using Assistiv.Tests.Common;
using Npgsql;

namespace Assistiv.Platform.Tests.Storage;

// API.md §1.7: the test command runs PostgreSQL's tests too and never skips them silently. This test
// fails, with a message naming ./test.sh, when no server was provided.
public sealed class PostgresAvailabilityTests
{
    [Fact]
    public async Task TestDatabase_IsCreatedUsableAndDropped_OnConfiguredServer()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await PostgresTestDatabase.CreateAsync(ct);
        string name;
        await using (database)
        {
            name = database.DatabaseName;
            Assert.True(await DatabaseExistsAsync(name, ct), $"database {name} was not created");

            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(
                "CREATE TABLE probe (id int PRIMARY KEY); INSERT INTO probe VALUES (42); SELECT current_database() || ':' || id FROM probe",
                connection);
            Assert.Equal($"{name}:42", await command.ExecuteScalarAsync(ct));
        }

        Assert.False(await DatabaseExistsAsync(name, ct), $"database {name} was not dropped");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void AdminConnectionString_FailsNamingTestScript_WhenVariableMissing(string? settings)
    {
        var ex = Assert.Throws<InvalidOperationException>(() => PostgresTestDatabase.AdminConnectionStringFrom(settings));
        Assert.Contains("./test.sh", ex.Message, StringComparison.Ordinal);
        Assert.Contains(PostgresTestDatabase.EnvironmentVariable, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AdminConnectionString_DefaultsToMaintenanceDatabase_WhenNoneNamed()
    {
        var cs = new NpgsqlConnectionStringBuilder(
            PostgresTestDatabase.AdminConnectionStringFrom("Host=127.0.0.1;Port=5999;Username=postgres"));
        Assert.Equal("postgres", cs.Database);
        Assert.Equal(5999, cs.Port);
    }

    private static async Task<bool> DatabaseExistsAsync(string name, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(PostgresTestDatabase.AdminConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync(ct))! == 1;
    }
}
