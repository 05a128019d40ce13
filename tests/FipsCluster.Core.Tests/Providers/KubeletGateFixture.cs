using System.Text;
using FipsCluster.Core.Tests.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// What the kubelet FIPS gate is judged on, beyond the Go 1.19 builds of <see cref="GoToolchainFixture"/> (used read-only):
/// real builds with Go 1.24 (tests/Infrastructure/go-toolchain.sh; Debian's golang-1.24 .debs) — GOFIPS140=v1.0.0 for
/// amd64 and arm64, GOFIPS140=v1.0.0 with //go:debug fips140=off, GOFIPS140=latest, BoringCrypto as a PIE, and
/// BoringCrypto cross-built for arm64 with cgo (gcc-aarch64-linux-gnu), plain and stripped — and the tools the gate is
/// run and checked with: dash (/bin/sh), busybox sh, shellcheck. Without one of them the tests skip — with CI=true they
/// fail.
/// </summary>
public sealed class KubeletGateFixture : IDisposable
{
    private const string MainGo = """
        package main

        import (
        	"crypto/sha256"
        	"crypto/tls"
        	"fmt"
        )

        func main() {
        	sum := sha256.Sum256([]byte("kubelet"))
        	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
        	fmt.Println(cfg.MinVersion, sum[0])
        }
        """;

    public KubeletGateFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "fc-gate-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Root);
        var missing = new List<string>();
        foreach (var (tool, package) in new[] { ("/bin/sh", "dash"), ("busybox", "busybox"), ("shellcheck", "shellcheck"), ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"), ("gcc", "gcc") })
        {
            if (Which(tool) is null)
            {
                missing.Add($"{tool} (apt-get install {package})");
            }
        }
        Busybox = Which("busybox");
        Shellcheck = Which("shellcheck");
        if (missing.Count > 0)
        {
            Unavailable = "missing: " + string.Join(", ", missing);
            return;
        }
        try
        {
            ToolsPath = Path.Combine(Root, "minimal-rhel-tools");
            Directory.CreateDirectory(ToolsPath);
            foreach (var tool in MinimalRhelTools)
            {
                File.CreateSymbolicLink(Path.Combine(ToolsPath, tool), Which(tool) ?? throw new InvalidOperationException(tool + " is not installed"));
            }
            Build();
        }
        catch (Exception ex)
        {
            Unavailable = "building the Go 1.24 fixtures failed: " + ex.Message;
        }
    }

    public string Root { get; }

    /// <summary>The only external programs the gate may use: what coreutils-single, grep and sed put in ubi-minimal.</summary>
    public static readonly string[] MinimalRhelTools = { "cat", "cut", "head", "od", "sort", "tail", "tr", "wc", "grep", "sed" };

    /// <summary>A PATH holding only <see cref="MinimalRhelTools"/>.</summary>
    public string ToolsPath { get; } = "";

    public string? Unavailable { get; }

    public string? Busybox { get; }

    public string? Shellcheck { get; }

    /// <summary>Fixture name → path of the Go 1.24 builds.</summary>
    public Dictionary<string, string> Binaries { get; } = new(StringComparer.Ordinal);

    /// <summary>Skips the calling test when a tool or fixture is missing — or fails it under CI=true.</summary>
    public void Require() => TestEnvironment.Require(Unavailable, "the kubelet gate fixtures are unavailable");

    private void Build()
    {
        var goroot = Run(RepositoryFile("tests/Infrastructure/go-toolchain.sh"), Root, null, "1.24").Trim();
        var go = Path.Combine(goroot, "bin", "go");
        var app = Path.Combine(Root, "src", "app");
        var debugOff = Path.Combine(Root, "src", "debugoff");
        foreach (var dir in new[] { app, debugOff })
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "go.mod"), "module example.com/gatefixture\n\ngo 1.19\n");
            File.WriteAllText(Path.Combine(dir, "main.go"), MainGo);
        }
        // The default GODEBUG of the main package: recorded as DefaultGODEBUG=...fips140=off in the build info.
        File.WriteAllText(Path.Combine(debugOff, "debug.go"), "//go:debug fips140=off\npackage main\n");

        var fips = new Dictionary<string, string> { ["GOFIPS140"] = "v1.0.0" };
        var boring = new Dictionary<string, string> { ["GOEXPERIMENT"] = "boringcrypto", ["CGO_ENABLED"] = "1" };
        var boringArm64 = new Dictionary<string, string>(boring) { ["GOARCH"] = "arm64", ["CC"] = "aarch64-linux-gnu-gcc" };
        var builds = new (string Name, string Dir, Dictionary<string, string> Env, string[] Extra)[]
        {
            ("go1.24-std", app, new(), Array.Empty<string>()),
            ("go1.24-gofips140-v1.0.0", app, fips, Array.Empty<string>()),
            ("go1.24-gofips140-v1.0.0-arm64", app, new(fips) { ["GOARCH"] = "arm64" }, Array.Empty<string>()),
            ("go1.24-gofips140-v1.0.0-debug-off", debugOff, fips, Array.Empty<string>()),
            ("go1.24-gofips140-latest", app, new() { ["GOFIPS140"] = "latest" }, Array.Empty<string>()),
            ("go1.24-boring-pie", app, boring, new[] { "-buildmode=pie" }),
            ("go1.24-boring-arm64", app, boringArm64, Array.Empty<string>()),
            ("go1.24-boring-arm64-stripped", app, boringArm64, new[] { "-ldflags=-s -w" }),
        };
        var bin = Path.Combine(Root, "bin");
        Directory.CreateDirectory(bin);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(builds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, b =>
        {
            var env = new Dictionary<string, string>(b.Env);
            var args = new List<string> { "build", "-o", Path.Combine(bin, b.Name) };
            args.AddRange(b.Extra);
            args.Add(".");
            try
            {
                Run(go, b.Dir, GoEnvironment(env), args.ToArray());
            }
            catch (Exception ex)
            {
                failures.Add($"{b.Name}: {ex.Message}");
            }
        });
        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException(string.Join("; ", failures));
        }
        foreach (var b in builds)
        {
            Binaries[b.Name] = Path.Combine(bin, b.Name);
        }
    }

    /// <summary>The gate's builds target linux/amd64 unless one asks otherwise, with the FIPS module off by default.</summary>
    private static readonly Dictionary<string, string> PinnedTarget = new() { ["GOFIPS140"] = "off", ["GOOS"] = "linux", ["GOARCH"] = "amd64" };

    private static Dictionary<string, string?> GoEnvironment(Dictionary<string, string> extra) => GoBuildEnvironment.Create(PinnedTarget.Concat(extra));

    /// <summary>Runs a program; returns stdout, throws with stderr on failure.</summary>
    public static string Run(string program, string workDir, IDictionary<string, string?>? env, params string[] args) =>
        ProcessRunner.RunChecked(program, args, workDir, env, timeout: TimeSpan.FromMinutes(15));

    /// <summary>A file of this repository (tests/Infrastructure/…).</summary>
    public static string RepositoryFile(string relative) => TestEnvironment.RepositoryFile(relative);

    public static string? Which(string tool)
    {
        if (tool.StartsWith('/'))
        {
            return File.Exists(tool) ? tool : null;
        }
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" })
            .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
    }

    /// <summary>Bytes as UTF-8, for text fixtures.</summary>
    public static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
