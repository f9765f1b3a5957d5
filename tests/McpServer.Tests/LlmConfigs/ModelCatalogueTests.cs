using Assistiv.Inference.Catalogue;
using Assistiv.McpServer.Tests.Matrix;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Assistiv.McpServer.Tests.LlmConfigs;

/// <summary>API.md §6.1 model catalogue: built-in defaults, <c>Gateway:Models</c> override, validation.</summary>
public sealed class ModelCatalogueTests
{
    [Theory]
    // API.md §6.1 built-in table: slug, provider, in / out $ per 1M, max out, min out.
    [InlineData("gpt-4o-mini", "openai", 150_000, 600_000, 16384, 1)]
    [InlineData("gpt-4o", "openai", 2_500_000, 10_000_000, 16384, 1)]
    [InlineData("claude-sonnet-4-6", "anthropic", 3_000_000, 15_000_000, 64000, 1)]
    [InlineData("gemini-2.0-flash", "google", 100_000, 400_000, 8192, 1)]
    [InlineData("grok-2", "xai", 2_000_000, 10_000_000, 8192, 1)]
    [InlineData("mock-1", "mock", 1_000_000, 2_000_000, 4096, 1)]
    [InlineData("mock-16", "mock", 1_000_000, 2_000_000, 4096, 16)]
    public void BuiltInCatalogue_HoldsTheDocumentedModels(string slug, string provider, long inMicros, long outMicros, int maxOut, int minOut)
    {
        using var catalogue = Create(new ModelCatalogueOptions());
        Assert.True(catalogue.TryGet(slug, out var m));
        Assert.Equal(provider, Assert.Single(m.Routes).Provider);
        Assert.Equal(slug, m.Routes[0].ProviderModelId);
        Assert.Equal(inMicros, m.InputMicrosPerMtok);
        Assert.Equal(outMicros, m.OutputMicrosPerMtok);
        Assert.Equal(inMicros, m.CachedInputMicrosPerMtok);
        Assert.Equal(maxOut, m.MaxOutputTokens);
        Assert.Equal(minOut, m.MinOutputTokens);
        Assert.False(m.UsesMaxCompletionTokens);
        Assert.Equal(0, m.Created);
        Assert.Equal(7, catalogue.Entries.Count);
    }

    [Fact]
    public void ConfiguredModels_ReplaceTheBuiltInTable()
    {
        using var catalogue = Create(new ModelCatalogueOptions
        {
            Models =
            [
                new ModelEntryOptions
                {
                    Slug = "team/llama-3.1-70b",
                    Routes = [new ModelRouteOptions { Provider = "openai_compatible", ProviderModelId = "meta-llama/Llama-3.1-70B" }],
                    InputUsdPerMtok = 0.000001m,
                    OutputUsdPerMtok = 0.8m,
                    CachedInputUsdPerMtok = 0.1m,
                    MaxOutputTokens = 2048,
                    ContextWindow = 131072,
                    UsesMaxCompletionTokens = true,
                    Created = 1767225600,
                },
            ],
        });
        Assert.False(catalogue.Contains("gpt-4o-mini"));
        Assert.True(catalogue.TryGet("team/llama-3.1-70b", out var m));
        Assert.Equal(1, m.InputMicrosPerMtok);
        Assert.Equal(800_000, m.OutputMicrosPerMtok);
        Assert.Equal(100_000, m.CachedInputMicrosPerMtok);
        Assert.Equal(1, m.MinOutputTokens);
        Assert.True(m.UsesMaxCompletionTokens);
    }

    [Fact]
    public void InvalidConfiguration_ListsEveryProblemWithItsKey()
    {
        var options = new ModelCatalogueOptions
        {
            Models =
            [
                new ModelEntryOptions { Slug = "bad slug", MaxOutputTokens = 1, ContextWindow = 1 },
                new ModelEntryOptions
                {
                    Slug = "ok", Routes = [new ModelRouteOptions { Provider = "azure" }], InputUsdPerMtok = 0.0000001m, OutputUsdPerMtok = -1,
                    MaxOutputTokens = 1, MinOutputTokens = 2, ContextWindow = 1,
                },
            ],
        };
        var ex = Assert.Throws<InvalidOperationException>(() => Create(options));
        Assert.Contains("Gateway:Models:0:slug", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Models:1:routes:0:provider", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Models:1:input_usd_per_mtok", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Models:1:output_usd_per_mtok", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Gateway:Models:1:max_output_tokens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_RefusesToStart_WithAnInvalidGatewayModels()
    {
        var host = new SqliteHost();
        try
        {
            var factory = await host.NewFactoryAsync(configure: f => f.With("Gateway:Models:0:slug", "x y"));
            // ValidateOnStart: the host does not come up (the message naming the key is asserted on the validator below).
            Assert.ThrowsAny<Exception>(() => _ = factory.BaseAddress);
            var result = new ModelCatalogueOptionsValidator().Validate(null, new ModelCatalogueOptions { Models = [new ModelEntryOptions { Slug = "x y" }] });
            Assert.True(result.Failed);
            Assert.Contains("Gateway:Models:0:slug", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Host_ReadsGatewayModels_FromSnakeCaseKeys()
    {
        var host = new SqliteHost();
        try
        {
            var factory = await host.NewFactoryAsync(configure: f => f
                .With("Gateway:Models:0:slug", "only-model")
                .With("Gateway:Models:0:routes:0:provider", "openai")
                .With("Gateway:Models:0:routes:0:provider_model_id", "gpt-x")
                .With("Gateway:Models:0:input_usd_per_mtok", "0.25")
                .With("Gateway:Models:0:output_usd_per_mtok", "1.5")
                .With("Gateway:Models:0:max_output_tokens", "1000")
                .With("Gateway:Models:0:context_window", "8000"));
            var p = await factory.CreatePlatformAsync();
            using var admin = p.Admin();
            (await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"openai","api_key":"k","models":["only-model"]}""")).AssertStatus(201);
            // The built-in slugs are gone: the configured list replaced them (decision 0061).
            (await admin.PostJsonAsync(p.Path("/llm-configs"), """{"provider":"openai","api_key":"k","models":["gpt-4o"]}""")).AssertValidation("models[0]");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static ModelCatalogue Create(ModelCatalogueOptions options) =>
        new(new StaticMonitor(options), NullLogger<ModelCatalogue>.Instance);

    private sealed class StaticMonitor(ModelCatalogueOptions value) : IOptionsMonitor<ModelCatalogueOptions>
    {
        public ModelCatalogueOptions CurrentValue => value;

        public ModelCatalogueOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ModelCatalogueOptions, string?> listener) => null;
    }
}
