using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace FipsCluster.Core.Tests.Providers.Validation;

/// <summary>
/// The upstream Cluster API and CAPA CRDs (Fixtures/capi-crds, unmodified; see its README for source and licence) as
/// JSON Schemas for JsonSchema.Net: each served version's openAPIV3Schema, read by kubectl (the CRD is a Kubernetes
/// object too), with one change that makes it stricter, never looser: an object schema that lists its properties
/// and neither sets additionalProperties nor x-kubernetes-preserve-unknown-fields refuses other fields, because
/// kubectl's default field validation (Strict) makes the API server refuse unknown fields rather than drop them.
/// x-kubernetes-* keywords and OpenAPI's nullable are annotations to JsonSchema.Net; CEL rules
/// (x-kubernetes-validations) are not evaluated.
/// </summary>
public sealed partial class CrdSchemas
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["Cluster"] = "cluster.x-k8s.io_clusters.yaml",
        ["MachineDeployment"] = "cluster.x-k8s.io_machinedeployments.yaml",
        ["KubeadmControlPlane"] = "controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml",
        ["KubeadmConfigTemplate"] = "bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.yaml",
        ["AWSCluster"] = "infrastructure.cluster.x-k8s.io_awsclusters.yaml",
        ["AWSMachineTemplate"] = "infrastructure.cluster.x-k8s.io_awsmachinetemplates.yaml",
    };

    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "capi-crds");

    private readonly Dictionary<(string Kind, string ApiVersion), JsonSchema> _schemas = new();
    private readonly Dictionary<(string Kind, string ApiVersion), JsonNode> _raw = new();

    /// <summary>Draft 2020-12 (what the CRD keywords mean there), with x-kubernetes-* and nullable kept as annotations.</summary>
    private static readonly Dialect OpenApiDialect = Dialect.Draft202012.With(Array.Empty<IKeywordHandler>(), allowUnknownKeywords: true);

    private static CrdSchemas? _loaded;
    private static readonly object Gate = new();

    /// <summary>Every kind's served versions (kubectl must be there: the caller has required it).</summary>
    public static CrdSchemas Load(string workDirectory)
    {
        lock (Gate)
        {
            return _loaded ??= new CrdSchemas(workDirectory);
        }
    }

    private CrdSchemas(string workDirectory)
    {
        foreach (var (kind, file) in Files)
        {
            var crd = RealTools.DecodeWithKubectl(File.ReadAllText(Path.Combine(Directory, file)), workDirectory).Single();
            var group = crd.GetProperty("spec").GetProperty("group").GetString()!;
            foreach (var version in crd.GetProperty("spec").GetProperty("versions").EnumerateArray())
            {
                if (!version.GetProperty("served").GetBoolean())
                {
                    continue;
                }
                var apiVersion = $"{group}/{version.GetProperty("name").GetString()}";
                var schema = JsonNode.Parse(version.GetProperty("schema").GetProperty("openAPIV3Schema").GetRawText())!;
                _raw[(kind, apiVersion)] = schema.DeepClone();
                Close(schema);
                _schemas[(kind, apiVersion)] = JsonSchema.FromText(schema.ToJsonString(),
                    new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = OpenApiDialect }, new Uri($"https://fipscluster.test/crd/{kind}/{apiVersion}"));
            }
        }
    }

    public IReadOnlyCollection<(string Kind, string ApiVersion)> Served => _schemas.Keys;

    /// <summary>The openAPIV3Schema as upstream wrote it (for tests that look at a subschema).</summary>
    public JsonNode Raw(string kind, string apiVersion) => _raw[(kind, apiVersion)];

    /// <summary>Adds additionalProperties: false where the API server would refuse unknown fields (see the class summary).</summary>
    private static void Close(JsonNode? node)
    {
        if (node is not JsonObject schema)
        {
            return;
        }
        var preserves = schema["x-kubernetes-preserve-unknown-fields"] is JsonValue preserve && preserve.GetValue<bool>();
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (_, child) in properties)
            {
                Close(child);
            }
            if (!preserves && !schema.ContainsKey("additionalProperties"))
            {
                schema["additionalProperties"] = false;
            }
        }
        Close(schema["additionalProperties"]);
        Close(schema["items"]);
        Close(schema["not"]);
        foreach (var keyword in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (schema[keyword] is JsonArray alternatives)
            {
                foreach (var alternative in alternatives)
                {
                    Close(alternative);
                }
            }
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\\z")]
    private static partial Regex LabelValue();

    /// <summary>
    /// Every finding for one decoded object: the CRD schema of its kind and apiVersion (JsonSchema.Net), and what the
    /// API server checks of every object's metadata (apimachinery: the name a DNS-1123 subdomain, label values at
    /// most 63 characters of [-A-Za-z0-9_.] starting and ending alphanumeric).
    /// </summary>
    public IReadOnlyList<string> Findings(JsonElement obj)
    {
        var kind = obj.GetProperty("kind").GetString()!;
        var apiVersion = obj.GetProperty("apiVersion").GetString()!;
        var findings = new List<string>();
        if (!_schemas.TryGetValue((kind, apiVersion), out var schema))
        {
            return new[] { $"{kind} {apiVersion}: no served version of the CRD" };
        }
        var result = schema.Evaluate(obj, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            foreach (var detail in result.Details ?? new List<EvaluationResults>())
            {
                foreach (var error in detail.Errors ?? new Dictionary<string, string>())
                {
                    findings.Add($"{kind} {apiVersion} {detail.InstanceLocation}: {error.Key}: {error.Value}");
                }
            }
            if (findings.Count == 0)
            {
                findings.Add($"{kind} {apiVersion}: not valid against its CRD schema");
            }
        }
        var metadata = obj.GetProperty("metadata");
        var name = metadata.GetProperty("name").GetString() ?? "";
        if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            findings.Add($"{kind} {apiVersion}: metadata.name '{name}' is not a DNS-1123 subdomain");
        }
        foreach (var labels in LabelMaps(obj))
        {
            foreach (var label in labels.EnumerateObject())
            {
                var value = label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : null;
                if (value is null || value.Length > 63 || !LabelValue().IsMatch(value))
                {
                    findings.Add($"{kind} {apiVersion}: label {label.Name}={label.Value.GetRawText()} is not a valid label value");
                }
            }
        }
        return findings;
    }

    /// <summary>metadata.labels, spec.template.metadata.labels and spec.selector.matchLabels, where present.</summary>
    private static IEnumerable<JsonElement> LabelMaps(JsonElement obj)
    {
        foreach (var path in new[] { new[] { "metadata", "labels" }, new[] { "spec", "template", "metadata", "labels" }, new[] { "spec", "selector", "matchLabels" } })
        {
            var node = obj;
            var found = true;
            foreach (var key in path)
            {
                if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(key, out node))
                {
                    found = false;
                    break;
                }
            }
            if (found && node.ValueKind == JsonValueKind.Object)
            {
                yield return node;
            }
        }
    }
}
