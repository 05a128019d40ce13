using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json.Nodes;
using FipsCluster.Core.Compliance.Reports;

namespace FipsCluster.Infrastructure;

/// <summary>
/// Compliance reports as PowerShell hands them over: live report objects pass as they are; anything else — a report
/// re-imported with Import-Clixml (Deserialized.FipsCluster.*), read with ConvertFrom-Json (a PSCustomObject), or JSON text —
/// becomes a JSON tree of its properties for the engine's <see cref="ComplianceReportReader"/>, which decides what it is.
/// This is binding only: no knowledge of the report types lives here.
/// </summary>
internal static class ReportInputs
{
    private const int MaximumDepth = 32;

    /// <summary>The reports in one bound value (a report, an array of them, JSON text); <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<object> Reports(object? input, string source)
    {
        var value = input is PSObject ps ? ps.BaseObject : input;
        switch (value)
        {
            case null:
                throw NotAReport(source, "null");
            case NodeComplianceReport or ClusterComplianceReport or GoBinaryReport or CertificateReport or PrivateKeyReport or TlsEndpointReport:
                return new[] { value };
            case string text when text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('['):
                return ComplianceReportReader.ReadJson(text, source);
            case string:
                throw NotAReport(source, "text that is not JSON");
            case PSCustomObject:
                var properties = (PSObject)input!;
                return new[] { ComplianceReportReader.Read(ToJson(properties, 0), properties.TypeNames.ToList(), source) };
            case IEnumerable items and not IDictionary:
                var reports = new List<object>();
                var index = 0;
                foreach (var item in items)
                {
                    reports.AddRange(Reports(item, $"{source}[{index++}]"));
                }
                return reports;
            default:
                throw NotAReport(source, "a " + (value.GetType().FullName ?? "object"));
        }
    }

    private static FipsClusterException NotAReport(string source, string what) => new(ErrorIds.InvalidComplianceReport, FipsErrorCategory.InvalidArgument,
        $"{source} is {what}, not a compliance report: give the output of Test-FipsNode, Test-FipsCluster, Test-FipsBinary, Test-FipsCertificate, "
        + "Test-FipsPrivateKey or Test-FipsTlsEndpoint, as objects, re-imported with Import-Clixml, or as JSON (ConvertTo-Json -Depth 8).", source);

    /// <summary>A value as JSON: objects by their properties, lists as arrays, enums by name, times as ISO 8601 text.</summary>
    private static JsonNode? ToJson(object? value, int depth)
    {
        if (depth > MaximumDepth)
        {
            return null;
        }
        if (value is PSObject ps)
        {
            if (ps.TypeNames.Contains("Deserialized.System.DateTimeOffset") && ps.Properties["UtcTicks"]?.Value is { } ticks)
            {
                var offset = TimeSpan.FromMinutes(Convert.ToDouble(ps.Properties["TotalOffsetMinutes"]?.Value ?? 0, CultureInfo.InvariantCulture));
                var utc = new DateTimeOffset(Convert.ToInt64(ticks, CultureInfo.InvariantCulture), TimeSpan.Zero);
                return JsonValue.Create(utc.ToOffset(offset).ToString("o", CultureInfo.InvariantCulture));
            }
            if (ps.BaseObject is PSCustomObject)
            {
                return Properties(ps, depth);
            }
            value = ps.BaseObject;
        }
        switch (value)
        {
            case null:
                return null;
            case string text:
                return JsonValue.Create(text);
            case bool flag:
                return JsonValue.Create(flag);
            case Enum member:
                return JsonValue.Create(member.ToString());
            case DateTime time:
                return JsonValue.Create(time.ToString("o", CultureInfo.InvariantCulture));
            case DateTimeOffset time:
                return JsonValue.Create(time.ToString("o", CultureInfo.InvariantCulture));
            case TimeSpan span:
                return JsonValue.Create(span.ToString("c", CultureInfo.InvariantCulture));
            case char or Guid or Version:
                return JsonValue.Create(value.ToString());
            case sbyte or byte or short or ushort or int or uint or long:
                return JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture));
            case ulong or float or double or decimal:
                return JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case IDictionary dictionary:
                var map = new JsonObject();
                foreach (DictionaryEntry entry in dictionary)
                {
                    map[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""] = ToJson(entry.Value, depth + 1);
                }
                return map;
            case IEnumerable items:
                var array = new JsonArray();
                foreach (var item in items)
                {
                    array.Add(ToJson(item, depth + 1));
                }
                return array;
            default:
                return Properties(PSObject.AsPSObject(value), depth);
        }
    }

    private static JsonObject Properties(PSObject ps, int depth)
    {
        var properties = new JsonObject();
        foreach (var property in ps.Properties)
        {
            object? value;
            try
            {
                value = property.IsGettable ? property.Value : null;
            }
            catch (GetValueException)
            {
                continue;
            }
            properties[property.Name] = ToJson(value, depth + 1);
        }
        return properties;
    }
}
