using System.Text;
using Assistiv.Platform.Idempotency;

namespace Assistiv.McpServer.Tests.Idempotency;

/// <summary>API.md §11.3 fingerprint: SHA-256 of the canonical JSON (sorted keys, no whitespace, numbers as written) or of raw bytes.</summary>
public sealed class RequestFingerprintTests
{
    private static string Of(string body) => RequestFingerprint.Compute(Encoding.UTF8.GetBytes(body));

    [Fact]
    public void Fingerprint_IgnoresKeyOrderWhitespaceAndStringEscapes()
    {
        Assert.Equal(Of("""{"a":"x","b":{"d":[1,2],"c":null}}"""), Of("""{ "b" : { "c":null, "d":[ 1, 2 ] }, "a":"\u0078" }"""));
    }

    [Fact]
    public void Fingerprint_KeepsNumbersAsWritten()
    {
        Assert.NotEqual(Of("""{"amount_usd":1}"""), Of("""{"amount_usd":1.0}"""));
    }

    [Fact]
    public void Fingerprint_KeepsArrayOrderAndValues()
    {
        Assert.NotEqual(Of("[1,2]"), Of("[2,1]"));
        Assert.NotEqual(Of("""{"a":"x"}"""), Of("""{"a":"y"}"""));
    }

    [Fact]
    public void Fingerprint_HashesRawBytes_WhenTheBodyIsNotJson()
    {
        Assert.NotEqual(Of("{not json"), Of("{not  json"));
        Assert.Equal(Of("{not json"), Of("{not json"));
    }

    [Fact]
    public void Fingerprint_OfAnEmptyBody_IsTheSha256OfNothing()
    {
        // SHA-256 of the empty string (FIPS 180-4 test value).
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", RequestFingerprint.Compute([]));
    }
}
