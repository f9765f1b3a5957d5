using Assistiv.Platform.Tenancy;

namespace Assistiv.Platform.Tests.Tenancy;

public sealed class ToolPolicyTests
{
    [Fact]
    public void Allows_EveryTool_WhenDefault()
    {
        Assert.True(ToolPolicy.Default.Allows("github", "github_issue_write", readOnlyHint: false));
    }

    [Fact]
    public void Allows_OnlyReadOnlyTools_WhenReadOnly()
    {
        // API.md §8.7: with read_only a tool is visible iff its readOnlyHint is true.
        var policy = new ToolPolicy(null, ReadOnly: true);
        Assert.True(policy.Allows("github", "github_get_me", readOnlyHint: true));
        Assert.False(policy.Allows("github", "github_issue_write", readOnlyHint: false));
    }

    [Fact]
    public void Allows_AppWildcard_MatchesOnlyThatApp()
    {
        // API.md §8.7: "{app}_*" entries.
        var policy = new ToolPolicy(["github_*"], ReadOnly: false);
        Assert.True(policy.Allows("github", "github_create_gist", readOnlyHint: false));
        Assert.False(policy.Allows("slack", "slack_post_message", readOnlyHint: false));
    }

    [Fact]
    public void Allows_ExactName_Only()
    {
        var policy = new ToolPolicy(["github_get_me"], ReadOnly: false);
        Assert.True(policy.Allows("github", "github_get_me", readOnlyHint: true));
        Assert.False(policy.Allows("github", "github_get_me_too", readOnlyHint: true));
    }
}
