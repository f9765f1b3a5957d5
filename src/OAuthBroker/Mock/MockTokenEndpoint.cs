using Assistiv.OAuthBroker.Connect;
using Assistiv.OAuthBroker.Tokens;

namespace Assistiv.OAuthBroker.Mock;

/// <summary>
/// The mock app's in-process token endpoint (API.md §9.3): the code <c>mock-code-invalid</c> fails the exchange with
/// <c>invalid_grant</c>, any other code succeeds; access tokens are valid 1 h; every refresh rotates the refresh token.
/// </summary>
internal static class MockTokenEndpoint
{
    public const string InvalidCode = "mock-code-invalid";

    private const int LifetimeSeconds = 3600;

    public static TokenEndpointResult Exchange(string code) =>
        code == InvalidCode ? TokenEndpointResult.ProviderError("invalid_grant") : Issue();

    public static TokenEndpointResult Refresh(string refreshToken) =>
        refreshToken.StartsWith("mock-rt-", StringComparison.Ordinal) ? Issue() : TokenEndpointResult.ProviderError("invalid_grant");

    private static TokenEndpointResult Issue() =>
        new(true, null, "mock-at-" + OAuthSecrets.NewToken(), "mock-rt-" + OAuthSecrets.NewToken(), LifetimeSeconds, "mock.read", null);
}
