using System.Text.Json;
using System.Text.Json.Nodes;
using FipsCluster.Module.Tests.Harness;
using Json.Schema;
using Xunit;

namespace FipsCluster.Module.Tests.Dsc;

/// <summary>
/// The Microsoft DSC v3 command resource FipsCluster.Command/FipsNode as `dsc resource get|test|set` uses it: its
/// manifest (shipped in the staged module) validated against DSC's published resource-manifest schema, and each
/// operation run exactly as the manifest declares it (executable, arguments, the manifest's folder as the working
/// directory, the instance as JSON on stdin), its stdout validated against DSC's stdout schema for that operation
/// and against the manifest's own instance schema. `dsc` itself cannot be installed here; the schemas are DSC's
/// (Fixtures/dsc-schemas, MIT).
/// </summary>
public sealed class DscV3ResourceManifestTests : IClassFixture<DscV3ResourceManifestTests.Pwsh>
{
    private const string ManifestName = "FipsCluster.FipsNode.dsc.resource.json";
    private static readonly string Schemas = Path.Combine(TestPaths.RepoRoot, "tests", "FipsCluster.Module.Tests", "Fixtures", "dsc-schemas");
    private static readonly string ManifestPath = Path.Combine(TestPaths.ModuleDirectory, ManifestName);

    private readonly Pwsh _pwsh;
    private readonly SchemaRegistry _registry = new();
    private readonly JsonSchema _manifestSchema;
    private readonly JsonObject _manifest;

    public DscV3ResourceManifestTests(Pwsh pwsh)
    {
        _pwsh = pwsh;
        _manifestSchema = Load(Path.Combine(Schemas, "resource", "manifest.json"));
        _manifest = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
    }

    private JsonSchema Load(string path) => JsonSchema.FromText(File.ReadAllText(path), new BuildOptions { SchemaRegistry = _registry });

    private static IReadOnlyList<string> Problems(JsonSchema schema, JsonNode? instance)
    {
        var result = schema.Evaluate(JsonSerializer.SerializeToElement(instance), new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? Array.Empty<string>()
            : (result.Details ?? new List<EvaluationResults>()).Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}")).DefaultIfEmpty("invalid").ToList();
    }

    /// <summary>The manifest's embedded instance schema; its canonical properties refer to DSC's schemas, bundled in the manifest schema.</summary>
    private JsonSchema InstanceSchema()
    {
        var embedded = _manifest["schema"]!["embedded"]!.ToJsonString();
        return JsonSchema.FromText(embedded, new BuildOptions { SchemaRegistry = _registry });
    }

    [Fact]
    public void The_manifest_validates_against_DSC_s_resource_manifest_schema()
    {
        Assert.Empty(Problems(_manifestSchema, _manifest));
        Assert.Equal("FipsCluster.Command/FipsNode", (string?)_manifest["type"]);
        var psd1 = File.ReadAllText(TestPaths.ModuleManifest);
        Assert.Contains($"ModuleVersion          = '{(string?)_manifest["version"]}'", psd1);
        foreach (var operation in new[] { "get", "test", "set" })
        {
            var declared = _manifest[operation]!;
            Assert.Equal("pwsh", (string?)declared["executable"]);
            Assert.Equal("stdin", (string?)declared["input"]);
            var args = declared["args"]!.AsArray().Select(a => (string)a!).ToList();
            var script = args[args.IndexOf("-File") + 1];
            Assert.True(File.Exists(Path.Combine(TestPaths.ModuleDirectory, script)), $"{operation} runs {script}, which the module does not ship");
        }
        Assert.Equal("state", (string?)_manifest["test"]!["return"]);
        Assert.Equal("state", (string?)_manifest["set"]!["return"]);
    }

    [Theory]
    [InlineData("version", "one")]          // not a semantic version
    [InlineData("type", "FipsNode")]        // no owner/name
    [InlineData("$schema", "https://example.com/manifest.json")]
    public void The_same_validation_refuses_a_broken_manifest(string property, string value)
    {
        var broken = _manifest.DeepClone().AsObject();
        broken[property] = value;
        Assert.NotEmpty(Problems(_manifestSchema, broken));
    }

    [Fact]
    public void The_embedded_instance_schema_accepts_a_desired_state_and_refuses_a_misspelt_one()
    {
        var schema = InstanceSchema();
        Assert.Empty(Problems(schema, JsonNode.Parse("""{"Target":"node1.example","UserName":"admin","SshPort":2222,"HostKeyPolicy":"AcceptNew"}""")));
        Assert.NotEmpty(Problems(schema, JsonNode.Parse("""{"Target":"node1.example","SshPrt":22}""")));
        Assert.NotEmpty(Problems(schema, JsonNode.Parse("""{"UserName":"admin"}""")));
        Assert.NotEmpty(Problems(schema, JsonNode.Parse("""{"Target":"x","_inDesiredState":"yes"}""")));
    }

    [Fact]
    public void Get_test_set_and_test_again_on_a_non_FIPS_RHEL_9_image_speak_the_protocol()
    {
        var image = _pwsh.CopyFixture("rhel9-image-nonfips");
        var desired = new JsonObject { ["Target"] = image }.ToJsonString();
        var instance = InstanceSchema();

        var get = Run("get", desired);
        Assert.True(get.ExitCode == 0, get.StdErr);
        var actual = SingleJsonLine(get.StdOut);
        Assert.Empty(Problems(Load(Path.Combine(Schemas, "resource", "stdout", "get.json")), actual));
        Assert.Empty(Problems(instance, actual));
        Assert.Equal(image, (string?)actual["Target"]);
        Assert.False((bool)actual["Compliant"]!);
        var codes = actual["Reasons"]!.AsArray().Select(r => (string)r!["Code"]!).ToList();
        Assert.Contains("FipsNode:FipsNode:LNX-FIPS-08", codes);
        Assert.All(codes, c => Assert.StartsWith("FipsNode:FipsNode:", c));

        var test = Run("test", desired);
        Assert.True(test.ExitCode == 0, test.StdErr);
        var tested = SingleJsonLine(test.StdOut);
        Assert.Empty(Problems(Load(Path.Combine(Schemas, "resource", "stdout", "test.json")), tested));
        Assert.Empty(Problems(instance, tested));
        Assert.False((bool)tested["_inDesiredState"]!);
        Assert.Equal(codes, tested["Reasons"]!.AsArray().Select(r => (string)r!["Code"]!).ToList());

        var set = Run("set", desired);
        Assert.True(set.ExitCode == 0, set.StdErr);
        var after = SingleJsonLine(set.StdOut);
        Assert.Empty(Problems(Load(Path.Combine(Schemas, "resource", "stdout", "set.json")), after));
        Assert.Empty(Problems(instance, after));
        Assert.True((bool)after["Compliant"]!, after.ToJsonString());
        Assert.Empty(after["Reasons"]!.AsArray());
        Assert.Null(after["_restartRequired"]); // an offline image needs no restart
        Assert.Equal("FIPS", File.ReadAllText(Path.Combine(image, "etc", "crypto-policies", "config")).Trim());

        var again = Run("test", desired);
        Assert.True(again.ExitCode == 0, again.StdErr);
        Assert.True((bool)SingleJsonLine(again.StdOut)["_inDesiredState"]!);
    }

    [Fact]
    public void A_misspelt_property_exits_with_the_declared_invalid_input_code_and_a_JSON_error_line()
    {
        var result = Run("get", """{"Target":"localhost","Profile":"FIPS-140-3"}""");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1", _manifest["exitCodes"]!.AsObject().Select(p => p.Key));
        Assert.Equal("", result.StdOut.Trim());
        var message = SingleJsonLine(result.StdErr);
        Assert.Contains("'Profile'", (string?)message["error"]);
    }

    [Fact]
    public void A_set_that_cannot_be_done_exits_with_the_declared_failure_code_naming_the_error_id_and_changes_nothing()
    {
        var image = _pwsh.CopyFixture("debian12");
        var before = Pwsh.TreeHash(image);
        var result = Run("set", new JsonObject { ["Target"] = image }.ToJsonString());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("2", _manifest["exitCodes"]!.AsObject().Select(p => p.Key));
        Assert.Equal("", result.StdOut.Trim());
        Assert.StartsWith("FipsModeUnsupported:", (string?)SingleJsonLine(result.StdErr)["error"]);
        Assert.Equal(before, Pwsh.TreeHash(image));
    }

    private static JsonNode SingleJsonLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one JSON line, got {lines.Length}:\n{text}");
        return JsonNode.Parse(lines[0])!;
    }

    private (int ExitCode, string StdOut, string StdErr) Run(string operation, string input) => _pwsh.RunOperation(operation, input);

    /// <summary>
    /// `pwsh` for the manifest's executable: the repository's pinned PowerShell (a dotnet tool, so not on every PATH)
    /// behind a `pwsh` launcher in a folder put first on the PATH searched; and copies of the image fixtures.
    /// </summary>
    public sealed class Pwsh : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "fc-dscv3-" + Guid.NewGuid().ToString("N")[..8]);
        private readonly string _bin;

        public Pwsh()
        {
            _bin = Path.Combine(_root, "bin");
            Directory.CreateDirectory(_bin);
            var home = ProcessRunner.RunChecked("dotnet", new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-Command", "[Console]::Out.Write($PSHOME)" },
                workingDirectory: TestPaths.RepoRoot).Trim();
            if (!File.Exists(Path.Combine(home, "pwsh.dll")))
            {
                throw new InvalidOperationException($"the repository's pwsh reports $PSHOME '{home}', which has no pwsh.dll");
            }
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
            var launcher = Path.Combine(_bin, "pwsh");
            File.WriteAllText(launcher, $"#!/bin/sh\nexec \"{dotnet}\" \"{Path.Combine(home, "pwsh.dll")}\" \"$@\"\n");
            File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        /// <summary>Runs an operation as DSC does: the declared executable from PATH with the declared arguments, in the manifest's folder, the input on stdin.</summary>
        public (int ExitCode, string StdOut, string StdErr) RunOperation(string operation, string input)
        {
            var declared = JsonNode.Parse(File.ReadAllText(ManifestPath))![operation]!;
            var result = ProcessRunner.Run(Resolve((string)declared["executable"]!), declared["args"]!.AsArray().Select(a => (string)a!),
                workingDirectory: Path.GetDirectoryName(ManifestPath)!, input: input, timeout: TimeSpan.FromMinutes(3));
            return (result.ExitCode, result.Output, result.Error);
        }

        /// <summary>The executable as a PATH search finds it, with the launcher's folder first.</summary>
        public string Resolve(string executable)
        {
            var path = _bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
            return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, executable)).First(File.Exists);
        }

        public string CopyFixture(string name)
        {
            var source = Path.Combine(TestPaths.RepoRoot, "tests", "FipsCluster.Core.Tests", "Fixtures", "Roots", name);
            var target = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
            Copy(new DirectoryInfo(source), target);
            return target;
        }

        private static void Copy(DirectoryInfo source, string target)
        {
            Directory.CreateDirectory(target);
            foreach (var entry in source.EnumerateFileSystemInfos())
            {
                var destination = Path.Combine(target, entry.Name);
                if (entry.LinkTarget is { } link)
                {
                    File.CreateSymbolicLink(destination, link);
                }
                else if (entry is DirectoryInfo directory)
                {
                    Copy(directory, destination);
                }
                else
                {
                    File.Copy(entry.FullName, destination);
                }
            }
        }

        /// <summary>Every entry under a root: path, and link target or content hash (links may point outside the tree).</summary>
        public static string TreeHash(string root) => string.Join('\n', Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p => new FileInfo(p) is { LinkTarget: { } link } ? $"{Path.GetRelativePath(root, p)} -> {link}"
                : Directory.Exists(p) ? Path.GetRelativePath(root, p) + "/"
                : $"{Path.GetRelativePath(root, p)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p)))}"));

        public void Dispose()
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
    }
}
