namespace Assistiv.Platform.Keys;

/// <summary>Key scopes (API.md §2.5). <c>admin</c> implies <c>management</c>, not <c>inference</c>.</summary>
[Flags]
public enum KeyScopes
{
    /// <summary>No scope.</summary>
    None = 0,

    /// <summary><c>admin</c>: operator endpoints.</summary>
    Admin = 1,

    /// <summary><c>management</c>: every other platform route.</summary>
    Management = 2,

    /// <summary><c>inference</c>: inference routes; end-user keys always have it.</summary>
    Inference = 4,
}

/// <summary>Parsing and formatting of <see cref="KeyScopes"/>.</summary>
public static class KeyScopeNames
{
    /// <summary>The three scope names in canonical order.</summary>
    public static IReadOnlyList<string> All { get; } = ["admin", "management", "inference"];

    /// <summary>Parses a comma-joined stored scope list; unknown names are ignored.</summary>
    /// <param name="stored">For example <c>admin,management,inference</c>.</param>
    public static KeyScopes Parse(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var result = KeyScopes.None;
        foreach (var range in stored.AsSpan().Split(','))
        {
            var name = stored.AsSpan(range).Trim();
            result |= name switch
            {
                "admin" => KeyScopes.Admin | KeyScopes.Management,
                "management" => KeyScopes.Management,
                "inference" => KeyScopes.Inference,
                _ => KeyScopes.None,
            };
        }

        return result;
    }

    /// <summary>Splits a stored scope list into its names, in stored order.</summary>
    /// <param name="stored">For example <c>management,inference</c>.</param>
    public static IReadOnlyList<string> Split(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.Length == 0 ? [] : stored.Split(',');
    }
}
