namespace FipsCluster;

/// <summary>
/// What "FIPS compliant" means for a run: which checks apply, which of them are required, at what severity,
/// against which standard. Built in: FIPS-140-3 (default) and FIPS-140-2; more can be loaded from YAML.
/// </summary>
public sealed class ComplianceProfile
{
    public string Name { get; init; } = "";

    /// <summary>"FIPS 140-3" or "FIPS 140-2".</summary>
    public string Standard { get; init; } = "";

    public string Description { get; init; } = "";

    /// <summary>"BuiltIn", or the path of the YAML file it was loaded from.</summary>
    public string Source { get; init; } = "";

    public IReadOnlyList<ProfileCheck> Checks { get; init; } = Array.Empty<ProfileCheck>();

    public override string ToString() => Name;
}

/// <summary>One check as a profile selects it.</summary>
public sealed class ProfileCheck
{
    public string CheckId { get; init; } = "";

    /// <summary>Whether the check must pass for compliance; optional checks are reported but never decide.</summary>
    public bool Required { get; init; } = true;

    public CheckSeverity Severity { get; init; } = CheckSeverity.Medium;

    /// <summary>Check-specific settings, e.g. the crypto policies the profile accepts.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{CheckId} ({(Required ? "required" : "optional")}, {Severity})";
}
