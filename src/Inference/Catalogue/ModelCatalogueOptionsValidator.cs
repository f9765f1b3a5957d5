using Microsoft.Extensions.Options;

namespace Assistiv.Inference.Catalogue;

/// <summary>Fails start-up on an invalid <c>Gateway:Models</c>, listing every problem with its key (STYLE.md §0.5).</summary>
internal sealed class ModelCatalogueOptionsValidator : IValidateOptions<ModelCatalogueOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelCatalogueOptions options) =>
        ModelCatalogue.Build(options, out var errors) is null ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
