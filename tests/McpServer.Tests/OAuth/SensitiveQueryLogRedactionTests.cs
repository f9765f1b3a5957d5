using Assistiv.McpServer.Endpoints.OAuth;

namespace Assistiv.McpServer.Tests.OAuth;

public sealed class SensitiveQueryLogRedactionTests
{
    [Theory]
    // API.md §3.2: connect_token, code and state are written as ***.
    [InlineData("GET http://h/oauth/callback?code=abc&state=def - 302", "GET http://h/oauth/callback?code=***&state=*** - 302")]
    [InlineData("?app=github&connect_token=T0k3n_-x", "?app=github&connect_token=***")]
    [InlineData("?STATE=x&Code=y", "?STATE=***&Code=***")]
    [InlineData("code=abc&app=github", "code=***&app=github")]
    [InlineData("/oauth/callback?error=access_denied&state=s1 HTTP/1.1", "/oauth/callback?error=access_denied&state=*** HTTP/1.1")]
    [InlineData("?app=github&statement=keep&zipcode=12345", "?app=github&statement=keep&zipcode=12345")]
    [InlineData("nothing to see", "nothing to see")]
    public void Redact_MasksOnlyTheSensitiveParameters(string input, string expected)
    {
        Assert.Equal(expected, SensitiveQueryLogRedaction.Redact(input));
    }
}
