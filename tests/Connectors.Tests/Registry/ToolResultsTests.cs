using System.Text.Json.Nodes;
using Assistiv.Connectors.Registry;

namespace Assistiv.Connectors.Tests.Registry;

/// <summary>API.md §8.3 result rules: ≤ 100,000 characters, cut with "…[truncated]"; lists never cut silently.</summary>
public sealed class ToolResultsTests
{
    private static JsonNode Item(int id, int size) => new JsonObject { ["id"] = id, ["patch"] = new string('x', size) };

    private static JsonNode Parse(ConnectorResult result)
    {
        Assert.Null(result.Failure);
        Assert.True(result.Text!.Length <= 100_000);
        return JsonNode.Parse(result.Text)!;
    }

    [Fact]
    public void Object_IsCutWithTheMarker_WhenLongerThanTheLimit()
    {
        var result = ToolResults.Object(new JsonObject { ["diff"] = new string('d', 150_000) }, structured: false);

        Assert.Equal(100_000, result.Text!.Length);
        Assert.EndsWith("…[truncated]", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void PagedList_HasTheEnvelope_WithNextPage()
    {
        var json = Parse(ToolResults.PagedList([Item(1, 10), Item(2, 10)], page: 3, perPage: 2, upstreamHasMore: true, total: 9));

        Assert.Equal(2, json["items"]!.AsArray().Count);
        Assert.True(json["has_more"]!.GetValue<bool>());
        Assert.Equal(4, json["next"]!["page"]!.GetValue<int>());
        Assert.Equal(9, json["total"]!.GetValue<long>());
    }

    [Fact]
    public void PagedList_HasNullNext_OnTheLastPage()
    {
        var json = Parse(ToolResults.PagedList([Item(1, 10)], page: 1, perPage: 30, upstreamHasMore: false, total: null));

        // API.md §8.3: has_more is false exactly when next is null.
        Assert.False(json["has_more"]!.GetValue<bool>());
        Assert.Null(json["next"]);
        Assert.Null(json["total"]);
        Assert.True(((JsonObject)json).ContainsKey("next"));
        Assert.True(((JsonObject)json).ContainsKey("total"));
    }

    [Fact]
    public void PagedList_ReturnsFewerItems_WithANextThatSkipsNothing_WhenThePageIsTooLarge()
    {
        // 30 items of ~19,000 characters on page 1: only five fit.
        var items = Enumerable.Range(1, 30).Select(i => Item(i, 19_000)).ToList();

        var json = Parse(ToolResults.PagedList(items, page: 1, perPage: 30, upstreamHasMore: false, total: null));

        Assert.Equal([1, 2, 3, 4, 5], json["items"]!.AsArray().Select(i => i!["id"]!.GetValue<int>()));
        Assert.True(json["has_more"]!.GetValue<bool>());
        Assert.Equal("""{"page":2,"per_page":5}""", json["next"]!.ToJsonString());
    }

    [Fact]
    public void PagedList_KeepsAPageSizeThatDividesTheOffset_OnLaterPages()
    {
        // Page 2 of 30 starts at item 30; seven items would fit, but 30 is not a multiple of 7, so six are returned and
        // the next call asks for page 7 of size 6 (items 36…41).
        var items = Enumerable.Range(31, 30).Select(i => Item(i, 13_500)).ToList();

        var json = Parse(ToolResults.PagedList(items, page: 2, perPage: 30, upstreamHasMore: true, total: null));

        Assert.Equal(6, json["items"]!.AsArray().Count);
        Assert.Equal("""{"page":7,"per_page":6}""", json["next"]!.ToJsonString());
    }

    [Fact]
    public void PagedList_CapsAnItemThatAloneExceedsTheLimit()
    {
        var json = Parse(ToolResults.PagedList([Item(1, 150_000), Item(2, 10)], page: 1, perPage: 2, upstreamHasMore: false, total: null));

        var item = json["items"]![0]!;
        Assert.True(item["truncated"]!.GetValue<bool>());
        Assert.EndsWith("…[truncated]", item["patch"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("""{"page":2,"per_page":1}""", json["next"]!.ToJsonString());
    }

    [Fact]
    public void Truncate_DoesNotSplitASurrogatePair()
    {
        var text = new string('a', 99_987) + "😀" + new string('b', 100);

        var cut = ToolResults.Truncate(text);

        Assert.True(cut.Length <= 100_000);
        Assert.False(char.IsHighSurrogate(cut[^("…[truncated]".Length + 1)]));
    }

    [Theory]
    [InlineData("Bad credentials", "Bad credentials")]
    [InlineData("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 is bad", "token *** is bad")]
    [InlineData("Authorization: Bearer abc.def.ghi-jkl", "Authorization: Bearer ***")]
    [InlineData("bad access_token=gho_short1 given", "bad access_token=*** given")]
    [InlineData("token validation failed", "token validation failed")]
    [InlineData("see https://docs.github.com/rest/issues/issues#create-an-issue", "see https://docs.github.com/rest/issues/issues#create-an-issue")]
    [InlineData("No commit found for SHA: 6dcb09b5b57875f334f61aebed695e2e4193db5e", "No commit found for SHA: 6dcb09b5b57875f334f61aebed695e2e4193db5e")]
    [InlineData("key AKIAIOSFODNN7EXAMPLEAKIAIOSFODNN7EXAMPLE leaked", "key *** leaked")]
    [InlineData("line one\n\n   line two", "line one line two")]
    public void Sanitize_MasksTokenLikeStrings(string message, string expected)
    {
        Assert.Equal(expected.TrimEnd(), UpstreamText.Sanitize(message));
    }

    [Fact]
    public void Sanitize_MasksTheAccessToken_EvenWhenShort()
    {
        Assert.Equal("your token *** expired", UpstreamText.Sanitize("your token abc123 expired", "abc123"));
    }
}
