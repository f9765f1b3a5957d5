using System.Diagnostics;
using System.Text;

namespace Assistiv.EndToEnd.Tests.Support;

/// <summary>
/// The Node.js binaries and npm packages <c>./test.sh</c> provides (<c>GATEWAY_TEST_NODE</c>, <c>GATEWAY_TEST_NODE22</c>,
/// <c>GATEWAY_TEST_NODE_MODULES</c>). A missing one fails the test with a message naming <c>./test.sh</c>; these tests
/// never skip (API.md §1.7).
/// </summary>
internal static class NodeTools
{
    public static string Node => Require("GATEWAY_TEST_NODE", "a Node.js binary");

    public static string Node22 => Require("GATEWAY_TEST_NODE22", "a Node.js >= 22 binary (the conformance CLI needs fs.globSync)");

    public static string Modules => Require("GATEWAY_TEST_NODE_MODULES", "the absolute path of tests/node/node_modules");

    /// <summary>The repository root (the folder holding <c>Assistiv.Mcp.sln</c>).</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Assistiv.Mcp.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Assistiv.Mcp.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Script(string name) => Path.Combine(RepoRoot, "tests", "node", "scripts", name);

    private static string Require(string name, string what)
    {
        var value = Environment.GetEnvironmentVariable(name);
        Assert.True(!string.IsNullOrWhiteSpace(value),
            $"{name} is not set: it names {what}. Run the tests with ./test.sh, which installs tests/node and exports it.");
        return value!;
    }

    /// <summary>Runs a process to completion (bounded by <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(
        string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoRoot,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + fileName);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', info.ArgumentList)} did not finish within {timeout}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>
/// <c>tools/auth-proxy.mjs</c> (the repository's own): a loopback proxy that adds <c>Authorization: Bearer</c> to every
/// request and passes <c>Host</c> and <c>Origin</c> through, for clients that cannot send a header (the conformance CLI).
/// </summary>
internal sealed class AuthProxy : IAsyncDisposable
{
    private readonly Process _process;

    private AuthProxy(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<AuthProxy> StartAsync(Uri target, string bearer, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(NodeTools.Node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(NodeTools.RepoRoot, "tools", "auth-proxy.mjs"));
        info.ArgumentList.Add("--listen");
        info.ArgumentList.Add("0");
        info.ArgumentList.Add("--target");
        info.ArgumentList.Add(target.GetLeftPart(UriPartial.Authority));
        // The key goes through the environment, not argv.
        info.Environment["PROXY_BEARER"] = bearer;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the auth proxy");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("listening ", StringComparison.Ordinal))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("auth-proxy did not start: " + line + " " + await process.StandardError.ReadToEndAsync(cancellationToken));
        }

        return new AuthProxy(process, int.Parse(line["listening ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
