using System.Net.Http.Headers;
using System.Text;
using Assistiv.McpServer.Endpoints.Platforms;
using Assistiv.McpServer.Tests.Matrix;
using Assistiv.Platform.Idempotency;
using Assistiv.Tests.Common;
using Assistiv.Tests.Common.Host;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Assistiv.McpServer.Tests.Idempotency;

/// <summary>API.md §11.3 Idempotency-Key on management writes, on both databases.</summary>
public abstract class IdempotencyTests(HostFixture host)
{
    private GatewayFactory Factory => host.Factory;

    [Fact]
    public async Task Replay_ReturnsTheStoredStatusAndByteIdenticalBody_WithReplayedHeaderAndFreshRequestId()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"idem-1"}""", "key-1");
        first.AssertStatus(201);
        Assert.Null(first.Header("Idempotent-Replayed"));
        var second = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"idem-1"}""", "key-1");
        // API.md §11.3: stored status, byte-identical body (same raw_key), Idempotent-Replayed: true, fresh x-request-id.
        second.AssertStatus(201);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.NotEqual(first.RequestId, second.RequestId);
        Assert.Matches("^req_[0-9A-HJKMNP-TV-Z]{26}$", second.RequestId);
        Assert.Equal("application/json; charset=utf-8", second.Header("Content-Type"));

        // Nothing executed again: the user still has exactly one key.
        var userId = Guid.Parse(first.Json["id"]!.GetValue<string>());
        await using var db = Factory.Db();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.EndUserId == userId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StoredBody_IsEncryptedAtRest()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"idem-enc"}""", "key-enc");
        var raw = first.Json["api_key"]!["raw_key"]!.GetValue<string>();
        await using var db = Factory.Db();
        var record = await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.PlatformId == p.Id, TestContext.Current.CancellationToken);
        Assert.Equal(IdempotencyStates.Completed, record.State);
        Assert.Equal(201, record.StatusCode);
        // API.md §3.2: the one stored copy of a raw key is the encrypted idempotency body.
        Assert.DoesNotContain(raw, Encoding.UTF8.GetString(record.BodyProtected!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameKey_DifferentBody_Returns409KeyReused()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"a"}""", "key-2")).AssertStatus(201);
        var r = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"b"}""", "key-2");
        r.AssertError(409, "idempotency_key_reused");
        Assert.Equal(0, (await admin.GetJsonAsync(p.Path("/end-users?external_id=b"))).Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task SameKey_CanonicallyEqualBody_IsReplayed()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"c","metadata":{"x":1,"y":"z"}}""", "key-3");
        var second = await admin.PostJsonAsync(p.Path("/end-users"), """ { "metadata" : { "y":"\u007a", "x":1 }, "external_id":"c" } """, "key-3");
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
    }

    [Fact]
    public async Task Scope_IsSharedByTheKeysOfOnePlatform_ButSeparatePerPathAndPlatform()
    {
        var p = await Factory.CreatePlatformAsync();
        var other = await Factory.CreatePlatformAsync();
        var (management, _) = await p.CreatePlatformKeyAsync("""["management"]""");
        using var admin = p.Admin();
        using var second = Factory.Client(management);
        using var otherAdmin = other.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"s"}""", "shared");
        // API.md §11.3: scope = (platform, method, path, key); two keys of one platform share it.
        var viaOtherKey = await second.PostJsonAsync(p.Path("/end-users"), """{"external_id":"s"}""", "shared");
        Assert.Equal("true", viaOtherKey.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, viaOtherKey.Body);
        var otherPath = await admin.PutJsonAsync(p.Path("/rate-limits"), """{"rpm_limit":5}""", "shared");
        otherPath.AssertStatus(200);
        Assert.Null(otherPath.Header("Idempotent-Replayed"));
        var otherPlatform = await otherAdmin.PostJsonAsync(other.Path("/end-users"), """{"external_id":"s"}""", "shared");
        otherPlatform.AssertStatus(201);
        Assert.Null(otherPlatform.Header("Idempotent-Replayed"));
    }

    [Fact]
    public async Task ValidationOutcome_IsStoredAndReplayed_WithTheOriginalRequestId()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"display_name":"no id"}""", "key-422");
        first.AssertValidation("external_id");
        var second = await admin.PostJsonAsync(p.Path("/end-users"), """{"display_name":"no id"}""", "key-422");
        // API.md §11.3: 4xx like 422 are stored; a replay's body keeps the original request_id (§11.1).
        Assert.Equal(422, second.Status);
        Assert.Equal("true", second.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.RequestId, second.Json["error"]!["request_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Forbidden_IsNotStored_AndAManagementKeyNeverGetsAnAdminKeyThroughAReplay()
    {
        var p = await Factory.CreatePlatformAsync();
        var (management, _) = await p.CreatePlatformKeyAsync("""["management"]""");
        using var weak = Factory.Client(management);
        using var admin = p.Admin();
        const string body = """{"name":"minted","scopes":["admin"]}""";
        // 403 is not stored (API.md §11.3): the admin's retry with the same key executes.
        (await weak.PostJsonAsync(p.Path("/api-keys"), body, "mint")).AssertError(403, "forbidden");
        var minted = await admin.PostJsonAsync(p.Path("/api-keys"), body, "mint");
        minted.AssertStatus(201);
        Assert.Null(minted.Header("Idempotent-Replayed"));
        // The scope is evaluated on the body before any replay: the management key still gets 403, not the raw key.
        var again = await weak.PostJsonAsync(p.Path("/api-keys"), body, "mint");
        again.AssertError(403, "forbidden");
        Assert.DoesNotContain("sk-plat_", again.Body, StringComparison.Ordinal);
        Assert.Equal("true", (await admin.PostJsonAsync(p.Path("/api-keys"), body, "mint")).Header("Idempotent-Replayed"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("256")]
    public async Task InvalidKey_Returns422_NamingTheHeader(string key)
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var value = key == "256" ? new string('k', 256) : key;
        var r = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"bad-key"}""", value);
        // API.md §11.3 / §12: 1–255 printable ASCII, else 422 param "Idempotency-Key".
        r.AssertValidation("Idempotency-Key");
        Assert.Equal(0, (await admin.GetJsonAsync(p.Path("/end-users?external_id=bad-key"))).Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task LongestValidKey_IsAccepted()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // 255 printable ASCII characters, space and punctuation included (API.md §12).
        var key = "k !~" + new string('x', 251);
        var r = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"long-key"}""", key);
        r.AssertStatus(201);
    }

    [Fact]
    public async Task LogSearch_AndDelete_IgnoreTheKey()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        // API.md §11.3: POST P/logs/search is a read (not Idem); DELETE routes ignore the header.
        (await admin.PostJsonAsync(p.Path("/logs/search"), """{"limit":5}""", "read")).AssertStatus(200);
        var r = await admin.PostJsonAsync(p.Path("/logs/search"), """{"limit":6}""", "read");
        r.AssertStatus(200);
        Assert.Null(r.Header("Idempotent-Replayed"));
        var user = await p.CreateEndUserAsync();
        var del = await admin.SendAsync(HttpMethod.Delete, p.Path($"/end-users/{user.Id}"), idempotencyKey: "del");
        del.AssertStatus(204);
        (await admin.SendAsync(HttpMethod.Delete, p.Path($"/end-users/{user.Id}"), idempotencyKey: "del")).AssertError(404, "not_found");
        await using var db = Factory.Db();
        Assert.False(await db.IdempotencyRecords.AnyAsync(x => x.PlatformId == p.Id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OversizeChunkedBody_Returns413_AndIsNotStored()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var big = "{\"external_id\":\"x\",\"pad\":\"" + new string('a', 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, p.Path("/end-users"))
        {
            // No Content-Length: the limit bites while the body is read (API.md §12: 1 MiB).
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("Idempotency-Key", "big");
        using var response = await admin.SendAsync(request, TestContext.Current.CancellationToken);
        await HttpAssert.ErrorAsync(response, 413, "payload_too_large");
        (await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"x"}""", "big")).AssertStatus(201);
    }

    [Fact]
    public async Task HandlerFailure_Returns500_AndTheRetryExecutes()
    {
        using var gate = new GatedToolNames();
        var factory = await host.NewFactoryAsync(configure: f => f.ConfigureTestServices = s => s.AddSingleton<IToolNames>(gate));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        const string body = """{"settings":{"tool_policy":{"allowed_tools":["boom"]}}}""";
        (await admin.PatchJsonAsync(p.Path(), body, "fail")).AssertError(500, "internal_error");
        // API.md §11.3: 5xx is not stored, so the same key executes afresh.
        var retry = await admin.PatchJsonAsync(p.Path(), body, "fail");
        retry.AssertStatus(200);
        Assert.Null(retry.Header("Idempotent-Replayed"));
    }

    [Fact]
    public async Task InFlight_Returns409InProgress_WithRetryAfter1_ThenReplays()
    {
        using var gate = new GatedToolNames();
        var factory = await host.NewFactoryAsync(configure: f => f.ConfigureTestServices = s => s.AddSingleton<IToolNames>(gate));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        const string body = """{"settings":{"tool_policy":{"allowed_tools":["gate"]}}}""";
        var first = admin.PatchJsonAsync(p.Path(), body, "flight");
        Assert.True(await gate.Entered.WaitAsync(TestConstants.DefaultTimeout, TestContext.Current.CancellationToken));

        var during = await admin.PatchJsonAsync(p.Path(), body, "flight");
        during.AssertError(409, "idempotency_in_progress");
        Assert.Equal("1", during.Header("Retry-After"));
        (await admin.PatchJsonAsync(p.Path(), """{"name":"other"}""", "flight")).AssertError(409, "idempotency_key_reused");

        gate.Released.Set();
        var done = await first;
        done.AssertStatus(200);
        var after = await admin.PatchJsonAsync(p.Path(), body, "flight");
        Assert.Equal("true", after.Header("Idempotent-Replayed"));
        Assert.Equal(done.Body, after.Body);
    }

    [Fact]
    public async Task Lease_IsRenewedWhileTheHandlerRuns()
    {
        using var gate = new GatedToolNames();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var factory = await host.NewFactoryAsync(time, f => f.ConfigureTestServices = s => s.AddSingleton<IToolNames>(gate));
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        const string body = """{"settings":{"tool_policy":{"allowed_tools":["gate"]}}}""";
        var started = time.GetUtcNow();
        var first = admin.PatchJsonAsync(p.Path(), body, "renew");
        Assert.True(await gate.Entered.WaitAsync(TestConstants.DefaultTimeout, TestContext.Current.CancellationToken));

        // API.md §11.3: a 30 s lease renewed every 10 s. Step the clock 10 s at a time and watch the lease move.
        for (var step = 1; step <= 4; step++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            var expected = started.AddSeconds(10 * step + 30);
            await TestConstants.WaitUntilAsync(async () => await LeaseOfAsync(factory, p.Id) >= expected, cancellationToken: TestContext.Current.CancellationToken);
        }

        // 40 s after the start, past the first lease: still in progress, not taken over.
        (await admin.PatchJsonAsync(p.Path(), body, "renew")).AssertError(409, "idempotency_in_progress");
        gate.Released.Set();
        (await first).AssertStatus(200);
    }

    [Fact]
    public async Task ExpiredLease_OfADeadOwner_IsTakenOver()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var factory = await host.NewFactoryAsync(time);
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        const string body = """{"external_id":"orphan"}""";
        // A request that took the key and died: its record stays in_progress and nobody renews the lease.
        var store = factory.Services.GetRequiredService<IdempotencyStore>();
        var scope = new IdempotencyScope(p.Id, "POST", p.Path("/end-users"), "dead");
        var dead = await store.BeginAsync(scope, RequestFingerprint.Compute(Encoding.UTF8.GetBytes(body)), TestContext.Current.CancellationToken);
        Assert.Equal(IdempotencyBeginStatus.Started, dead.Status);

        (await admin.PostJsonAsync(p.Path("/end-users"), body, "dead")).AssertError(409, "idempotency_in_progress");
        time.Advance(TimeSpan.FromSeconds(31));
        var taken = await admin.PostJsonAsync(p.Path("/end-users"), body, "dead");
        taken.AssertStatus(201);
        // The dead owner can no longer store an outcome over the new one.
        Assert.False(await store.CompleteAsync(dead.Lease!, new IdempotentResponse(500, null, []), TestContext.Current.CancellationToken));
        Assert.Equal(taken.Body, (await admin.PostJsonAsync(p.Path("/end-users"), body, "dead")).Body);
    }

    [Fact]
    public async Task Records_AreForgotten24hAfterTheFirstRequest_AndPurgedHourly()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var factory = await host.NewFactoryAsync(time);
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        (await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"day-1"}""", "daily")).AssertStatus(201);
        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(59));
        (await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"day-2"}""", "daily")).AssertError(409, "idempotency_key_reused");

        // API.md §11.3: hard-deleted 24 h after the first request, by the hourly purge (§1.4).
        time.Advance(TimeSpan.FromHours(1));
        await TestConstants.WaitUntilAsync(async () =>
        {
            await using var db = factory.Db();
            return !await db.IdempotencyRecords.AnyAsync(r => r.PlatformId == p.Id, TestContext.Current.CancellationToken);
        }, cancellationToken: TestContext.Current.CancellationToken);
        (await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"day-2"}""", "daily")).AssertStatus(201);
    }

    [Fact]
    public async Task ExpiredRecord_NoLongerCounts_EvenBeforeThePurgeRuns()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var factory = await host.NewFactoryAsync(time);
        var p = await factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var first = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"stale"}""", "stale");
        // Move the record's creation back 24 h instead of moving the clock (the purge timer then stays idle).
        await using (var db = factory.Db())
        {
            var cutoff = time.GetUtcNow().AddHours(-24);
            await db.IdempotencyRecords.Where(r => r.PlatformId == p.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.CreatedAt, cutoff), TestContext.Current.CancellationToken);
        }

        var again = await admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"stale"}""", "stale");
        // Executes afresh: the existing user with a fresh key, 200 (API.md §4.4), not a replay.
        again.AssertStatus(200);
        Assert.Null(again.Header("Idempotent-Replayed"));
        Assert.NotEqual(first.Json["api_key"]!["raw_key"]!.GetValue<string>(), again.Json["api_key"]!["raw_key"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConcurrentDuplicates_ExecuteOnce()
    {
        var p = await Factory.CreatePlatformAsync();
        using var admin = p.Admin();
        var tasks = Enumerable.Range(0, 12).Select(_ => admin.PostJsonAsync(p.Path("/end-users"), """{"external_id":"race"}""", "race")).ToList();
        var results = await Task.WhenAll(tasks);
        // Each answer is the original, a replay of it, or "still running" (API.md §11.3) — never a second execution.
        Assert.All(results, r => Assert.True(r.Status is 201 or 409, r.Body));
        var originals = results.Where(r => r.Status == 201 && r.Header("Idempotent-Replayed") is null).ToList();
        Assert.Single(originals);
        Assert.All(results.Where(r => r.Status == 201), r => Assert.Equal(originals[0].Body, r.Body));
        Assert.All(results.Where(r => r.Status == 409), r => r.AssertError(409, "idempotency_in_progress"));
        var userId = Guid.Parse(originals[0].Json["id"]!.GetValue<string>());
        await using var db = Factory.Db();
        Assert.Equal(1, await db.ApiKeys.CountAsync(k => k.EndUserId == userId, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RateLimitPut_AndPlatformPatch_AreIdempotent()
    {
        var p = await Factory.CreatePlatformAsync();
        var user = await p.CreateEndUserAsync();
        using var admin = p.Admin();
        var put = await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":600}""", "rl");
        Assert.Equal(put.Body, (await admin.PutJsonAsync(p.Path($"/end-users/{user.Id}/rate-limits"), """{"rpm_limit":600}""", "rl")).Body);
        var patch = await admin.PatchJsonAsync(p.Path(), """{"name":"Renamed"}""", "pp");
        var replay = await admin.PatchJsonAsync(p.Path(), """{"name":"Renamed"}""", "pp");
        Assert.Equal("true", replay.Header("Idempotent-Replayed"));
        Assert.Equal(patch.Body, replay.Body);
    }

    private static async Task<DateTimeOffset?> LeaseOfAsync(GatewayFactory factory, Guid platformId)
    {
        await using var db = factory.Db();
        return await db.IdempotencyRecords.Where(r => r.PlatformId == platformId).Select(r => r.LeaseExpiresAt).SingleOrDefaultAsync(TestContext.Current.CancellationToken);
    }
}

public sealed class IdempotencySqliteTests(SqliteHost host) : IdempotencyTests(host), IClassFixture<SqliteHost>;

public sealed class IdempotencyPostgresTests(PostgresHost host) : IdempotencyTests(host), IClassFixture<PostgresHost>;
