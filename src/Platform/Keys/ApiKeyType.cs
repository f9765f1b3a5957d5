namespace Assistiv.Platform.Keys;

/// <summary>The two key types of API.md §2.1.</summary>
public enum ApiKeyType
{
    /// <summary><c>sk-plat_</c>: server-side platform key.</summary>
    Platform = 1,

    /// <summary><c>sk-eu_</c>: end-user key.</summary>
    EndUser = 2,
}
