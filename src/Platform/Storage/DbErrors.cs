using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Assistiv.Platform.Storage;

/// <summary>Classifies provider exceptions.</summary>
public static class DbErrors
{
    /// <summary>True when the exception is a unique-constraint violation on either provider.</summary>
    /// <param name="exception">The exception thrown by a save or a raw statement.</param>
    public static bool IsUniqueViolation(Exception exception)
    {
        var inner = exception is DbUpdateException { InnerException: { } e } ? e : exception;
        return inner switch
        {
            SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
            PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
            _ => false,
        };
    }
}
