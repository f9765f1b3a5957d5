using System.Text.Json;
using Assistiv.McpServer.Errors;

namespace Assistiv.McpServer.Json;

/// <summary>
/// Reads a management request body as a JSON object (API.md §0.1): anything else → 400 <c>invalid_json</c>. An empty
/// body counts as <c>{}</c> so that routes whose fields are all optional accept a bare POST
/// (docs/decisions/0002-empty-body.md).
/// </summary>
internal static class JsonBody
{
    public static async Task<(JsonElement Root, ApiErrorResult? Error)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return (JsonDocument.Parse("{}").RootElement.Clone(), null);
        }

        try
        {
            using var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (default, ApiErrors.InvalidJson());
            }

            return (doc.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (default, ApiErrors.InvalidJson());
        }
    }
}

/// <summary>
/// Field-by-field validation of a JSON object body. The first failure is kept as a 422 <c>validation_error</c> whose
/// <c>param</c> is the JSON path (API.md §11.1); later reads are no-ops once an error is recorded.
/// </summary>
internal sealed class FieldReader
{
    private readonly JsonElement _root;
    private readonly string _prefix;

    public FieldReader(JsonElement root, string prefix = "")
    {
        _root = root;
        _prefix = prefix;
    }

    public ApiErrorResult? Error { get; private set; }

    public bool Has(string name) => _root.ValueKind == JsonValueKind.Object && _root.TryGetProperty(name, out _);

    /// <summary>True when the field is present with JSON null.</summary>
    public bool IsNull(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null;

    public string Path(string name) => _prefix.Length == 0 ? name : _prefix + "." + name;

    public void Fail(string param, string message) => Error ??= ApiErrors.Validation(param, message);

    public string? String(string name, bool required = false, int min = 1, int max = int.MaxValue, bool trim = false, bool allowNull = false)
    {
        if (Error is not null)
        {
            return null;
        }

        if (!_root.TryGetProperty(name, out var v) || (v.ValueKind == JsonValueKind.Null && allowNull))
        {
            if (required)
            {
                Fail(Path(name), $"'{Path(name)}' is required.");
            }

            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            Fail(Path(name), $"'{Path(name)}' must be a string.");
            return null;
        }

        var s = v.GetString()!;
        if (trim)
        {
            s = s.Trim();
        }

        if (s.Length < min || s.Length > max)
        {
            Fail(Path(name), $"'{Path(name)}' must be {min}-{max} characters.");
            return null;
        }

        return s;
    }

    public bool? Bool(string name)
    {
        if (Error is not null || !_root.TryGetProperty(name, out var v))
        {
            return null;
        }

        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail(Path(name), $"'{Path(name)}' must be true or false.");
            return null;
        }

        return v.GetBoolean();
    }

    public JsonElement? Object(string name, bool allowNull = false)
    {
        if (Error is not null || !_root.TryGetProperty(name, out var v) || (allowNull && v.ValueKind == JsonValueKind.Null))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            Fail(Path(name), $"'{Path(name)}' must be an object.");
            return null;
        }

        return v;
    }

    public JsonElement? Array(string name)
    {
        if (Error is not null || !_root.TryGetProperty(name, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            Fail(Path(name), $"'{Path(name)}' must be an array.");
            return null;
        }

        return v;
    }

    /// <summary>Reads a money amount (API.md §5.1, §12): a JSON number with at most 6 decimals, in range.</summary>
    public long? Money(string name, bool required = false, bool allowZero = false, bool allowNull = false, long maxMicros = 1_000_000_000_000)
    {
        if (Error is not null)
        {
            return null;
        }

        if (!_root.TryGetProperty(name, out var v) || (allowNull && v.ValueKind == JsonValueKind.Null))
        {
            if (required)
            {
                Fail(Path(name), $"'{Path(name)}' is required.");
            }

            return null;
        }

        if (!MoneyParser.TryParse(v, out var micros))
        {
            Fail(Path(name), $"'{Path(name)}' must be a number with at most 6 decimal places.");
            return null;
        }

        if (micros < 0 || (micros == 0 && !allowZero) || micros > maxMicros)
        {
            Fail(Path(name), $"'{Path(name)}' is out of range.");
            return null;
        }

        return micros;
    }

    public DateTimeOffset? Timestamp(string name)
    {
        var s = String(name);
        if (s is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out var t)
            || !s.Contains('T', StringComparison.Ordinal))
        {
            Fail(Path(name), $"'{Path(name)}' must be an RFC 3339 timestamp.");
            return null;
        }

        return t;
    }

    /// <summary>Validates a metadata object (API.md §12): ≤ 50 keys of 1–40 characters, ≤ 16 KiB serialized.</summary>
    public string? Metadata(string name)
    {
        var obj = Object(name);
        if (obj is not { } o)
        {
            return null;
        }

        var count = 0;
        foreach (var p in o.EnumerateObject())
        {
            count++;
            if (p.Name.Length is < 1 or > 40)
            {
                Fail(Path(name), $"'{Path(name)}' keys must be 1-40 characters.");
                return null;
            }
        }

        var raw = o.GetRawText();
        if (count > 50 || System.Text.Encoding.UTF8.GetByteCount(raw) > 16 * 1024)
        {
            Fail(Path(name), $"'{Path(name)}' must have at most 50 keys and 16 KiB.");
            return null;
        }

        return JsonSerializer.Serialize(o);
    }
}
