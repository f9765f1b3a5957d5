namespace Assistiv.Platform.Idempotency;

/// <summary>
/// One <c>Idempotency-Key</c> use (API.md §11.3), unique on (platform, method, path, key). It is inserted
/// <c>in_progress</c> with a lease before the handler runs, then holds the outcome (status, content type and the
/// response body encrypted with <c>gateway.idempotency.body.v1</c>), and is hard-deleted 24 h after
/// <see cref="CreatedAt"/>.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>UUIDv7 id.</summary>
    public Guid Id { get; set; }

    /// <summary>The caller's platform.</summary>
    public Guid PlatformId { get; set; }

    /// <summary>HTTP method (<c>POST</c>, <c>PATCH</c>, <c>PUT</c>).</summary>
    public string Method { get; set; } = "";

    /// <summary>Request path without query.</summary>
    public string Path { get; set; } = "";

    /// <summary>The <c>Idempotency-Key</c> value (1–255 printable ASCII).</summary>
    public string IdempotencyKey { get; set; } = "";

    /// <summary>Lowercase hex SHA-256 of the canonical request body (<see cref="RequestFingerprint"/>).</summary>
    public string Fingerprint { get; set; } = "";

    /// <summary><see cref="IdempotencyStates.InProgress"/> or <see cref="IdempotencyStates.Completed"/>.</summary>
    public string State { get; set; } = IdempotencyStates.InProgress;

    /// <summary>The executing request's lease token; null once completed.</summary>
    public Guid? LeaseToken { get; set; }

    /// <summary>End of the executing request's lease; null once completed.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>Stored HTTP status.</summary>
    public int? StatusCode { get; set; }

    /// <summary>Stored <c>Content-Type</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>Stored response body, encrypted.</summary>
    public byte[]? BodyProtected { get; set; }

    /// <summary>Time of the first request; the record is purged 24 h later.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Values of <see cref="IdempotencyRecord.State"/>.</summary>
public static class IdempotencyStates
{
    /// <summary>A request with this key is executing (or died holding the lease).</summary>
    public const string InProgress = "in_progress";

    /// <summary>The outcome is stored and replayed.</summary>
    public const string Completed = "completed";
}
