using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// Reports that come back as data rather than objects — re-imported with Import-Clixml, or read with ConvertFrom-Json, or
/// given as JSON text — turned into the report types again. The cmdlets hand this a JSON tree of the object's properties
/// (and its PowerShell type names, when it has them); which report it is comes from the type name ("Deserialized.
/// FipsCluster.NodeComplianceReport") or, for JSON, from the properties only that report has. Enums may be names or numbers
/// (ConvertTo-Json writes numbers), durations a "c" string or ConvertTo-Json's object with Ticks, times ISO 8601 text.
/// </summary>
public static class ComplianceReportReader
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter(), new LenientTimeSpan(), new LenientEvidence(), new CheckResultOnly() },
    };

    /// <summary>The report types, by the name PowerShell knows them under (FipsCluster.&lt;Name&gt;).</summary>
    private static readonly Dictionary<string, Type> Types = new[]
    {
        typeof(NodeComplianceReport), typeof(ClusterComplianceReport), typeof(GoBinaryReport), typeof(CertificateReport), typeof(PrivateKeyReport), typeof(TlsEndpointReport),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>JSON text: one report object or an array of them (what ConvertTo-Json of a pipeline writes).</summary>
    public static IReadOnlyList<object> ReadJson(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw Invalid(source, $"it is not JSON ({ex.Message})", ex);
        }
        return node is JsonArray array ? array.Select(item => Read(item, Array.Empty<string>(), source)).ToList() : new[] { Read(node, Array.Empty<string>(), source) };
    }

    /// <summary>One report from its properties; <paramref name="typeNames"/> are the object's PowerShell type names, if any.</summary>
    public static object Read(JsonNode? node, IReadOnlyList<string> typeNames, string source)
    {
        if (node is not JsonObject properties)
        {
            throw Invalid(source, "it is not an object with a report's properties");
        }
        var type = TypeFromNames(typeNames) ?? TypeFromShape(properties)
            ?? throw Invalid(source, "it has none of the properties that tell a node, cluster, binary, certificate, private key or TLS endpoint report");
        object? report;
        try
        {
            report = properties.Deserialize(type, Options);
        }
        catch (JsonException ex)
        {
            throw Invalid(source, $"its {Where(ex)} cannot be read as a {type.Name} ({FirstSentence(ex.Message)}). A report cut short by depth reads so: "
                + "use ConvertTo-Json -Depth 8 or Export-Clixml (the module keeps reports whole at its default depth)", ex);
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Invalid(source, $"it cannot be read as a {type.Name} ({FirstSentence(ex.Message)})", ex);
        }
        var name = report switch
        {
            NodeComplianceReport n => n.ComputerName,
            ClusterComplianceReport c => c.Name,
            GoBinaryReport b => b.Path,
            CertificateReport c => c.Path.Length > 0 ? c.Path : c.Subject,
            PrivateKeyReport k => k.Path,
            TlsEndpointReport t => t.ComputerName,
            _ => null,
        };
        if (string.IsNullOrEmpty(name))
        {
            throw Invalid(source, $"it names no target (a {type.Name} without its {NameProperty(type)})");
        }
        return report!;
    }

    private static Type? TypeFromNames(IReadOnlyList<string> typeNames)
    {
        foreach (var name in typeNames)
        {
            var bare = name.StartsWith("Deserialized.", StringComparison.Ordinal) ? name["Deserialized.".Length..] : name;
            if (bare.StartsWith("FipsCluster.", StringComparison.Ordinal) && Types.TryGetValue(bare["FipsCluster.".Length..], out var type))
            {
                return type;
            }
        }
        return null;
    }

    private static Type? TypeFromShape(JsonObject properties)
    {
        bool Has(params string[] names) => names.All(n => properties.Any(p => string.Equals(p.Key, n, StringComparison.OrdinalIgnoreCase)));
        return Has("Nodes", "Provider") ? typeof(ClusterComplianceReport)
            : Has("ComputerName", "Port", "CipherSuites") ? typeof(TlsEndpointReport)
            : Has("ComputerName", "Transport") ? typeof(NodeComplianceReport)
            : Has("Path", "CryptoModule") ? typeof(GoBinaryReport)
            : Has("Thumbprint", "Subject") ? typeof(CertificateReport)
            : Has("Path", "Format", "Encrypted") ? typeof(PrivateKeyReport)
            : null;
    }

    private static string NameProperty(Type type) =>
        type == typeof(ClusterComplianceReport) ? "Name" : type == typeof(NodeComplianceReport) || type == typeof(TlsEndpointReport) ? "ComputerName" : "Path";

    private static string Where(JsonException ex) => string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "content" : $"property {ex.Path.TrimStart('$', '.')}";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    private static FipsClusterException Invalid(string source, string problem, Exception? inner = null) =>
        new(ErrorIds.InvalidComplianceReport, FipsErrorCategory.InvalidData, $"{source} is not a compliance report the module can read: {problem}.", source, inner);

    /// <summary>"00:00:01.5" (System.Text.Json, Export-Clixml), ConvertTo-Json's object (Ticks, TotalSeconds…), or seconds as a number.</summary>
    private sealed class LenientTimeSpan : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    return TimeSpan.Parse(reader.GetString()!, CultureInfo.InvariantCulture);
                case JsonTokenType.Number:
                    return TimeSpan.FromSeconds(reader.GetDouble());
                case JsonTokenType.StartObject:
                    var value = JsonSerializer.Deserialize<JsonObject>(ref reader, options)!;
                    var ticks = value.FirstOrDefault(p => string.Equals(p.Key, "Ticks", StringComparison.OrdinalIgnoreCase)).Value;
                    return ticks is null ? throw new JsonException("a duration object without Ticks") : TimeSpan.FromTicks(ticks.GetValue<long>());
                default:
                    throw new JsonException("a duration is text, a number of seconds or an object with Ticks");
            }
        }

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString("c", CultureInfo.InvariantCulture));
    }

    /// <summary>An evidence entry: its Source and Excerpt, or the "source: excerpt" text a shallow serialization left.</summary>
    private sealed class LenientEvidence : JsonConverter<CheckEvidence>
    {
        public override CheckEvidence Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                var text = reader.GetString()!;
                var colon = text.IndexOf(": ", StringComparison.Ordinal);
                return colon < 0 ? new CheckEvidence(text, null) : new CheckEvidence(text[..colon], text[(colon + 2)..] is "(absent)" ? null : text[(colon + 2)..]);
            }
            var value = JsonSerializer.Deserialize<JsonObject>(ref reader, options) ?? throw new JsonException("an evidence entry is an object");
            string? Text(string name) => value.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();
            return new CheckEvidence(Text("Source") ?? "", Text("Excerpt"));
        }

        public override void Write(Utf8JsonWriter writer, CheckEvidence value, JsonSerializerOptions options) => throw new NotSupportedException();
    }

    /// <summary>A check must be an object: text in its place is a report serialized too shallow to judge from.</summary>
    private sealed class CheckResultOnly : JsonConverter<CheckResult>
    {
        private static readonly JsonSerializerOptions Inner = new()
        {
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            Converters = { new JsonStringEnumConverter(), new LenientEvidence() },
        };

        public override CheckResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("a check is text, not an object: the report was serialized too shallow");
            }
            var check = JsonSerializer.Deserialize<CheckResult>(ref reader, Inner)!;
            return string.IsNullOrEmpty(check.CheckId) ? throw new JsonException("a check without a CheckId") : check;
        }

        public override void Write(Utf8JsonWriter writer, CheckResult value, JsonSerializerOptions options) => throw new NotSupportedException();
    }
}
