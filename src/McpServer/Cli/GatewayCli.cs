using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Assistiv.Platform.Hosting;
using Assistiv.Platform.Keys;
using Assistiv.Platform.Storage;
using Assistiv.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Assistiv.McpServer.Cli;

/// <summary>
/// The command line built into the server executable (API.md §3.3): <c>serve</c> (default), <c>migrate</c>,
/// <c>init</c>, <c>platform create|list</c>, <c>key create</c>. stdout carries only the result lines (or JSON) with the
/// raw key printed once; logs go to stderr. Exit codes: 0 ok, 1 unexpected error, 2 bad arguments, 3 precondition failed.
/// </summary>
internal static class GatewayCli
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    public const int BadArguments = 2;
    public const int PreconditionFailed = 3;

    private static readonly string[] s_verbs = ["migrate", "init", "platform", "key"];

    /// <summary>
    /// True when the arguments are a CLI command rather than the server's: a known verb, a help request, or any other
    /// bare word (an unknown command, answered with exit 2 instead of starting the server). <c>serve</c>, options
    /// (<c>--urls …</c>) and ASP.NET configuration pairs (<c>Gateway:PublicBaseUrl=…</c>) start the server.
    /// </summary>
    public static bool Handles(string[] args) => args switch
    {
        [] or ["serve", ..] => false,
        [var first, ..] when s_verbs.Contains(first) || first is "help" or "--help" or "-h" or "-?" => true,
        [var first, ..] => !first.StartsWith('-') && !first.Contains('=', StringComparison.Ordinal),
    };

    /// <summary>Arguments for the web host: a leading <c>serve</c> is dropped.</summary>
    public static string[] ServeArgs(string[] args) => args is ["serve", .. var rest] ? rest : args;

    public static async Task<int> RunHostAsync(WebApplication app)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await app.RunAsync();
            return Ok;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // SIGTERM or Ctrl+C while starting (migrations, key ring): the start-up was cancelled, which is a clean stop.
            return Ok;
        }
        catch (Exception ex) when (ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or IOException)
        {
            await Console.Error.WriteLineAsync("gateway: " + ex.Message);
            return Unexpected;
        }
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object." };
        var name = new Option<string?>("--name") { Description = "Display name." };
        var slug = new Option<string?>("--slug") { Description = "Unique slug (default: from the name)." };
        var walletUsd = new Option<string?>("--wallet-usd") { Description = "Initial wallet balance in USD (default 0; at most 6 decimals)." };

        var migrate = new Command("migrate", "Apply database migrations and exit.");
        migrate.SetAction((_, ct) => WithServicesAsync(async (sp, _) =>
        {
            await DatabaseMigrator.MigrateAsync(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), ct);
            return Ok;
        }, ct));

        var init = new Command("init", "Create the first platform and an admin platform key (refuses when a platform exists).") { name, slug, walletUsd, json };
        init.SetAction((r, ct) => CreatePlatformAsync(r.GetValue(name) ?? "Default platform", r.GetValue(slug), r.GetValue(walletUsd), r.GetValue(json), firstOnly: true, ct));

        var createName = new Option<string>("--name") { Description = "Display name.", Required = true };
        var platformCreate = new Command("create", "Create a platform and an admin platform key.") { createName, slug, walletUsd, json };
        platformCreate.SetAction((r, ct) => CreatePlatformAsync(r.GetValue(createName)!, r.GetValue(slug), r.GetValue(walletUsd), r.GetValue(json), firstOnly: false, ct));
        var platformList = new Command("list", "List platforms.") { json };
        platformList.SetAction((r, ct) => ListPlatformsAsync(r.GetValue(json), ct));
        var platform = new Command("platform", "Platforms.") { platformCreate, platformList };

        var platformId = new Option<string>("--platform") { Description = "Platform id.", Required = true };
        var scopes = new Option<string?>("--scopes") { Description = "Comma-separated scopes (default admin,management,inference)." };
        var endUser = new Option<string?>("--end-user") { Description = "Mint an sk-eu_ key for this end user." };
        var expiresAt = new Option<string?>("--expires-at") { Description = "RFC 3339 expiry in the future." };
        var keyCreate = new Command("create", "Mint a platform key or, with --end-user, an end-user key.") { platformId, name, scopes, endUser, expiresAt, json };
        keyCreate.SetAction((r, ct) => CreateKeyAsync(r.GetValue(platformId)!, r.GetValue(name), r.GetValue(scopes), r.GetValue(endUser),
            r.GetValue(expiresAt), r.GetValue(json), ct));
        var key = new Command("key", "API keys.") { keyCreate };

        var root = new RootCommand("Assistiv gateway. Without a command, or with serve, it runs the server (ASP.NET options such as --urls apply).") { migrate, init, platform, key };
        var parsed = root.Parse(args is ["help", .. var rest] ? ["--help", .. rest] : args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                await Console.Error.WriteLineAsync("gateway: " + e.Message);
            }

            return BadArguments;
        }

        try
        {
            return await parsed.InvokeAsync();
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync("gateway: unexpected error: " + ex.Message);
            return Unexpected;
        }
    }

    private static Task<int> CreatePlatformAsync(string name, string? slug, string? walletUsd, bool json, bool firstOnly, CancellationToken ct) =>
        WithServicesAsync(async (sp, _) =>
        {
            // API.md §3.3: wallet balance X (default 0); X > 0 writes one top_up row. Read exactly, never through a double.
            long walletMicros = 0;
            if (walletUsd is not null && (!Assistiv.Platform.Ledger.MicroUsdText.TryParse(walletUsd, out walletMicros) || walletMicros > 1_000_000_000_000))
            {
                await Console.Error.WriteLineAsync("gateway: --wallet-usd must be an amount from 0 to 1000000 with at most 6 decimals, e.g. 25.50.");
                return BadArguments;
            }

            await DatabaseMigrator.MigrateAsync(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), ct);
            var platforms = sp.GetRequiredService<PlatformService>();
            if (firstOnly && await platforms.AnyAsync(ct))
            {
                await Console.Error.WriteLineAsync("gateway: a platform already exists; use 'platform create' for another.");
                return PreconditionFailed;
            }

            if (name.Trim().Length is < 1 or > 100 || (slug is not null && !Slugs.IsValid(slug)))
            {
                await Console.Error.WriteLineAsync("gateway: --name must be 1-100 characters and --slug must match ^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$.");
                return BadArguments;
            }

            PlatformRecord platform;
            ApiKeyRecord keyRow;
            string raw;
            try
            {
                (platform, keyRow, raw) = await platforms.CreateAsync(name, slug, walletMicros, ct);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync("gateway: " + ex.Message);
                return BadArguments;
            }

            if (json)
            {
                WriteJson(w =>
                {
                    w.WriteString("platform_id", platform.Id.ToString());
                    w.WriteString("platform_slug", platform.Slug);
                    w.WriteString("key_id", keyRow.Id.ToString());
                    w.WriteString("api_key", raw);
                });
            }
            else
            {
                Console.Out.WriteLine($"platform_id: {platform.Id}");
                Console.Out.WriteLine($"platform_key: {raw}");
            }

            return Ok;
        }, ct);

    private static Task<int> ListPlatformsAsync(bool json, CancellationToken ct) =>
        WithServicesAsync(async (sp, _) =>
        {
            await DatabaseMigrator.MigrateAsync(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), ct);
            var list = await sp.GetRequiredService<PlatformService>().ListAsync(ct);
            if (json)
            {
                using var stream = Console.OpenStandardOutput();
                using var w = new Utf8JsonWriter(stream);
                w.WriteStartArray();
                foreach (var p in list)
                {
                    w.WriteStartObject();
                    w.WriteString("id", p.Id.ToString());
                    w.WriteString("slug", p.Slug);
                    w.WriteString("name", p.Name);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.Flush();
                stream.WriteByte((byte)'\n');
            }
            else
            {
                foreach (var p in list)
                {
                    Console.Out.WriteLine($"{p.Id}\t{p.Slug}\t{p.Name}");
                }
            }

            return Ok;
        }, ct);

    private static Task<int> CreateKeyAsync(string platformIdText, string? name, string? scopesText, string? endUserText, string? expiresText,
        bool json, CancellationToken ct) =>
        WithServicesAsync(async (sp, _) =>
        {
            if (scopesText is not null && endUserText is not null)
            {
                await Console.Error.WriteLineAsync("gateway: --scopes cannot be used with --end-user (end-user keys are 'inference').");
                return BadArguments;
            }

            var scopes = "admin,management,inference";
            if (scopesText is not null)
            {
                var list = scopesText.Split(',', StringSplitOptions.TrimEntries);
                if (list.Length == 0 || list.Any(s => !KeyScopeNames.All.Contains(s)) || list.Distinct().Count() != list.Length)
                {
                    await Console.Error.WriteLineAsync("gateway: --scopes must be distinct values among admin, management, inference.");
                    return BadArguments;
                }

                scopes = string.Join(',', list);
            }

            if (name is not null && name.Trim().Length is < 1 or > 100)
            {
                await Console.Error.WriteLineAsync("gateway: --name must be 1-100 characters.");
                return BadArguments;
            }

            var time = sp.GetRequiredService<TimeProvider>();
            DateTimeOffset? expires = null;
            if (expiresText is not null)
            {
                if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var e) || e <= time.GetUtcNow())
                {
                    await Console.Error.WriteLineAsync("gateway: --expires-at must be an RFC 3339 time in the future.");
                    return BadArguments;
                }

                expires = e;
            }

            if (!Guid.TryParse(platformIdText, out var pid))
            {
                await Console.Error.WriteLineAsync("gateway: --platform must be a platform id.");
                return BadArguments;
            }

            await DatabaseMigrator.MigrateAsync(sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>(), ct);
            if (await sp.GetRequiredService<PlatformService>().FindAsync(pid, ct) is null)
            {
                await Console.Error.WriteLineAsync("gateway: no such platform.");
                return PreconditionFailed;
            }

            var keys = sp.GetRequiredService<ApiKeyService>();
            ApiKeyRecord row;
            string raw;
            if (endUserText is not null)
            {
                if (!Guid.TryParse(endUserText, out var euid) || await sp.GetRequiredService<EndUserService>().FindAsync(pid, euid, ct) is null)
                {
                    await Console.Error.WriteLineAsync("gateway: no such end user on that platform.");
                    return PreconditionFailed;
                }

                (row, raw) = await keys.CreateEndUserKeyAsync(pid, euid, name?.Trim(), expires, null, ct);
            }
            else
            {
                await using var db = await sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(ct);
                (row, raw) = keys.AddKey(db, pid, ApiKeyType.Platform, null, name?.Trim(), scopes, expires, null);
                await db.SaveChangesAsync(ct);
            }

            if (json)
            {
                WriteJson(w =>
                {
                    w.WriteString("key_id", row.Id.ToString());
                    w.WriteString("api_key", raw);
                    w.WriteString("key_prefix", row.KeyPrefix);
                });
            }
            else
            {
                Console.Out.WriteLine($"key_id: {row.Id}");
                Console.Out.WriteLine($"api_key: {raw}");
            }

            return Ok;
        }, ct);

    private static async Task<int> WithServicesAsync(Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddPlatform(runMigrations: false);
        using var host = builder.Build();
        try
        {
            return await action(host.Services, ct);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync("gateway: " + ex.Message);
            return BadArguments;
        }
    }

    private static void WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stream = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }
}
