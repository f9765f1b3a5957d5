using System.Text.Json.Serialization;
using Assistiv.McpServer.Json;

namespace Assistiv.McpServer.Endpoints.Platforms;

/// <summary>
/// Source-generated JSON of the money routes (API.md §4.6, §4.7, §4.10, §4.13), with the options of
/// <see cref="GatewayJsonContext"/>: snake_case, nulls written, RFC 3339 UTC timestamps; money through <see cref="MicroUsd"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(BudgetDto))]
[JsonSerializable(typeof(BudgetChangeDto))]
[JsonSerializable(typeof(ListEnvelope<BudgetTransactionDto>))]
[JsonSerializable(typeof(WalletDto))]
[JsonSerializable(typeof(WalletChangeDto))]
[JsonSerializable(typeof(ListEnvelope<WalletTransactionDto>))]
[JsonSerializable(typeof(EndUserWalletDto))]
internal sealed partial class BudgetsJsonContext : JsonSerializerContext
{
}
