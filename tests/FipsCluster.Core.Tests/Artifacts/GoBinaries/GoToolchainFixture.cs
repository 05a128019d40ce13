using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// Real Go binaries, built once per test run with the installed toolchain (Debian's golang-go) from a small
/// program that imports crypto/tls and crypto/sha256 and a locally replaced module: standard, BoringCrypto,
/// BoringCrypto with CGO_ENABLED=0, fipsonly, stripped, no crypto, and cross-compiled PE, Mach-O, big-endian
/// and 32-bit ELF. No network: GOPROXY=off, the only dependency is a replace to a directory.
/// Without go the tests skip — except with CI=true, where that is a failure.
/// </summary>
public sealed class GoToolchainFixture : IDisposable
{
    private const string MainGo = """
        package main

        import (
        	"crypto/sha256"
        	"crypto/tls"
        	"fmt"

        	"example.com/lib"
        )

        func main() {
        	sum := sha256.Sum256([]byte(lib.Name()))
        	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
        	fmt.Println(cfg.MinVersion, sum[0])
        }
        """;

    private const string FipsOnlyGo = """
        package main

        import _ "crypto/tls/fipsonly"
        """;

    private const string NoCryptoGo = """
        package main

        import "fmt"

        func main() { fmt.Println("no crypto here") }
        """;

    public GoToolchainFixture()
    {
        Go = FindGo();
        if (Go is null)
        {
            Unavailable = "the go toolchain is not installed (apt-get install golang-go)";
            return;
        }
        Root = Path.Combine(Path.GetTempPath(), "fc-gobin-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Build();
        }
        catch (Exception ex)
        {
            Unavailable = "building the Go fixtures failed: " + ex.Message;
        }
    }

    public string? Go { get; }
    public string Root { get; } = "";
    public string? Unavailable { get; }

    /// <summary>Fixture name → path.</summary>
    public Dictionary<string, string> Binaries { get; } = new(StringComparer.Ordinal);

    public static bool InCi => TestEnvironment.InCi;

    public string this[string name] => Binaries[name];

    /// <summary>Skips the calling test when go is missing — or fails it under CI=true.</summary>
    public void RequireGo() => TestEnvironment.Require(Unavailable, "the Go fixtures cannot be built");

    /// <summary>
    /// Every Go binary here, by where it lies: the fixture's flavours (BoringCrypto, fipsonly, stripped, PE, Mach-O,
    /// arm64…), the toolchain's own stripped tools, and the Go binaries the packages installed (PIE and not, with and
    /// without .gnu.hash). Directories as such, for the directory walk; <see cref="GoBinaryAnalyzer.Expand"/> lists their files.
    /// </summary>
    public List<string> GoBinaryPlaces()
    {
        var places = new List<string> { Path.Combine(Root, "bin") };
        places.AddRange(new[] { "/usr/lib/go/pkg/tool/linux_amd64", "/usr/lib/go/bin" }.Where(Directory.Exists));
        places.AddRange(new[] { "dockerd", "docker", "containerd", "ctr", "containerd-shim-runc-v2", "runc", "etcd", "kubectl" }
            .Select(InstalledGoBinaryTests.Locate).OfType<string>());
        return places;
    }

    /// <summary>Runs go with the fixture environment; returns stdout, throws on failure.</summary>
    public string RunGo(string workDir, IDictionary<string, string>? env, params string[] args) =>
        ProcessRunner.RunChecked(Go!, args, workDir, GoBuildEnvironment.Create(env), timeout: TimeSpan.FromMinutes(10));

    private void Build()
    {
        var app = Path.Combine(Root, "src", "app");
        var fipsOnly = Path.Combine(Root, "src", "fipsonly");
        var noCrypto = Path.Combine(Root, "src", "nocrypto");
        foreach (var dir in new[] { app, fipsOnly, noCrypto })
        {
            WriteModule(dir);
        }
        File.WriteAllText(Path.Combine(app, "main.go"), MainGo);
        File.WriteAllText(Path.Combine(fipsOnly, "main.go"), MainGo);
        File.WriteAllText(Path.Combine(fipsOnly, "fipsonly.go"), FipsOnlyGo);
        File.WriteAllText(Path.Combine(noCrypto, "main.go"), NoCryptoGo);

        var boring = new Dictionary<string, string> { ["GOEXPERIMENT"] = "boringcrypto", ["CGO_ENABLED"] = "1" };
        var builds = new (string Name, string Dir, Dictionary<string, string> Env, string[] Extra)[]
        {
            ("std", app, new() { ["CGO_ENABLED"] = "1" }, Array.Empty<string>()),
            ("boring", app, boring, Array.Empty<string>()),
            ("boring-nocgo", app, new() { ["GOEXPERIMENT"] = "boringcrypto", ["CGO_ENABLED"] = "0" }, Array.Empty<string>()),
            ("boring-stripped", app, boring, new[] { "-ldflags=-s -w" }),
            ("fipsonly", fipsOnly, boring, Array.Empty<string>()),
            ("fipsonly-nocgo", fipsOnly, new() { ["GOEXPERIMENT"] = "boringcrypto", ["CGO_ENABLED"] = "0" }, Array.Empty<string>()),
            ("nocrypto", noCrypto, new(), Array.Empty<string>()),
            ("nocrypto-stripped", noCrypto, new(), new[] { "-ldflags=-s -w" }),
            ("windows-amd64", app, new() { ["GOOS"] = "windows", ["GOARCH"] = "amd64" }, Array.Empty<string>()),
            ("windows-386", app, new() { ["GOOS"] = "windows", ["GOARCH"] = "386" }, Array.Empty<string>()),
            ("darwin-amd64", app, new() { ["GOOS"] = "darwin", ["GOARCH"] = "amd64" }, Array.Empty<string>()),
            ("darwin-arm64-stripped", app, new() { ["GOOS"] = "darwin", ["GOARCH"] = "arm64" }, new[] { "-ldflags=-s -w" }),
            ("linux-arm64", app, new() { ["GOARCH"] = "arm64" }, Array.Empty<string>()),
            ("linux-arm64-stripped", app, new() { ["GOARCH"] = "arm64" }, new[] { "-ldflags=-s -w" }),
            ("linux-ppc64", app, new() { ["GOARCH"] = "ppc64" }, Array.Empty<string>()),
            ("linux-386", app, new() { ["GOARCH"] = "386" }, Array.Empty<string>()),
        };
        var outDir = Path.Combine(Root, "bin");
        Directory.CreateDirectory(outDir);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.ForEach(builds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount / 2) }, b =>
        {
            var output = Path.Combine(outDir, b.Name);
            var args = new List<string> { "build", "-o", output };
            args.AddRange(b.Extra);
            args.Add(".");
            try
            {
                RunGo(b.Dir, b.Env, args.ToArray());
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
            Binaries[b.Name] = Path.Combine(outDir, b.Name);
        }
    }

    private static void WriteModule(string dir)
    {
        var lib = Path.Combine(dir, "lib");
        Directory.CreateDirectory(lib);
        File.WriteAllText(Path.Combine(dir, "go.mod"), "module example.com/fcfixture\n\ngo 1.19\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ./lib\n");
        File.WriteAllText(Path.Combine(lib, "go.mod"), "module example.com/lib\n\ngo 1.19\n");
        File.WriteAllText(Path.Combine(lib, "lib.go"), "package lib\n\nfunc Name() string { return \"lib\" }\n");
    }

    private static string? FindGo()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/lib/go/bin").Append("/usr/local/go/bin"))
        {
            var candidate = Path.Combine(dir, "go");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (Root.Length > 0 && Directory.Exists(Root))
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
public sealed class GoToolchainCollection : ICollectionFixture<GoToolchainFixture>
{
    public const string Name = "Go toolchain fixtures";
}
