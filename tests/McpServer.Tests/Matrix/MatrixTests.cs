using Assistiv.Tests.Common.Host;

namespace Assistiv.McpServer.Tests.Matrix;

/// <summary>
/// API.md §2.8, table-driven: every route × {no key, malformed, unknown, revoked, expired, own sk-plat_, other
/// platform's sk-plat_, own sk-eu_, other user's sk-eu_, platform key without the scope} → the expected status and
/// code; the Idem column; and ids of another platform answering exactly like unknown ids.
/// </summary>
public abstract class MatrixTests(HostFixture host)
{
    public static TheoryData<string, Caller> Cells()
    {
        var data = new TheoryData<string, Caller>();
        foreach (var route in MatrixRoutes.All)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(route.Row, caller);
            }
        }

        return data;
    }

    public static TheoryData<string> Rows() => [.. MatrixRoutes.All.Select(r => r.Row)];

    public static TheoryData<string> IdRows() => [.. MatrixRoutes.IdRoutes.Select(r => r.Row)];

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Route_AnswersTheMatrixCell_ForEachKind(string row, Caller caller)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var (path, body) = await route.Build(world);
        var key = KeyFor(world, route, caller);
        using var client = world.Factory.Client(key);
        var r = await client.SendAsync(route.Method, path, body, headers: route.Headers);
        var (status, code) = Expected(route, caller);
        if (code is null)
        {
            Assert.True(route.IsOk(r.Status), $"expected {status}, got {r.Status}: {r.Body}");
        }
        else
        {
            var error = r.AssertError(status, code);
            if (status == 401)
            {
                // API.md §2.4: every 401 carries the plain challenge.
                Assert.Equal("Bearer realm=\"assistiv\"", r.Header("WWW-Authenticate"));
            }

            Assert.True(error.GetProperty("message").GetString()!.Length > 0);
        }

        if (route.Access == Access.EndUser && caller == Caller.OtherEndUserKey)
        {
            // Another user's key reads only its own data: nothing of the own user leaks.
            Assert.DoesNotContain(world.OwnUser.Id.ToString(), r.Body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Route_HonoursTheIdemColumn(string row)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var (path, body) = await route.Build(world);
        using var client = world.Factory.Client(KeyFor(world, route, route.Access == Access.EndUser ? Caller.OwnEndUserKey : Caller.OwnPlatformKey));
        var key = "matrix-" + Guid.CreateVersion7().ToString("N");
        var first = await client.SendAsync(route.Method, path, body, key, route.Headers);
        Assert.True(route.IsOk(first.Status), first.Body);
        var second = await client.SendAsync(route.Method, path, body, key, route.Headers);
        if (route.Idem)
        {
            // API.md §11.3: the stored outcome, byte-identical, flagged.
            Assert.Equal("true", second.Header("Idempotent-Replayed"));
            Assert.Equal(first.Status, second.Status);
            Assert.Equal(first.Body, second.Body);
        }
        else
        {
            Assert.Null(second.Header("Idempotent-Replayed"));
        }
    }

    [Theory]
    [MemberData(nameof(IdRows))]
    public async Task Route_AnswersAnotherPlatformsId_ExactlyLikeAnUnknownId(string row)
    {
        var world = await MatrixWorld.GetAsync(host);
        var (_, method, template, body, foreignId) = MatrixRoutes.IdRoutes.Single(r => r.Row == row);
        using var admin = world.Own.Admin();
        var foreign = await admin.SendAsync(method, world.Own.Path(template.Replace("{id}", await foreignId(world), StringComparison.Ordinal)), body);
        var unknown = await admin.SendAsync(method, world.Own.Path(template.Replace("{id}", "0190a000-0000-7000-8000-000000000000", StringComparison.Ordinal)), body);
        var malformed = await admin.SendAsync(method, world.Own.Path(template.Replace("{id}", "not-a-uuid", StringComparison.Ordinal)), body);
        // API.md §2.6: resolved within the key's platform; otherwise 404 not_found, never 403, indistinguishable.
        var f = foreign.AssertError(404, "not_found");
        var u = unknown.AssertError(404, "not_found");
        var m = malformed.AssertError(404, "not_found");
        Assert.Equal(u.GetProperty("message").GetString(), f.GetProperty("message").GetString());
        Assert.Equal(u.GetProperty("message").GetString(), m.GetProperty("message").GetString());
        Assert.Equal(u.GetProperty("param").ValueKind, f.GetProperty("param").ValueKind);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Route_RefusesADeactivatedEndUsersKey(string row)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var (path, body) = await route.Build(world);
        using var client = world.Factory.Client(world.InactiveUserKey);
        var r = await client.SendAsync(route.Method, path, body, headers: route.Headers);
        // API.md §2.6 order: key type (403 wrong_key_type) before the inactive end user (403 forbidden, §2.8 notes).
        r.AssertError(403, route.Access == Access.EndUser ? "forbidden" : "wrong_key_type");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Route_ChecksThePlatformHeader(string row)
    {
        var world = await MatrixWorld.GetAsync(host);
        var route = MatrixRoutes.Find(row);
        var caller = route.Access == Access.EndUser ? Caller.OwnEndUserKey : Caller.OwnPlatformKey;
        using var client = world.Factory.Client(KeyFor(world, route, caller));
        const string header = "X-Assistiv-Platform-Id";
        // API.md §2.6: optional; when present it must equal the key's platform, else 403 forbidden.
        foreach (var wrong in new[] { world.Other.Id.ToString(), "not-a-uuid" })
        {
            var (p1, b1) = await route.Build(world);
            (await client.SendAsync(route.Method, p1, b1, headers: [.. route.Headers, new(header, wrong)])).AssertError(403, "forbidden");
        }

        var (path, body) = await route.Build(world);
        var ok = await client.SendAsync(route.Method, path, body, headers: [.. route.Headers, new(header, world.Own.Id.ToString())]);
        Assert.True(route.IsOk(ok.Status), ok.Body);
    }

    /// <summary>
    /// Rows 42, 44, 45 and 46 of API.md §2.8, whose cells do not depend on the key: GET/DELETE <c>/mcp*</c> → 405
    /// <c>method_not_allowed</c> with <c>Allow: POST</c> before authentication (stateless mode); the OAuth
    /// callback ignores <c>Authorization</c>; <c>/healthz</c>, <c>/readyz</c> → 200; <c>/metrics</c> without a
    /// configured token → 200 for a loopback client whatever the header (§1.5).
    /// </summary>
    public static TheoryData<string, string, string, Caller> KeylessCells()
    {
        var data = new TheoryData<string, string, string, Caller>();
        foreach (var (row, method, path) in s_keylessRoutes)
        {
            foreach (var caller in Enum.GetValues<Caller>())
            {
                data.Add(row, method, path, caller);
            }
        }

        return data;
    }

    private static readonly (string Row, string Method, string Path)[] s_keylessRoutes =
    [
        ("42", "GET", "/mcp"), ("42", "DELETE", "/mcp"), ("42", "GET", "/mcp/github"), ("42", "DELETE", "/mcp/github"),
        ("44", "GET", "/oauth/callback"), ("44", "GET", "/oauth/callback?state=unknown-state&code=x"),
        ("45", "GET", "/healthz"), ("45", "GET", "/readyz"),
        ("46", "GET", "/metrics"),
    ];

    [Theory]
    [MemberData(nameof(KeylessCells))]
    public async Task KeylessRoute_AnswersTheSameWhateverTheKey(string row, string method, string path, Caller caller)
    {
        var world = await MatrixWorld.GetAsync(host);
        var httpMethod = new HttpMethod(method);
        using var bare = world.Factory.Client();
        var without = await bare.SendAsync(httpMethod, path);
        var key = KeyFor(world, MatrixRoutes.Find("1 GET P"), caller);
        using var client = world.Factory.Client(key);
        var with = await client.SendAsync(httpMethod, path);

        switch (row)
        {
            case "42":
                with.AssertError(405, "method_not_allowed");
                Assert.Equal("POST", with.Header("Allow"));
                break;
            case "45" or "46":
                with.AssertStatus(200);
                break;
        }

        // Rows 44-46 ignore Authorization; row 42 answers before authentication.
        Assert.Equal(without.Status, with.Status);
        Assert.Equal(without.Header("Location"), with.Header("Location"));
        Assert.Equal(without.Header("Content-Type"), with.Header("Content-Type"));
    }

    /// <summary>The cell of API.md §2.8 for a route and a caller, with the notes under the table.</summary>
    private static (int Status, string? Code) Expected(MatrixRoute route, Caller caller)
    {
        var platformRoute = route.Access != Access.EndUser;
        return caller switch
        {
            Caller.NoKey => (401, "missing_api_key"),
            Caller.Malformed or Caller.Unknown => (401, "invalid_api_key"),
            Caller.Revoked => (401, "key_revoked"),
            Caller.Expired => (401, "key_expired"),
            Caller.OwnPlatformKey => platformRoute ? (route.OkStatus, null) : (403, "wrong_key_type"),
            Caller.OtherPlatformKey => platformRoute ? (403, "forbidden") : (403, "wrong_key_type"),
            Caller.OwnEndUserKey or Caller.OtherEndUserKey => platformRoute ? (403, "wrong_key_type") : (route.OkStatus, null),
            Caller.PlatformKeyWithoutScope => platformRoute ? (403, "forbidden") : (403, "wrong_key_type"),
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };
    }

    private static string? KeyFor(MatrixWorld w, MatrixRoute route, Caller caller)
    {
        var keys = route.Access == Access.EndUser ? w.EndUserKeys : w.PlatformKeys;
        return caller switch
        {
            Caller.NoKey => null,
            Caller.Malformed or Caller.Unknown or Caller.Revoked or Caller.Expired => keys[caller],
            Caller.OwnPlatformKey => w.Own.AdminKey,
            Caller.OtherPlatformKey => w.Other.AdminKey,
            Caller.OwnEndUserKey => w.OwnUser.Key,
            Caller.OtherEndUserKey => w.OtherUser.Key,
            // A management route is tried with an inference-only key, an admin route with a management key.
            Caller.PlatformKeyWithoutScope => route.Access == Access.Admin ? w.ManagementKey : w.InferenceKey,
            _ => throw new ArgumentOutOfRangeException(nameof(caller)),
        };
    }
}

public sealed class MatrixSqliteTests(SqliteHost host) : MatrixTests(host), IClassFixture<SqliteHost>;

public sealed class MatrixPostgresTests(PostgresHost host) : MatrixTests(host), IClassFixture<PostgresHost>;
