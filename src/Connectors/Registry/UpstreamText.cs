using System.Text;
using System.Text.RegularExpressions;

namespace Assistiv.Connectors.Registry;

/// <summary>
/// Makes a provider's message safe for a tool result or a log (API.md §8.5): token-like strings masked, whitespace
/// collapsed, at most 300 characters. Never pass a raw body or a header here.
/// </summary>
internal static partial class UpstreamText
{
    public const int MaxMessageLength = 300;

    // Provider token shapes (GitHub gh*_ and github_pat_, Slack xox*-, rotated xoxe.), credentials after an auth scheme
    // or a key=value / key: value label, and any long opaque run of key-like characters. Git object ids (40 or 64
    // lowercase hex) and URLs are kept: they are not secrets and often are the point of the message.
    [GeneratedRegex(@"(?<=(?i:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{6,}|(?<=(?i:token|secret|password|api[_-]?key)[""']?\s*[:=]\s*[""']?)[^\s""',;&]{6,}|gh[pousr]_[A-Za-z0-9_]{10,}|github_pat_[A-Za-z0-9_]{10,}|xox[a-z]-[A-Za-z0-9-]{8,}|xoxe\.[A-Za-z0-9.-]{8,}|[A-Za-z0-9_+/=.-]{32,}", RegexOptions.CultureInvariant)]
    private static partial Regex TokenLike();

    [GeneratedRegex("^(?:[0-9a-f]{40}|[0-9a-f]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex GitObjectId();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    public static string? Sanitize(string? message, string? accessToken = null)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        var text = message;
        if (!string.IsNullOrEmpty(accessToken))
        {
            text = text.Replace(accessToken, "***", StringComparison.Ordinal);
        }

        text = TokenLike().Replace(text, static m => GitObjectId().IsMatch(m.Value) || LooksLikeUrl(m.Value) ? m.Value : "***");
        text = Whitespace().Replace(text, " ").Trim();
        if (text.Length > MaxMessageLength)
        {
            var sb = new StringBuilder(text, 0, MaxMessageLength - 1, MaxMessageLength);
            text = sb.Append('…').ToString();
        }

        return text.Length == 0 ? null : text;
    }

    // Documentation links (https://docs.github.com/rest/...) are long runs too, and are useful.
    private static bool LooksLikeUrl(string value) =>
        value.Contains("//", StringComparison.Ordinal) || value.StartsWith("docs.", StringComparison.Ordinal);
}
