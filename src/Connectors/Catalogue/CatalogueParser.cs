using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Microsoft.Extensions.Configuration;

namespace Assistiv.Connectors.Catalogue;

/// <summary>
/// Reads and lints <c>connectors.json</c> the YARP way (STYLE.md §3): every error is collected, each naming its location
/// and what to fix, and the catalogue is built only when there are none. The lint is API.md §8.3 and §12: tool names
/// <c>^[a-zA-Z0-9_-]{1,48}$</c> prefixed <c>{app}_</c> and unique; non-empty title and description; annotation hints
/// forming one of the five sets; every <c>array</c> schema has <c>items</c>; no null or empty <c>enum</c>; input schemas
/// are objects with <c>properties</c> (also when empty) and root <c>additionalProperties: false</c>; every schema compiles
/// and passes the 2020-12 meta-schema (JsonSchema.Net); list tools say to call again with <c>next</c>.
/// </summary>
internal static partial class CatalogueParser
{
    public const string ConnectorsFileKey = "Gateway:ConnectorsFile";
    private const string FileName = "connectors.json";

    private static readonly FrozenSet<string> s_appKeys = FrozenSet.ToFrozenSet(
        ["id", "name", "mock_only", "api_base_url", "oauth", "settings_schema", "setting_endpoints", "tools"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_oauthKeys = FrozenSet.ToFrozenSet(
        ["authorize_url", "token_url", "revoke_url", "revoke_method", "scope_parameter", "scope_separator", "default_scopes",
         "pkce", "extra_authorize_params"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_toolKeys = FrozenSet.ToFrozenSet(
        ["name", "title", "description", "annotations", "inputSchema", "outputSchema"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_hintKeys = FrozenSet.ToFrozenSet(
        ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"], StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_endpointKeys = FrozenSet.ToFrozenSet(
        ["authorize_url", "token_url", "api_base_url"], StringComparer.Ordinal);

    // Pagination arguments of list tools (API.md §8.3: next is {"page"}, {"cursor"} or {"from"}).
    private static readonly string[] s_pagingArguments = ["page", "cursor", "from"];

    private static readonly Lock s_metaSchemaLock = new();

    private static EvaluationOptions ArgumentValidatorOptions => Registry.ArgumentValidator.Options;

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,48}$", RegexOptions.CultureInvariant)]
    private static partial Regex ToolNamePattern();

    [GeneratedRegex("^[a-z][a-z0-9]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex AppIdPattern();

    public static string LocateFile(IConfiguration configuration, string? contentRootPath)
    {
        var root = contentRootPath ?? Directory.GetCurrentDirectory();
        var configured = configuration[ConnectorsFileKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var path = Path.IsPathRooted(configured) ? configured : Path.GetFullPath(Path.Combine(root, configured));
            if (!File.Exists(path))
            {
                throw new ConnectorCatalogueException($"{ConnectorsFileKey} names '{path}', which does not exist; point it at the connectors.json file.");
            }

            return path;
        }

        var nextToExecutable = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(nextToExecutable))
        {
            return nextToExecutable;
        }

        var inContentRoot = Path.Combine(root, FileName);
        if (File.Exists(inContentRoot))
        {
            return inContentRoot;
        }

        throw new ConnectorCatalogueException(
            $"{FileName} was found neither next to the executable ({AppContext.BaseDirectory}) nor in the content root ({root}); " +
            $"set {ConnectorsFileKey} to its path.");
    }

    public static ConnectorCatalogue Parse(string json, CatalogueLoadOptions options, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ConnectorCatalogueException($"{source}: not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            var errors = new List<string>();
            var apps = new List<AppDescriptor>();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("apps", out var appsElement)
                || appsElement.ValueKind != JsonValueKind.Array || appsElement.GetArrayLength() == 0)
            {
                throw new ConnectorCatalogueException($"{source}: the root must be an object with a non-empty \"apps\" array.");
            }

            var appIds = new HashSet<string>(StringComparer.Ordinal);
            var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var appElement in appsElement.EnumerateArray())
            {
                var path = $"apps[{index++}]";
                var app = ParseApp(appElement, path, options, errors);
                if (app is null)
                {
                    continue;
                }

                if (!appIds.Add(app.Id))
                {
                    errors.Add($"{path}.id: app id '{app.Id}' is used twice; app ids must be unique.");
                }

                apps.Add(app);
            }

            // Names are checked on the raw file, so a duplicate is reported even when either tool has other errors.
            index = 0;
            foreach (var appElement in appsElement.EnumerateArray())
            {
                var path = $"apps[{index++}]";
                if (appElement.ValueKind != JsonValueKind.Object || !appElement.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array)
                {
                    continue;
                }

                var t = 0;
                foreach (var tool in tools.EnumerateArray())
                {
                    var toolPath = $"{path}.tools[{t++}]";
                    if (tool.ValueKind != JsonValueKind.Object || tool.Str("name") is not { } name)
                    {
                        continue;
                    }

                    if (toolNames.TryGetValue(name, out var first))
                    {
                        errors.Add($"{toolPath}: tool name '{name}' is already used at {first}; tool names must be unique.");
                    }
                    else
                    {
                        toolNames[name] = toolPath;
                    }
                }
            }

            if (toolNames.Count > ConnectorCatalogue.MaxTools)
            {
                errors.Add($"{source}: {toolNames.Count} tools exceed the limit of {ConnectorCatalogue.MaxTools}.");
            }

            if (errors.Count > 0)
            {
                throw new ConnectorCatalogueException(errors);
            }

            return Build(apps, options);
        }
    }

    private static ConnectorCatalogue Build(List<AppDescriptor> parsed, CatalogueLoadOptions options)
    {
        var apps = new List<AppDescriptor>();
        foreach (var app in parsed)
        {
            if (!app.MockOnly || options.EnableMockApps)
            {
                apps.Add(app);
            }
        }

        apps.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        var toolIndex = 0;
        for (var i = 0; i < apps.Count; i++)
        {
            var app = apps[i];
            app.Index = i;
            var mask = UInt128.Zero;
            foreach (var tool in app.Tools)
            {
                tool.Index = toolIndex;
                mask |= UInt128.One << toolIndex;
                toolIndex++;
            }

            app.ToolMask = mask;
        }

        return new ConnectorCatalogue(apps);
    }

    private static AppDescriptor? ParseApp(JsonElement element, string path, CatalogueLoadOptions options, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: an app must be an object.");
            return null;
        }

        var before = errors.Count;
        RejectUnknownKeys(element, s_appKeys, path, errors);
        var id = RequiredString(element, "id", path, errors);
        if (id is not null && !AppIdPattern().IsMatch(id))
        {
            errors.Add($"{path}.id: '{id}' must match ^[a-z][a-z0-9]{{0,31}}$ (lowercase letters and digits; it prefixes tool names with '_').");
        }

        var name = RequiredString(element, "name", path, errors);
        var mockOnly = RequiredBool(element, "mock_only", path, errors);
        var overrides = id is not null && options.Overrides.TryGetValue(id, out var o) ? o : null;

        string? apiBaseUrl = null;
        if (!element.TryGetProperty("api_base_url", out var api))
        {
            errors.Add($"{path}.api_base_url: required (an absolute https URL, or null for an app served in process).");
        }
        else if (api.ValueKind == JsonValueKind.String)
        {
            apiBaseUrl = api.GetString()!;
            CheckUrl(apiBaseUrl, $"{path}.api_base_url", errors);
        }
        else if (api.ValueKind != JsonValueKind.Null)
        {
            errors.Add($"{path}.api_base_url: must be a string or null.");
        }

        if (overrides?.ApiBaseUrl is { } apiOverride)
        {
            CheckOverride(apiOverride, id!, "ApiBaseUrl", errors);
            apiBaseUrl = apiOverride;
        }

        var oauth = element.TryGetProperty("oauth", out var oauthElement)
            ? ParseOAuth(oauthElement, $"{path}.oauth", overrides, id, errors)
            : AddError<OAuthDescriptor>(errors, $"{path}.oauth: required (the app's OAuth descriptor).");

        var settingKeys = new List<string>();
        JsonElement settingsSchema = default;
        if (!element.TryGetProperty("settings_schema", out var settings))
        {
            errors.Add($"{path}.settings_schema: required (a JSON Schema object of the activation settings; use {{\"type\":\"object\",\"properties\":{{}},\"additionalProperties\":false}} for none).");
        }
        else
        {
            settingsSchema = settings.Clone();
            if (LintObjectSchema(settings, $"{path}.settings_schema", errors) && settings.TryGetProperty("properties", out var props))
            {
                foreach (var p in props.EnumerateObject())
                {
                    settingKeys.Add(p.Name);
                }
            }

            Compile(settings, $"{path}.settings_schema", errors);
        }

        var settingEndpoints = ParseSettingEndpoints(element, path, settingKeys, errors);

        if (errors.Count > before || id is null || name is null || oauth is null)
        {
            // Still lint the tools, so one run reports everything.
            if (element.TryGetProperty("tools", out var toolsOnly) && toolsOnly.ValueKind == JsonValueKind.Array)
            {
                var stub = new AppDescriptor(id ?? "?", name ?? "?", mockOnly, apiBaseUrl, oauth ?? EmptyOAuth, settingsSchema, settingKeys, settingEndpoints);
                ParseTools(toolsOnly, path, stub, errors);
            }

            return null;
        }

        var app = new AppDescriptor(id, name, mockOnly, apiBaseUrl?.TrimEnd('/'), oauth, settingsSchema, settingKeys, settingEndpoints);
        if (!element.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array || tools.GetArrayLength() == 0)
        {
            errors.Add($"{path}.tools: required, a non-empty array of tools.");
            return null;
        }

        var before2 = errors.Count;
        app.Tools = ParseTools(tools, path, app, errors);
        return errors.Count > before2 ? null : app;
    }

    private static readonly OAuthDescriptor EmptyOAuth = new("", "", null, null, "", "", [], false, FrozenDictionary<string, string>.Empty);

    private static List<ToolDescriptor> ParseTools(JsonElement tools, string appPath, AppDescriptor app, List<string> errors)
    {
        var result = new List<ToolDescriptor>();
        var i = 0;
        foreach (var element in tools.EnumerateArray())
        {
            var tool = ParseTool(element, $"{appPath}.tools[{i}]", app, i, errors);
            if (tool is not null)
            {
                result.Add(tool);
            }

            i++;
        }

        return result;
    }

    private static ToolDescriptor? ParseTool(JsonElement element, string path, AppDescriptor app, int indexInApp, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: a tool must be an object.");
            return null;
        }

        var before = errors.Count;
        var name = RequiredString(element, "name", path, errors);
        if (name is not null)
        {
            path = $"{path} ({name})";
            if (!ToolNamePattern().IsMatch(name))
            {
                errors.Add($"{path}.name: must match ^[a-zA-Z0-9_-]{{1,48}}$ (API.md §12), so a client's server prefix still fits.");
            }

            if (!name.StartsWith(app.Id + "_", StringComparison.Ordinal))
            {
                errors.Add($"{path}.name: must start with '{app.Id}_' (names are {{app}}_{{action}}, API.md §8.3).");
            }
        }

        RejectUnknownKeys(element, s_toolKeys, path, errors);
        var title = RequiredString(element, "title", path, errors);
        var description = RequiredString(element, "description", path, errors);
        var hints = ParseHints(element, path, errors);

        JsonSchema? inputValidator = null;
        JsonElement inputSchema = default;
        if (!element.TryGetProperty("inputSchema", out var input))
        {
            errors.Add($"{path}.inputSchema: required (a JSON Schema object; use {{\"type\":\"object\",\"properties\":{{}},\"additionalProperties\":false}} for no arguments).");
        }
        else
        {
            inputSchema = input.Clone();
            LintObjectSchema(input, $"{path}.inputSchema", errors);
            inputValidator = Compile(input, $"{path}.inputSchema", errors);
            if (description is not null && input.ValueKind == JsonValueKind.Object && input.TryGetProperty("properties", out var props)
                && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var paging in s_pagingArguments)
                {
                    if (props.TryGetProperty(paging, out _) && !description.Contains("`next`", StringComparison.Ordinal))
                    {
                        errors.Add($"{path}.description: a list tool (argument '{paging}') must say to call again with the argument named in `next` (API.md §8.3).");
                        break;
                    }
                }
            }
        }

        JsonSchema? outputValidator = null;
        JsonElement? outputSchema = null;
        if (element.TryGetProperty("outputSchema", out var output))
        {
            outputSchema = output.Clone();
            if (output.ValueKind != JsonValueKind.Object || !IsType(output, "object"))
            {
                errors.Add($"{path}.outputSchema: must be a JSON Schema with \"type\": \"object\" (structuredContent is an object for 2025-era clients).");
            }
            else
            {
                LintSchema(output, $"{path}.outputSchema", errors);
            }

            outputValidator = Compile(output, $"{path}.outputSchema", errors);
        }

        if (errors.Count > before || name is null || title is null || description is null || inputValidator is null || hints is null)
        {
            return null;
        }

        return new ToolDescriptor(name, app, title, description, hints.Value, inputSchema, outputSchema, inputValidator, outputValidator, indexInApp);
    }

    private static ToolHints? ParseHints(JsonElement tool, string path, List<string> errors)
    {
        if (!tool.TryGetProperty("annotations", out var a) || a.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.annotations: required, an object with readOnlyHint, destructiveHint, idempotentHint and openWorldHint.");
            return null;
        }

        RejectUnknownKeys(a, s_hintKeys, $"{path}.annotations", errors);
        var before = errors.Count;
        var hints = new ToolHints(
            RequiredBool(a, "readOnlyHint", $"{path}.annotations", errors),
            RequiredBool(a, "destructiveHint", $"{path}.annotations", errors),
            RequiredBool(a, "idempotentHint", $"{path}.annotations", errors),
            RequiredBool(a, "openWorldHint", $"{path}.annotations", errors));
        if (errors.Count > before)
        {
            return null;
        }

        if (hints.SetName is null)
        {
            errors.Add($"{path}.annotations: the hints must form one of the sets R, A, AI, D, DI of API.md §8.3.");
            return null;
        }

        return hints;
    }

    private static OAuthDescriptor? ParseOAuth(JsonElement element, string path, AppUrlOverrides? overrides, string? appId, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: must be an object.");
            return null;
        }

        var before = errors.Count;
        RejectUnknownKeys(element, s_oauthKeys, path, errors);
        var authorize = RequiredString(element, "authorize_url", path, errors);
        if (authorize is not null)
        {
            CheckUrl(authorize, $"{path}.authorize_url", errors, "{base}/");
        }

        var token = RequiredString(element, "token_url", path, errors);
        if (token is not null && !token.StartsWith(OAuthDescriptor.InProcessPrefix, StringComparison.Ordinal))
        {
            CheckUrl(token, $"{path}.token_url", errors, "{base}/");
        }
        else if (token is not null && token.Length == OAuthDescriptor.InProcessPrefix.Length)
        {
            errors.Add($"{path}.token_url: 'inprocess:' needs a name, e.g. inprocess:mock.");
        }

        var revoke = NullableString(element, "revoke_url", path, errors);
        if (revoke is not null)
        {
            CheckUrl(revoke, $"{path}.revoke_url", errors, "{api}/", "{base}/");
        }

        var revokeMethod = NullableString(element, "revoke_method", path, errors);
        if ((revoke is null) != (revokeMethod is null))
        {
            errors.Add($"{path}.revoke_method: set it exactly when revoke_url is set.");
        }
        else if (revokeMethod is not null && revokeMethod is not ("GET" or "POST" or "DELETE"))
        {
            errors.Add($"{path}.revoke_method: must be GET, POST or DELETE.");
        }

        var scopeParameter = RequiredString(element, "scope_parameter", path, errors);
        string? separator = null;
        if (!element.TryGetProperty("scope_separator", out var sep) || sep.ValueKind != JsonValueKind.String || sep.GetString()!.Length == 0)
        {
            errors.Add($"{path}.scope_separator: required, a non-empty string (\" \" or \",\").");
        }
        else
        {
            separator = sep.GetString();
        }

        var scopes = new List<string>();
        if (!element.TryGetProperty("default_scopes", out var scopesElement) || scopesElement.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"{path}.default_scopes: required, an array of scope strings.");
        }
        else
        {
            foreach (var s in scopesElement.EnumerateArray())
            {
                if (s.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(s.GetString()))
                {
                    errors.Add($"{path}.default_scopes: every scope must be a non-empty string.");
                    break;
                }

                scopes.Add(s.GetString()!);
            }
        }

        var pkce = RequiredBool(element, "pkce", path, errors);
        var extras = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!element.TryGetProperty("extra_authorize_params", out var extra) || extra.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.extra_authorize_params: required, an object of string values ({{}} for none).");
        }
        else
        {
            foreach (var p in extra.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                {
                    errors.Add($"{path}.extra_authorize_params.{p.Name}: must be a string.");
                }
                else
                {
                    extras[p.Name] = p.Value.GetString()!;
                }
            }
        }

        if (appId is not null && overrides is not null)
        {
            if (overrides.AuthorizeUrl is { } a)
            {
                CheckOverride(a, appId, "AuthorizeUrl", errors);
                authorize = a;
            }

            if (overrides.TokenUrl is { } t)
            {
                CheckOverride(t, appId, "TokenUrl", errors);
                token = t;
            }

            if (overrides.RevokeUrl is { } r)
            {
                CheckOverride(r, appId, "RevokeUrl", errors);
                revoke = r;
            }
        }

        if (errors.Count > before || authorize is null || token is null || scopeParameter is null || separator is null)
        {
            return null;
        }

        return new OAuthDescriptor(authorize, token, revoke, revokeMethod, scopeParameter, separator, scopes, pkce, extras.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static FrozenDictionary<string, AppDescriptor.SettingEndpoints> ParseSettingEndpoints(
        JsonElement app, string path, List<string> settingKeys, List<string> errors)
    {
        var result = new Dictionary<string, AppDescriptor.SettingEndpoints>(StringComparer.Ordinal);
        if (!app.TryGetProperty("setting_endpoints", out var element))
        {
            errors.Add($"{path}.setting_endpoints: required, an object ({{}} when no setting changes the app's hosts).");
            return result.ToFrozenDictionary(StringComparer.Ordinal);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.setting_endpoints: must be an object.");
            return result.ToFrozenDictionary(StringComparer.Ordinal);
        }

        foreach (var setting in element.EnumerateObject())
        {
            var p = $"{path}.setting_endpoints.{setting.Name}";
            if (!settingKeys.Contains(setting.Name))
            {
                errors.Add($"{p}: '{setting.Name}' is not a property of settings_schema.");
            }

            if (setting.Value.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{p}: must be an object with authorize_url, token_url and/or api_base_url templates.");
                continue;
            }

            RejectUnknownKeys(setting.Value, s_endpointKeys, p, errors);
            var placeholder = "{" + setting.Name + "}";
            string? Template(string key)
            {
                var value = NullableString(setting.Value, key, p, errors);
                if (value is not null && !value.StartsWith(placeholder, StringComparison.Ordinal))
                {
                    errors.Add($"{p}.{key}: must start with {placeholder}.");
                }

                return value;
            }

            result[setting.Name] = new AppDescriptor.SettingEndpoints(Template("authorize_url"), Template("token_url"), Template("api_base_url"));
        }

        return result.ToFrozenDictionary(StringComparer.Ordinal);
    }

    // Root rules of an argument or settings schema (API.md §8.3), then the recursive rules.
    private static bool LintObjectSchema(JsonElement schema, string path, List<string> errors)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: must be a JSON Schema object.");
            return false;
        }

        var ok = true;
        if (!schema.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object")
        {
            errors.Add($"{path}.type: must be \"object\".");
            ok = false;
        }

        if (!schema.TryGetProperty("properties", out var props) || props.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}.properties: required, an object (\"properties\": {{}} for a tool without arguments).");
            ok = false;
        }

        if (!schema.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
        {
            errors.Add($"{path}.additionalProperties: must be false at the root.");
            ok = false;
        }

        if (schema.TryGetProperty("required", out var required) && props.ValueKind == JsonValueKind.Object)
        {
            if (required.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{path}.required: must be an array of property names.");
            }
            else
            {
                foreach (var r in required.EnumerateArray())
                {
                    if (r.ValueKind != JsonValueKind.String || !props.TryGetProperty(r.GetString()!, out _))
                    {
                        errors.Add($"{path}.required: '{r}' is not one of the properties.");
                    }
                }
            }
        }

        LintSchema(schema, path, errors);
        return ok;
    }

    private static void LintSchema(JsonElement schema, string path, List<string> errors)
    {
        if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path}: a schema must be an object or a boolean.");
            return;
        }

        if (schema.TryGetProperty("enum", out var e) && (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0))
        {
            errors.Add($"{path}.enum: must be a non-empty array (no null or empty enum, API.md §8.3).");
        }

        if (IsType(schema, "array") && !schema.TryGetProperty("items", out _))
        {
            errors.Add($"{path}: an \"array\" schema needs \"items\" (API.md §8.3).");
        }

        foreach (var keyword in (ReadOnlySpan<string>)["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"])
        {
            if (schema.TryGetProperty(keyword, out var map) && map.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in map.EnumerateObject())
                {
                    LintSchema(p.Value, $"{path}.{keyword}.{p.Name}", errors);
                }
            }
        }

        foreach (var keyword in (ReadOnlySpan<string>)["items", "additionalProperties", "not", "if", "then", "else", "contains",
                     "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems"])
        {
            if (schema.TryGetProperty(keyword, out var sub) && sub.ValueKind is JsonValueKind.Object)
            {
                LintSchema(sub, $"{path}.{keyword}", errors);
            }
        }

        foreach (var keyword in (ReadOnlySpan<string>)["allOf", "anyOf", "oneOf", "prefixItems"])
        {
            if (schema.TryGetProperty(keyword, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var sub in list.EnumerateArray())
                {
                    LintSchema(sub, $"{path}.{keyword}[{i++}]", errors);
                }
            }
        }
    }

    private static bool IsType(JsonElement schema, string name)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return false;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.ValueEquals(name);
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in type.EnumerateArray())
            {
                if (t.ValueKind == JsonValueKind.String && t.ValueEquals(name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // Compiles with JsonSchema.Net 7.4.0, checks against the 2020-12 meta-schema, and evaluates once with the shared
    // options so the schema's evaluation structures are built at start-up, on one thread, instead of racing on the
    // first parallel calls (json-everything/json-everything#929).
    private static JsonSchema? Compile(JsonElement schema, string path, List<string> errors)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var text = schema.GetRawText();
        JsonSchema compiled;
        try
        {
            compiled = JsonSchema.FromText(text);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            errors.Add($"{path}: does not compile as a JSON Schema ({ex.Message}).");
            return null;
        }

        try
        {
            EvaluationResults meta;

            // The meta-schema is a process-wide instance; catalogues loaded in parallel (tests) must not race on it
            // (json-everything/json-everything#929). Start-up only, so the lock costs nothing that matters.
            lock (s_metaSchemaLock)
            {
                meta = MetaSchemas.Draft202012.Evaluate(JsonNode.Parse(text), ArgumentValidatorOptions);
            }

            if (!meta.IsValid)
            {
                foreach (var detail in meta.Details)
                {
                    if (detail.HasErrors)
                    {
                        foreach (var error in detail.Errors!)
                        {
                            errors.Add($"{path}{PointerToPath(detail.InstanceLocation.ToString())}: {error.Value} (JSON Schema 2020-12 meta-schema, keyword '{error.Key}').");
                        }
                    }
                }

                return null;
            }

            using var empty = JsonDocument.Parse("{}");
            compiled.Evaluate(empty.RootElement, Registry.ArgumentValidator.Options);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException or FormatException or KeyNotFoundException or RefResolutionException)
        {
            errors.Add($"{path}: does not evaluate as a JSON Schema ({ex.Message}).");
            return null;
        }

        return compiled;
    }

    private static string PointerToPath(string pointer)
    {
        if (pointer.Length == 0 || pointer == "/")
        {
            return "";
        }

        var sb = new System.Text.StringBuilder();
        foreach (var segment in pointer.TrimStart('/').Split('/'))
        {
            sb.Append('.').Append(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return sb.ToString();
    }

    private static void CheckUrl(string value, string path, List<string> errors, params string[] placeholderPrefixes)
    {
        foreach (var prefix in placeholderPrefixes)
        {
            if (value.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            var allowed = placeholderPrefixes.Length == 0 ? "" : $" or start with {string.Join(" or ", placeholderPrefixes)}";
            errors.Add($"{path}: '{value}' must be an absolute https URL{allowed}.");
        }
    }

    private static void CheckOverride(string value, string appId, string key, List<string> errors)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"Gateway:Apps:{appId}:{key}: '{value}' must be an absolute http(s) URL.");
        }
    }

    private static void RejectUnknownKeys(JsonElement element, FrozenSet<string> known, string path, List<string> errors)
    {
        foreach (var p in element.EnumerateObject())
        {
            if (!known.Contains(p.Name) && !p.Name.StartsWith('$'))
            {
                errors.Add($"{path}.{p.Name}: unknown key (expected one of {string.Join(", ", known.Order(StringComparer.Ordinal))}).");
            }
        }
    }

    private static string? RequiredString(JsonElement element, string key, string path, List<string> errors)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add($"{path}.{key}: required, a non-empty string.");
            return null;
        }

        return value.GetString();
    }

    private static string? NullableString(JsonElement element, string key, string path, List<string> errors)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            errors.Add($"{path}.{key}: must be a non-empty string or null.");
            return null;
        }

        return value.GetString();
    }

    private static bool RequiredBool(JsonElement element, string key, string path, List<string> errors)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            errors.Add($"{path}.{key}: required, true or false.");
            return false;
        }

        return value.GetBoolean();
    }

    private static T? AddError<T>(List<string> errors, string message)
        where T : class
    {
        errors.Add(message);
        return null;
    }
}
