using System.Text.Json.Serialization;

namespace Assistiv.Connectors;

// Source-generated JSON for the few typed reads the connectors make (STYLE.md §4).
[JsonSerializable(typeof(string[]))]
internal sealed partial class ConnectorsJsonContext : JsonSerializerContext;
