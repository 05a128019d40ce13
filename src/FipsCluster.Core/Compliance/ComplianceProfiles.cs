using FipsCluster.Core.Compliance.Node;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace FipsCluster.Core.Compliance;

/// <summary>
/// The built-in profiles and the YAML loader. Built-ins are YAML files embedded in this assembly, read by the
/// same loader as user profiles, so a user can start from `Get-FipsComplianceProfile FIPS-140-3` and edit.
/// </summary>
public static class ComplianceProfiles
{
    public const string DefaultName = "FIPS-140-3";

    public static readonly string[] BuiltInNames = { "FIPS-140-3", "FIPS-140-2" };

    private static readonly Lazy<IReadOnlyList<ComplianceProfile>> BuiltIns = new(() =>
        BuiltInNames.Select(name =>
        {
            using var stream = typeof(ComplianceProfiles).Assembly.GetManifestResourceStream($"FipsCluster.Profiles.{name}.yaml")
                ?? throw new InvalidOperationException($"Built-in profile {name} is missing from the assembly.");
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), "BuiltIn");
        }).ToList());

    /// <summary>Every check id a profile may name, across all platforms.</summary>
    public static IReadOnlySet<string> KnownCheckIds { get; } = LinuxNodeChecks.All.Select(c => c.Id)
        .Concat(WindowsNodeChecks.All.Select(c => c.Id))
        .Concat(CommonNodeChecks.All.Select(c => c.Id))
        .Concat(NodeArtifactChecks.All.Select(c => c.Id))
        .ToHashSet(StringComparer.Ordinal);

    public static IReadOnlyList<ComplianceProfile> BuiltIn => BuiltIns.Value;

    public static ComplianceProfile Default => Get(DefaultName);

    /// <summary>A built-in profile by name (case-insensitive).</summary>
    public static ComplianceProfile Get(string name) =>
        BuiltIn.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new FipsClusterException(ErrorIds.ComplianceProfileNotFound, FipsErrorCategory.ObjectNotFound,
            $"There is no built-in compliance profile '{name}'. Built-in profiles: {string.Join(", ", BuiltInNames)}; or load one from a YAML file with -Path.", name);

    public static ComplianceProfile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FipsClusterException(ErrorIds.ComplianceProfileNotFound, FipsErrorCategory.ObjectNotFound, $"The compliance profile file '{path}' could not be read: {ex.Message}", path, ex);
        }
        return Parse(text, path);
    }

    /// <summary>Parses and validates a profile; unknown check ids, severities or duplicate ids are errors that name the line.</summary>
    public static ComplianceProfile Parse(string yaml, string source)
    {
        ProfileDocument document;
        try
        {
            document = new DeserializerBuilder()
                .WithNamingConvention(CamelCaseNamingConvention.Instance)
                .Build()
                .Deserialize<ProfileDocument>(yaml) ?? new ProfileDocument();
        }
        catch (YamlException ex)
        {
            throw Invalid(source, $"line {ex.Start.Line}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }
        if (string.IsNullOrWhiteSpace(document.Name))
        {
            throw Invalid(source, "the profile has no 'name'");
        }
        if (document.Checks is not { Count: > 0 })
        {
            throw Invalid(source, "the profile selects no 'checks'");
        }
        var checks = new List<ProfileCheck>();
        foreach (var check in document.Checks)
        {
            if (string.IsNullOrWhiteSpace(check.Id) || !KnownCheckIds.Contains(check.Id))
            {
                throw Invalid(source, $"unknown check id '{check.Id}'. Known ids: {string.Join(", ", KnownCheckIds.Order(StringComparer.Ordinal))}");
            }
            if (checks.Any(c => c.CheckId == check.Id))
            {
                throw Invalid(source, $"check '{check.Id}' is listed twice");
            }
            // Names only: Enum.TryParse alone would also take numbers and flag lists ("Low, Medium").
            var severityName = Enum.GetNames<CheckSeverity>().FirstOrDefault(n => string.Equals(n, check.Severity ?? "Medium", StringComparison.OrdinalIgnoreCase));
            if (severityName is null || !Enum.TryParse<CheckSeverity>(severityName, out var severity))
            {
                throw Invalid(source, $"check '{check.Id}' has severity '{check.Severity}'; use one of {string.Join(", ", Enum.GetNames<CheckSeverity>())}");
            }
            checks.Add(new ProfileCheck
            {
                CheckId = check.Id,
                Required = check.Required ?? true,
                Severity = severity,
                Settings = check.Settings ?? new Dictionary<string, string>(),
            });
        }
        return new ComplianceProfile
        {
            Name = document.Name.Trim(),
            Standard = document.Standard ?? "FIPS 140-3",
            Description = (document.Description ?? "").Trim(),
            Source = source,
            Checks = checks,
        };
    }

    private static FipsClusterException Invalid(string source, string problem, Exception? inner = null) =>
        new(ErrorIds.InvalidComplianceProfile, FipsErrorCategory.InvalidData, $"The compliance profile '{source}' is not valid: {problem}.", source, inner);

    private sealed class ProfileDocument
    {
        public string? Name { get; set; }
        public string? Standard { get; set; }
        public string? Description { get; set; }
        public List<ProfileCheckDocument>? Checks { get; set; }
    }

    private sealed class ProfileCheckDocument
    {
        public string? Id { get; set; }
        public bool? Required { get; set; }
        public string? Severity { get; set; }
        public Dictionary<string, string>? Settings { get; set; }
    }
}
