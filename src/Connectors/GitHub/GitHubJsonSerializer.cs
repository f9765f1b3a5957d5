using System.Text.Json;
using System.Text.Json.Nodes;
using Octokit.Internal;

namespace Assistiv.Connectors.GitHub;

/// <summary>
/// Lets Octokit's <c>Connection</c> hand back GitHub's JSON as a <see cref="JsonElement"/> and send
/// <see cref="JsonNode"/> bodies, so results are pruned from GitHub's own field names and request bodies hold exactly
/// the fields the gateway decides (docs/decisions/0011). Everything else (Octokit's error bodies) goes to Octokit's
/// serializer.
/// </summary>
internal sealed class GitHubJsonSerializer : IJsonSerializer
{
    public static readonly GitHubJsonSerializer Instance = new();

    private static readonly SimpleJsonSerializer s_octokit = new();

    public string Serialize(object item) => item is JsonNode node ? node.ToJsonString() : s_octokit.Serialize(item);

    public T Deserialize<T>(string json)
    {
        if (typeof(T) == typeof(JsonElement))
        {
            using var document = JsonDocument.Parse(json);
            return (T)(object)document.RootElement.Clone();
        }

        return s_octokit.Deserialize<T>(json);
    }
}
