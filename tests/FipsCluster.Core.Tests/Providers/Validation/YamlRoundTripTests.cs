using System.Text.Json;
using FipsCluster.Core.Providers.Aws;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Providers.Validation;

/// <summary>
/// What the renderers write is read back by YAML readers this project did not write — PyYAML (YAML 1.1, cloud-init's
/// reader) and kubectl (sigs.k8s.io/yaml) — and every value that must be a string is one: labels, annotations, file
/// modes, names. The emitter (<see cref="Yaml"/>) is exercised with the strings YAML readers like to type.
/// </summary>
public sealed class YamlRoundTripTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), "fc-yaml-" + Guid.NewGuid().ToString("N")[..8]);

    public YamlRoundTripTests() => Directory.CreateDirectory(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Cases() => RenderingMatrix.Cases();

    /// <summary>Keys whose values are strings, wherever they appear (maps of them: labels, annotations, matchLabels).</summary>
    private static readonly HashSet<string> StringMaps = new(StringComparer.Ordinal) { "labels", "annotations", "matchLabels" };

    private static readonly HashSet<string> StringValues = new(StringComparer.Ordinal)
    {
        "permissions", "name", "clusterName", "sshKeyName", "path", "owner", "imageRepository", "imageTag", "version", "kubernetesVersion", "region", "instanceType", "id", "value",
    };

    /// <summary>Every offending value under <paramref name="node"/>, and how many were checked.</summary>
    private static void Check(JsonElement node, string path, List<string> problems, ref int checkedValues)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    var at = $"{path}.{property.Name}";
                    if (StringMaps.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in property.Value.EnumerateObject())
                        {
                            checkedValues++;
                            if (entry.Value.ValueKind != JsonValueKind.String)
                            {
                                problems.Add($"{at}.{entry.Name} is {entry.Value.GetRawText()} ({entry.Value.ValueKind}), not a string");
                            }
                        }
                    }
                    else if (StringValues.Contains(property.Name) && property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                    {
                        checkedValues++;
                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            problems.Add($"{at} is {property.Value.GetRawText()} ({property.Value.ValueKind}), not a string");
                        }
                    }
                    Check(property.Value, at, problems, ref checkedValues);
                }
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in node.EnumerateArray())
                {
                    Check(item, $"{path}[{index++}]", problems, ref checkedValues);
                }
                break;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Every_label_annotation_file_mode_and_name_in_every_output_is_a_string(string name)
    {
        var problems = new List<string>();
        var checkedValues = 0;
        var labels = 0;
        foreach (var (rendering, text) in RenderingMatrix.Render(RenderingMatrix.Specs[name]))
        {
            var documents = RealTools.LoadWithPyYaml(text);
            foreach (var document in documents)
            {
                Check(document, rendering, problems, ref checkedValues);
                if (rendering.StartsWith("CloudInit", StringComparison.Ordinal))
                {
                    // The kubeadm configuration inside the cloud-config is YAML too, read by kubeadm on the node.
                    foreach (var file in document.GetProperty("write_files").EnumerateArray().Where(f => f.GetProperty("path").GetString()!.EndsWith(".yaml", StringComparison.Ordinal)))
                    {
                        foreach (var inner in RealTools.LoadWithPyYaml(file.GetProperty("content").GetString()!))
                        {
                            Check(inner, $"{rendering} {file.GetProperty("path").GetString()}", problems, ref checkedValues);
                        }
                    }
                }
                if (document.ValueKind == JsonValueKind.Object && document.TryGetProperty("metadata", out var metadata))
                {
                    labels += metadata.GetProperty("labels").EnumerateObject().Count();
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedValues > 50, $"only {checkedValues} values were checked");
        Assert.Equal(2 * 7 * 2, labels); // two labels on each of the seven objects, in both Cluster API versions
    }

    /// <summary>Strings YAML 1.1 (PyYAML, go-yaml v2) or YAML 1.2 would read as booleans, nulls, numbers, dates or merge keys when written bare.</summary>
    public static readonly string[] Typed =
    {
        "true", "True", "TRUE", "false", "on", "On", "ON", "off", "Off", "yes", "Yes", "YES", "no", "No", "NO", "y", "Y", "n", "N",
        "null", "Null", "NULL", "~", "", "0755", "0644", "0600", "493", "0", "-1", "+1", "1_000", "0x1F", "0o755", "0b101", "1:20", "1:20:30.5",
        "1e3", "1E3", "-1.5e-3", ".5", "5.", "1.31", "3.5", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "=", "<<",
    };

    /// <summary>Strings that stay strings bare, and strings with characters YAML gives meaning to.</summary>
    public static readonly string[] Untyped = { "prod", "127.0.175.1:6443", "3.5.10", "1:60", "0755-control-plane-1", "v1.31.2+fips.0", "0755-control-plane", "docker.io/mesosphere", "a: b", "- x", "#c", "x #y", " lead", "trail ", "it's", "say \"hi\"", "{a}", "[1]", "*ref", "&anchor", "!tag", "%x", "@x", "`x", "|", ">" };

    private static string Emit(IEnumerable<string> values)
    {
        var map = new YamlMappingNode();
        var index = 0;
        foreach (var value in values)
        {
            map.Add($"k{index++}", value);
        }
        return Yaml.Write(new YamlMappingNode { { "map", map }, { "list", new YamlSequenceNode(values.Select(v => new YamlScalarNode(v))) }, { "key-as-value", new YamlMappingNode(values.Where(v => v.Length > 0).Distinct().Select(v => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(v), new YamlScalarNode("x")))) } });
    }

    [SkippableFact]
    public void The_emitter_writes_every_string_so_that_PyYAML_reads_back_that_string()
    {
        var values = Typed.Concat(Untyped).ToList();
        var read = RealTools.LoadWithPyYaml(Emit(values)).Single();
        var map = read.GetProperty("map");
        for (var i = 0; i < values.Count; i++)
        {
            var value = map.GetProperty($"k{i}");
            Assert.True(value.ValueKind == JsonValueKind.String && value.GetString() == values[i], $"'{values[i]}' came back as {value.GetRawText()}");
            Assert.Equal(values[i], read.GetProperty("list")[i].GetString());
        }
        Assert.Equal(values.Where(v => v.Length > 0).Distinct(), read.GetProperty("key-as-value").EnumerateObject().Select(p => p.Name));
    }

    [SkippableFact]
    public void The_strings_of_the_emitter_test_are_typed_when_written_bare()
    {
        // The control for the test above: written without quotes, PyYAML (YAML 1.1) types these. (YAML 1.2-only forms
        // such as 0o755 are strings to PyYAML, and are quoted for YAML 1.2 readers.)
        // "<<" and "=" are left out: bare, they are YAML 1.1's merge and value keys, which PyYAML cannot even load as values.
        var candidates = Typed.Where(v => v is not ("<<" or "=")).ToList();
        var bare = string.Join("\n", candidates.Select((v, i) => $"k{i}: {v}")) + "\n";
        var read = RealTools.LoadWithPyYaml(bare).Single();
        var typed = candidates.Where((v, i) => read.GetProperty($"k{i}").ValueKind != JsonValueKind.String).ToList();
        foreach (var value in new[] { "true", "on", "yes", "no", "off", "null", "~", "", "0755", "493", "1_000", "0x1F", "1:20", ".5", "1.31", ".inf", ".nan", "2001-12-14" })
        {
            Assert.Contains(value, typed);
        }
    }

    [SkippableFact]
    public void Kubectl_reads_back_every_string_of_the_emitter_as_that_string()
    {
        // Annotations take any string: kubectl's decoder stops at one that is not a string.
        var values = Typed.Concat(Untyped).ToList();
        var annotations = new YamlMappingNode();
        for (var i = 0; i < values.Count; i++)
        {
            annotations.Add($"fipscluster.io/k{i}", values[i]);
        }
        var obj = new YamlMappingNode
        {
            { "apiVersion", "v1" }, { "kind", "ConfigMap" },
            { "metadata", new YamlMappingNode { { "name", "on" }, { "annotations", annotations } } },
            { "data", new YamlMappingNode(values.Select((v, i) => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode($"k{i}"), new YamlScalarNode(v)))) },
        };
        var decoded = RealTools.DecodeWithKubectl(Yaml.Write(obj), _work).Single();
        Assert.Equal("on", decoded.GetProperty("metadata").GetProperty("name").GetString());
        for (var i = 0; i < values.Count; i++)
        {
            Assert.Equal(values[i], decoded.GetProperty("metadata").GetProperty("annotations").GetProperty($"fipscluster.io/k{i}").GetString());
            Assert.Equal(values[i], decoded.GetProperty("data").GetProperty($"k{i}").GetString());
        }
    }

    [SkippableFact]
    public void Numbers_and_booleans_are_typed_only_where_the_renderer_makes_them_so()
    {
        var read = RealTools.LoadWithPyYaml(Yaml.Write(new YamlMappingNode
        {
            { "replicas", Yaml.Integer(3) }, { "enabled", Yaml.Boolean(true) }, { "text", "3" }, { "flag", "true" },
        })).Single();
        Assert.Equal(JsonValueKind.Number, read.GetProperty("replicas").ValueKind);
        Assert.Equal(3, read.GetProperty("replicas").GetInt32());
        Assert.Equal(JsonValueKind.True, read.GetProperty("enabled").ValueKind);
        Assert.Equal("3", read.GetProperty("text").GetString());
        Assert.Equal("true", read.GetProperty("flag").GetString());
    }

    [Theory]
    [InlineData("127.0.175.1:6443")]
    [InlineData("192.168.0.0/16")]
    [InlineData("3.5.10")]
    [InlineData("v1.31.2+fips.0")]
    [InlineData("docker.io/mesosphere")]
    [InlineData("1:60")]
    public void Strings_no_reader_would_type_stay_plain(string value)
    {
        // Quoting only what must be quoted keeps the documents as people write them (the round trips above prove these read back).
        Assert.False(Yaml.ReadsAsNonString(value));
        Assert.Equal($"k: {value}\n", Yaml.Write(new YamlMappingNode { { "k", value } }));
    }

    [Fact]
    public void Several_documents_are_one_stream_without_end_markers()
    {
        var text = Yaml.WriteAll(new[] { new YamlMappingNode { { "a", "1" } }, new YamlMappingNode { { "b", "on" } } });
        Assert.DoesNotContain("...", text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        Assert.Equal(2, stream.Documents.Count);
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, ScalarStyleOf(stream.Documents[1].RootNode, "b"));
    }

    private static YamlDotNet.Core.ScalarStyle ScalarStyleOf(YamlNode root, string key) => ((YamlScalarNode)((YamlMappingNode)root)[key]).Style;
}
