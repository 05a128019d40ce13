using System.Diagnostics;
using FipsCluster.Core.Tests.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// Runs a command as a node would with /proc/sys/crypto/fips_enabled reading 0 or 1 (or missing): in a private mount
/// namespace (unshare -m, as root) where a tmpfs covers /proc/sys and holds crypto/fips_enabled — the same trick as
/// tests/Infrastructure/fips-node.sh. Further setup lines (more mounts) run before the command; every mount vanishes
/// with the process. The host is unchanged.
/// </summary>
internal static class FipsFlagNamespace
{
    private static readonly Lazy<string?> Problem = new(() =>
    {
        if (KubeletGateFixture.Which("unshare") is null)
        {
            return "unshare is not installed (apt-get install util-linux)";
        }
        try
        {
            var (exit, _, error) = Run("1", "true", Array.Empty<string>());
            return exit == 0 ? null : $"unshare -m with a tmpfs on /proc/sys failed (root is needed): {error.Trim()}";
        }
        catch (Exception ex)
        {
            return "unshare failed: " + ex.Message;
        }
    });

    /// <summary>Skips without mount namespaces — or fails under CI=true.</summary>
    public static void Require()
    {
        if (Problem.Value is not { } why)
        {
            return;
        }
        if (GoToolchainFixture.InCi)
        {
            Assert.Fail("CI=true and no private mount namespace with a fake fips_enabled can be made: " + why);
        }
        Skip.If(true, why);
    }

    /// <summary>
    /// Runs <paramref name="command"/> (a program and its arguments) with fips_enabled = <paramref name="fipsEnabled"/>
    /// (null: the file does not exist), after <paramref name="setup"/> (sh lines, run as root in the namespace).
    /// </summary>
    public static (int Exit, string Output, string Error) Run(string? fipsEnabled, string setup, IReadOnlyList<string> command, IDictionary<string, string>? env = null)
    {
        var script = "set -e\nmount -t tmpfs fcfips /proc/sys\n"
            + (fipsEnabled is null ? "" : "mkdir /proc/sys/crypto\nprintf '%s\\n' \"$FC_FIPS_ENABLED\" > /proc/sys/crypto/fips_enabled\n")
            + setup + "\nset +e\n[ -z \"${FC_EXEC_PATH:-}\" ] || PATH=$FC_EXEC_PATH\nexport PATH\nexec \"$@\"\n";
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-m", "--propagation", "private", "/bin/sh", "-c", script, "sh" }.Concat(command.Count == 0 ? new[] { "true" } : command))
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["FC_FIPS_ENABLED"] = fipsEnabled ?? "";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            // The setup needs the usual PATH (mount, mkdir); the command gets the one asked for.
            start.Environment[k == "PATH" ? "FC_EXEC_PATH" : k] = v;
        }
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(true);
            throw new TimeoutException("the command in the namespace did not finish in 2 minutes");
        }
        return (p.ExitCode, output.Result, error.Result);
    }
}
