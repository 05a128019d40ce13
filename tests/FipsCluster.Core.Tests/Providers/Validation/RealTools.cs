using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Xunit;

namespace FipsCluster.Core.Tests.Providers.Validation;

/// <summary>
/// The validators a new user's machine has, none written here: Debian's cloud-init (its `schema` command), shellcheck,
/// systemd-analyze, kubectl, and PyYAML (/usr/bin/python3, the YAML reader cloud-init itself uses). Without one the
/// test skips — except with CI=true, where that is a failure (.ci/run installs them).
/// </summary>
internal static class RealTools
{
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Debian's interpreter, not whatever python3 comes first on PATH: python3-yaml is installed for it.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Dictionary<string, string?> Found = new(StringComparer.Ordinal);

    /// <summary>The tool's path (PATH, then /usr/sbin and /usr/bin), or null.</summary>
    public static string? Find(string name)
    {
        lock (Found)
        {
            if (!Found.TryGetValue(name, out var path))
            {
                var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" });
                path = directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
                Found[name] = path;
            }
            return path;
        }
    }

    /// <summary>The tool's path; skips the test without it — or fails it under CI=true, naming the Debian package.</summary>
    public static string Require(string name, string package)
    {
        var path = Find(name);
        if (path is not null)
        {
            return path;
        }
        var why = $"{name} is not installed (apt-get install {package})";
        if (InCi)
        {
            Assert.Fail("CI=true and " + why);
        }
        Skip.If(true, why);
        return "";
    }

    private static bool? _pyYaml;

    /// <summary>Requires /usr/bin/python3 with PyYAML (python3-yaml), as <see cref="Require"/> does.</summary>
    public static void RequirePyYaml()
    {
        _pyYaml ??= File.Exists(Python) && Run(Python, new[] { "-c", "import yaml" }).ExitCode == 0;
        if (_pyYaml == true)
        {
            return;
        }
        if (InCi)
        {
            Assert.Fail("CI=true and /usr/bin/python3 cannot import yaml (apt-get install python3-yaml)");
        }
        Skip.If(true, "/usr/bin/python3 with PyYAML is not installed (apt-get install python3-yaml)");
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string Output => (Stdout + "\n" + Stderr).Trim();
    }

    public static Result Run(string file, IEnumerable<string> arguments, string? stdin = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false), StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin ?? "");
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', arguments)} did not end within 2 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Every document of a YAML stream as PyYAML's safe_load_all reads it (YAML 1.1: on/yes/0755/1:20 are not strings
    /// there), converted to JSON by Python's json module — so a value's JSON kind is the type the YAML gave it.
    /// </summary>
    public static IReadOnlyList<JsonElement> LoadWithPyYaml(string yaml)
    {
        RequirePyYaml();
        // A key that is not a string (on: → True) would be turned into one by json.dump: it is refused instead. What
        // JSON has no value for (a date, .inf, .nan) becomes an object naming it, so it is never mistaken for a string.
        const string script = """
            import sys, json, math, yaml
            def plain(node, path):
                if isinstance(node, dict):
                    for key in node:
                        if not isinstance(key, str):
                            sys.exit(f"{path}: the key {key!r} is a {type(key).__name__}, not a string")
                    return {key: plain(value, f"{path}.{key}") for key, value in node.items()}
                if isinstance(node, list):
                    return [plain(value, f"{path}[{index}]") for index, value in enumerate(node)]
                if isinstance(node, float) and not math.isfinite(node) or not isinstance(node, (str, int, float, bool, type(None))):
                    return {"__not_json__": repr(node)}
                return node
            json.dump(plain(list(yaml.safe_load_all(sys.stdin.read())), ""), sys.stdout)

            """;
        var result = Run(Python, new[] { "-c", script }, yaml);
        Assert.True(result.ExitCode == 0, "PyYAML could not read the text: " + result.Output);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    /// <summary>
    /// Kubernetes objects as kubectl decodes them before sending them (sigs.k8s.io/yaml: YAML to JSON, then into the
    /// object's metadata), offline: `kubectl label --local` with a removal of a label nobody has changes nothing and
    /// prints each object as JSON. A label or name that is not a string stops kubectl here, as it stops `kubectl apply`.
    /// </summary>
    public static IReadOnlyList<JsonElement> DecodeWithKubectl(string yaml, string directory)
    {
        var kubectl = Require("kubectl", "kubernetes-client");
        var file = Path.Combine(directory, $"objects-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml);
        var result = Run(kubectl, new[] { "label", "--local", "-f", file, "-o", "json", "fipscluster.io/validation-none-" },
            environment: new Dictionary<string, string> { ["KUBECONFIG"] = "/dev/null", ["HOME"] = directory });
        Assert.True(result.ExitCode == 0 && result.Stderr.Trim().Length == 0, "kubectl could not decode the objects: " + result.Output);
        var objects = new List<JsonElement>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(result.Stdout), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            objects.Add(JsonElement.ParseValue(ref reader));
        }
        return objects;
    }
}
