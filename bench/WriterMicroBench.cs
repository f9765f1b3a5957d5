using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Assistiv.Bench;

internal static class WriterMicroBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var dir = Path.Combine(Path.GetTempPath(), "gw-bench", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(dir);
        await using var c = new SqliteConnection($"Data Source={Path.Combine(dir, "x.db")};Foreign Keys=True;Pooling=True;Default Timeout=30");
        await c.OpenAsync();
        await Exec(c, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER NOT NULL); INSERT INTO t VALUES ('a', 0);");
        using var tx = c.BeginTransaction();
        var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE t SET v = v + @x WHERE id = @id RETURNING v";
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 20000; i++)
        {
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("@x", 1L);
            cmd.Parameters.AddWithValue("@id", "a");
            await using var r = await cmd.ExecuteReaderAsync();
            await r.ReadAsync();
        }

        Console.WriteLine($"update returning async: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("@x", 1L);
            cmd.Parameters.AddWithValue("@id", "a");
            using var r = cmd.ExecuteReader();
            r.Read();
        }

        Console.WriteLine($"update returning sync: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        cmd.CommandText = "UPDATE t SET v = v + @x WHERE id = @id";
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("@x", 1L);
            cmd.Parameters.AddWithValue("@id", "a");
            cmd.ExecuteNonQuery();
        }

        Console.WriteLine($"update nonquery clear: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        cmd.Parameters.Clear();
        var px = cmd.Parameters.AddWithValue("@x", 1L);
        var pid = cmd.Parameters.AddWithValue("@id", "a");
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            px.Value = 1L;
            cmd.ExecuteNonQuery();
        }

        Console.WriteLine($"update nonquery reuse params: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        var sel = c.CreateCommand();
        sel.Transaction = tx;
        sel.CommandText = "SELECT v FROM t WHERE id = @id";
        sel.Parameters.AddWithValue("@id", "a");
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            sel.ExecuteScalar();
        }

        Console.WriteLine($"select scalar: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            using var r = sel.ExecuteReader();
            r.Read();
        }

        Console.WriteLine($"select reader: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        var ret = c.CreateCommand();
        ret.Transaction = tx;
        ret.CommandText = "UPDATE t SET v = v + 1 WHERE id = @id RETURNING v";
        ret.Parameters.AddWithValue("@id", "a");
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            ret.ExecuteScalar();
        }

        Console.WriteLine($"update returning scalar: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            using var r = ret.ExecuteReader();
            r.Read();
            r.GetInt64(0);
            while (r.Read()) { }
        }

        Console.WriteLine($"update returning reader drained: {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        sw.Restart();
        for (var i = 0; i < 5000; i++)
        {
            using var fresh = c.CreateCommand();
            fresh.Transaction = tx;
            fresh.CommandText = "UPDATE t SET v = v + 1 WHERE id = @id";
            fresh.Parameters.AddWithValue("@id", "a");
            fresh.ExecuteNonQuery();
        }

        Console.WriteLine($"update fresh command (prepare each): {sw.Elapsed.TotalMicroseconds / 5000:F1} us");
        sw.Restart();
        for (var i = 0; i < 5000; i++)
        {
            using var fresh = c.CreateCommand();
            fresh.Transaction = tx;
            fresh.CommandText = "UPDATE t SET v = v + 1 WHERE id = @id RETURNING v";
            fresh.Parameters.AddWithValue("@id", "a");
            fresh.ExecuteScalar();
        }

        Console.WriteLine($"update returning fresh command: {sw.Elapsed.TotalMicroseconds / 5000:F1} us");
        var sp = c.CreateCommand();
        sp.Transaction = tx;
        sw.Restart();
        for (var i = 0; i < 20000; i++)
        {
            sp.CommandText = "SAVEPOINT w";
            sp.ExecuteNonQuery();
            sp.CommandText = "RELEASE w";
            sp.ExecuteNonQuery();
        }

        Console.WriteLine($"savepoint pair (text changes): {sw.Elapsed.TotalMicroseconds / 20000:F1} us");
        tx.Commit();
        return 0;
    }

    private static async Task Exec(SqliteConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
