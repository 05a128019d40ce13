using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>One build of the matrix: which toolchain, how it was built, and what Go's own rules make of it.</summary>
public sealed record GoMatrixBuild(string Toolchain, string Name, string Path, GoCryptoModule Module, CheckStatus Status, string? ModuleVersionPrefix);

/// <summary>
/// Real Go binaries from three toolchains, built once per test run: Go 1.24 and Go 1.26 (the first with GOFIPS140,
/// from Debian's golang-1.24-go / golang-1.26-go packages through tests/Infrastructure/go-toolchain.sh, cached under
/// /tmp/fc-cache) and the system's older Go (golang-go). Each build carries the classification Go's documentation
/// gives it (go.dev/doc/security/fips140: GOFIPS140=v1.0.0 selects the validated Go Cryptographic Module v1.0.0,
/// GOFIPS140=latest the unvalidated in-tree module, a //go:debug fips140=on|off directive sets DefaultGODEBUG; no
/// option is standard crypto). Debian's golang-1.26 repacks lib/fips140/*.zip, so its GOFIPS140=v1.0.0 fails cmd/go's
/// own checksum check: v1.0.0 is built with 1.24 only. Without a toolchain the tests skip, except under CI=true.
/// </summary>
public sealed class GoFipsToolchainMatrix : IDisposable
{
    private const string MainGo = """
        package main

        import (
        	"crypto/sha256"
        	"crypto/tls"
        	"fmt"
        )

        func main() {
        	sum := sha256.Sum256([]byte("fips"))
        	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
        	fmt.Println(cfg.MinVersion, sum[0])
        }
        """;

    private const string NoCryptoGo = """
        package main

        import "fmt"

        func main() { fmt.Println("no crypto here") }
        """;

    public GoFipsToolchainMatrix()
    {
        Root = Path.Combine(Path.GetTempPath(), "fc-gomatrix-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Build();
        }
        catch (Exception ex)
        {
            Unavailable = ex.Message;
        }
    }

    public string Root { get; }

    public string? Unavailable { get; private set; }

    public List<GoMatrixBuild> Builds { get; } = new();

    /// <summary>Toolchain name → the go binary that built its fixtures (the independent reader: 'go version -m').</summary>
    public Dictionary<string, string> GoBinaries { get; } = new(StringComparer.Ordinal);

    public GoMatrixBuild this[string toolchain, string name] => Builds.Single(b => b.Toolchain == toolchain && b.Name == name);

    public void Require() => TestEnvironment.Require(Unavailable, "the Go toolchain matrix cannot be built");

    /// <summary>The repository root (tests/Infrastructure lives there).</summary>
    public static string RepoRoot() => TestEnvironment.RepoRoot;

    private static string Toolchain(string version)
    {
        var script = Path.Combine(RepoRoot(), "tests", "Infrastructure", "go-toolchain.sh");
        var (code, stdout, stderr) = Run("bash", Path.GetTempPath(), null, script, version);
        if (code != 0)
        {
            throw new InvalidOperationException($"go-toolchain.sh {version} failed: {stderr.Trim()}");
        }
        var go = Path.Combine(stdout.Trim(), "bin", "go");
        return File.Exists(go) ? go : throw new InvalidOperationException($"go-toolchain.sh {version} printed '{stdout.Trim()}', which has no bin/go");
    }

    private void Build()
    {
        var app = Module("app", MainGo, "go 1.24");
        var debugOn = Module("debug-on", "//go:debug fips140=on\n" + MainGo, "go 1.24");
        var debugOff = Module("debug-off", "//go:debug fips140=off\n" + MainGo, "go 1.24");
        var noCrypto = Module("nocrypto", NoCryptoGo, "go 1.24");
        var oldApp = Module("app-old", MainGo, "go 1.19");

        var plan = new List<(string Toolchain, string Name, string Dir, Dictionary<string, string> Env, string[] Flags, GoCryptoModule Module, CheckStatus Status, string? Version)>();
        foreach (var v in new[] { "1.24", "1.26" })
        {
            GoBinaries[v] = Toolchain(v);
            plan.Add((v, "standard", app, new(), Array.Empty<string>(), GoCryptoModule.Standard, CheckStatus.Fail, null));
            plan.Add((v, "gofips140-latest", app, new() { ["GOFIPS140"] = "latest" }, Array.Empty<string>(), GoCryptoModule.GoFips140, CheckStatus.Warning, "latest"));
            plan.Add((v, "godebug-fips140-on", debugOn, new(), Array.Empty<string>(), GoCryptoModule.GoFips140, CheckStatus.Warning, null));
            plan.Add((v, "gofips140-latest-godebug-off", debugOff, new() { ["GOFIPS140"] = "latest" }, Array.Empty<string>(), GoCryptoModule.Standard, CheckStatus.Fail, null));
            plan.Add((v, "gofips140-latest-stripped", app, new() { ["GOFIPS140"] = "latest" }, new[] { "-ldflags=-s -w", "-trimpath" }, GoCryptoModule.GoFips140, CheckStatus.Warning, "latest"));
            plan.Add((v, "gofips140-latest-arm64", app, new() { ["GOFIPS140"] = "latest", ["GOARCH"] = "arm64" }, Array.Empty<string>(), GoCryptoModule.GoFips140, CheckStatus.Warning, "latest"));
            plan.Add((v, "nocrypto", noCrypto, new(), Array.Empty<string>(), GoCryptoModule.None, CheckStatus.NotApplicable, null));
        }
        // The validated module, v1.0.0 (CMVP #5247): Go 1.24's lib/fips140 snapshot.
        plan.Add(("1.24", "gofips140-v1.0.0", app, new() { ["GOFIPS140"] = "v1.0.0" }, Array.Empty<string>(), GoCryptoModule.GoFips140, CheckStatus.Pass, "v1.0.0"));
        plan.Add(("1.24", "gofips140-v1.0.0-godebug-off", debugOff, new() { ["GOFIPS140"] = "v1.0.0" }, Array.Empty<string>(), GoCryptoModule.Standard, CheckStatus.Fail, null));
        plan.Add(("1.24", "gofips140-v1.0.0-stripped-pie", app, new() { ["GOFIPS140"] = "v1.0.0" }, new[] { "-ldflags=-s -w", "-buildmode=pie" }, GoCryptoModule.GoFips140, CheckStatus.Pass, "v1.0.0"));
        plan.Add(("1.24", "gofips140-v1.0.0-arm64-stripped", app, new() { ["GOFIPS140"] = "v1.0.0", ["GOARCH"] = "arm64" }, new[] { "-ldflags=-s -w" }, GoCryptoModule.GoFips140, CheckStatus.Pass, "v1.0.0"));
        plan.Add(("1.24", "gofips140-v1.0.0-windows", app, new() { ["GOFIPS140"] = "v1.0.0", ["GOOS"] = "windows" }, Array.Empty<string>(), GoCryptoModule.GoFips140, CheckStatus.Pass, "v1.0.0"));
        plan.Add(("1.24", "gofips140-off", app, new() { ["GOFIPS140"] = "off" }, Array.Empty<string>(), GoCryptoModule.Standard, CheckStatus.Fail, null));

        // The system's older Go (no GOFIPS140): standard and, where cgo works, BoringCrypto.
        if (FindSystemGo() is { } systemGo)
        {
            GoBinaries["system"] = systemGo;
            plan.Add(("system", "standard", oldApp, new(), Array.Empty<string>(), GoCryptoModule.Standard, CheckStatus.Fail, null));
            plan.Add(("system", "boringcrypto", oldApp, new() { ["GOEXPERIMENT"] = "boringcrypto", ["CGO_ENABLED"] = "1" }, Array.Empty<string>(), GoCryptoModule.BoringCrypto, CheckStatus.Pass, null));
            plan.Add(("system", "boringcrypto-nocgo", oldApp, new() { ["GOEXPERIMENT"] = "boringcrypto" }, Array.Empty<string>(), GoCryptoModule.Standard, CheckStatus.Fail, null));
        }
        else
        {
            throw new InvalidOperationException("the system Go toolchain is not installed (apt-get install golang-go)");
        }

        var output = Path.Combine(Root, "bin");
        Directory.CreateDirectory(output);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(plan, new ParallelOptions { MaxDegreeOfParallelism = 2 }, b =>
        {
            var target = Path.Combine(output, $"{b.Toolchain}-{b.Name}");
            var args = new List<string> { "build", "-o", target };
            args.AddRange(b.Flags);
            args.Add(".");
            var (code, _, stderr) = Run(GoBinaries[b.Toolchain], b.Dir, GoEnvironment(b.Env), args.ToArray());
            if (code != 0)
            {
                failures.Add($"go {b.Toolchain} {b.Name}: {stderr.Trim()}");
            }
        });
        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException(string.Join("; ", failures));
        }
        foreach (var b in plan)
        {
            Builds.Add(new GoMatrixBuild(b.Toolchain, b.Name, Path.Combine(output, $"{b.Toolchain}-{b.Name}"), b.Module, b.Status, b.Version));
        }
    }

    /// <summary>'go version -m' of a fixture with the toolchain that built it: the first line and the build settings.</summary>
    public (string Version, Dictionary<string, string> Settings) GoVersionM(GoMatrixBuild build)
    {
        var (code, stdout, stderr) = Run(GoBinaries[build.Toolchain], Root, GoEnvironment(new()), "version", "-m", build.Path);
        if (code != 0)
        {
            throw new InvalidOperationException("go version -m failed: " + stderr);
        }
        var lines = stdout.Split('\n');
        var version = lines[0][(lines[0].IndexOf(':') + 1)..].Trim();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1).Select(l => l.Trim()).Where(l => l.StartsWith("build\t", StringComparison.Ordinal)))
        {
            var kv = line[6..];
            var eq = kv.IndexOf('=');
            if (eq > 0)
            {
                settings[kv[..eq]] = kv[(eq + 1)..];
            }
        }
        return (version, settings);
    }

    private string Module(string name, string mainGo, string goLine)
    {
        var dir = Path.Combine(Root, "src", name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "go.mod"), $"module example.com/{name}\n\n{goLine}\n");
        File.WriteAllText(Path.Combine(dir, "main.go"), mainGo);
        return dir;
    }

    private static Dictionary<string, string?> GoEnvironment(Dictionary<string, string> extra) => GoBuildEnvironment.Create(extra);

    private static string? FindSystemGo()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/lib/go/bin"))
        {
            var candidate = Path.Combine(dir, "go");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, string workDir, Dictionary<string, string?>? env, params string[] args)
    {
        var (code, stdout, stderr) = ProcessRunner.Run(program, args, workDir, env, timeout: TimeSpan.FromMinutes(15));
        return (code, stdout, stderr);
    }

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root))
            {
                Directory.Delete(Root, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GoFipsToolchainCollection : ICollectionFixture<GoFipsToolchainMatrix>
{
    public const string Name = "Go FIPS toolchain matrix";
}
