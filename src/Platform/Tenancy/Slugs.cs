using System.Text;
using System.Text.RegularExpressions;

namespace Assistiv.Platform.Tenancy;

/// <summary>Platform slug rules (API.md §3.3, §12).</summary>
public static partial class Slugs
{
    /// <summary>True when <paramref name="slug"/> matches <c>^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$</c>.</summary>
    /// <param name="slug">Candidate slug.</param>
    public static bool IsValid(string slug) => SlugPattern().IsMatch(slug);

    /// <summary>
    /// The default slug of a name: lowercased, every run of non-alphanumerics turned into <c>-</c>, trimmed of <c>-</c>,
    /// cut to 63 characters; <c>platform</c> when nothing is left.
    /// </summary>
    /// <param name="name">The platform name.</param>
    public static string FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length);
        var dash = false;
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c))
            {
                sb.Append(c);
                dash = false;
            }
            else if (!dash)
            {
                sb.Append('-');
                dash = true;
            }
        }

        var slug = sb.ToString().Trim('-');
        if (slug.Length > 56)
        {
            slug = slug[..56].TrimEnd('-');
        }

        return slug.Length == 0 ? "platform" : slug;
    }

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
