using System.Diagnostics;

namespace Assistiv.Tests.Common.Host;

/// <summary>
/// Runs the real server executable (<c>gateway.dll</c>, copied next to the tests) as a child process: CLI tests, and the
/// first step of a flow that begins with <c>init</c> (API.md §1.7).
/// </summary>
internal static class GatewayProcess
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "gateway.dll");

    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string workingDirectory, CancellationToken cancellationToken, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The executable's defaults (./data/gateway.db, ./data/dp-cert.pfx) resolve in the working directory.
        psi.Environment.Remove("ConnectionStrings__Gateway");
        psi.Environment.Remove("Gateway__Database__Provider");
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A cancelled test must not leave its child running.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public static string NewWorkingDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gw-cli-tests", Guid.CreateVersion7().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
