using Assistiv.Inference.Catalogue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registration of the inference layer (for now: the model catalogue of API.md §6.1).</summary>
public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Adds the model catalogue bound to <c>Gateway:Models</c> (validated at start-up; reloads swap a new snapshot).
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ModelCatalogueOptions>().BindConfiguration(ModelCatalogueOptions.Section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ModelCatalogueOptions>, ModelCatalogueOptionsValidator>());
        builder.Services.TryAddSingleton<ModelCatalogue>();
        return builder;
    }
}
