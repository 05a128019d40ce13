using System.Globalization;
using System.Text.RegularExpressions;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>The Windows node checks (the FIPS algorithm policy and .NET Framework opt-outs), pure functions of registry and file facts.</summary>
public static partial class WindowsNodeChecks
{
    public static IReadOnlyList<CheckDefinition<NodeCheckInput>> All { get; } = new CheckDefinition<NodeCheckInput>[]
    {
        new("WIN-FIPS-01", "Windows FIPS algorithm policy enabled", CheckScope.Mode, "FipsAlgorithmPolicy\\Enabled; .NET Framework cryptoconfig.cs", FipsAlgorithmPolicy)
        {
            Judges = "The FIPS algorithm policy is the DWORD 1. When only the legacy value is set: a Warning when it is not 0, a failure when it is; "
                + "not set or another number fails; unreadable is Error.",
            Reads = $"the registry values {WindowsFactCatalog.FipsPolicyEnabled} and (legacy) {WindowsFactCatalog.LegacyFipsPolicy}",
        },
        new("WIN-NET-01", ".NET Framework applications do not opt out of FIPS", CheckScope.Configuration, "learn.microsoft.com enforceFIPSPolicy element", EnforceFipsPolicy)
        {
            Judges = "No .NET Framework configuration file opts out with <enforceFIPSPolicy enabled=\"false\"/> (outside XML comments, which the runtime ignores). "
                + "Not applicable when no configuration file is found.",
            Reads = "the .NET Framework machine.config files (Framework and Framework64, v2.0.50727 and v4.0.30319) under %WINDIR%\\Microsoft.NET",
        },
    };

    private const string Remediation = "Enable the policy 'System cryptography: Use FIPS compliant algorithms for encryption, hashing, and signing' (sets FipsAlgorithmPolicy\\Enabled = 1) and restart.";

    private static CheckOutcome FipsAlgorithmPolicy(NodeCheckInput input)
    {
        var registry = input.Facts.Registry;
        if (input.Facts.UnreadableRegistryValues.Contains(WindowsFactCatalog.FipsPolicyEnabled))
        {
            return new CheckOutcome(CheckStatus.Error, "Enabled = 1", "the FIPS policy could not be read (access denied)", new[] { new CheckEvidence(WindowsFactCatalog.FipsPolicyEnabled, "(unreadable)") },
                "Run the check as a user that can read HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa.");
        }
        var evidence = new[]
        {
            new CheckEvidence(WindowsFactCatalog.FipsPolicyEnabled, registry.GetValueOrDefault(WindowsFactCatalog.FipsPolicyEnabled)),
            new CheckEvidence(WindowsFactCatalog.LegacyFipsPolicy, registry.GetValueOrDefault(WindowsFactCatalog.LegacyFipsPolicy)),
        };
        if (registry.GetValueOrDefault(WindowsFactCatalog.FipsPolicyEnabled) is { } value)
        {
            if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            {
                return new CheckOutcome(CheckStatus.Unknown, "Enabled = 1 (DWORD)", $"Enabled = '{value}' is not a DWORD", evidence);
            }
            return number == 1
                ? new CheckOutcome(CheckStatus.Pass, "Enabled = 1", "Enabled = 1", evidence)
                : new CheckOutcome(CheckStatus.Fail, "Enabled = 1", $"Enabled = {number}", evidence, Remediation);
        }
        // Pre-Vista value; .NET Framework treats a non-zero value as enabled.
        if (registry.GetValueOrDefault(WindowsFactCatalog.LegacyFipsPolicy) is { } legacy)
        {
            var on = legacy != "0";
            return new CheckOutcome(on ? CheckStatus.Warning : CheckStatus.Fail, "Enabled = 1", $"only the legacy FIPSAlgorithmPolicy value is set ({legacy})", evidence,
                on ? "Set the current policy value FipsAlgorithmPolicy\\Enabled = 1 as well." : Remediation);
        }
        return new CheckOutcome(CheckStatus.Fail, "Enabled = 1", "the FIPS policy is not set", evidence, Remediation);
    }

    [GeneratedRegex(@"<enforceFIPSPolicy\s+enabled\s*=\s*[""']false[""']", RegexOptions.IgnoreCase)]
    private static partial Regex OptOut();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex XmlComment();

    private static CheckOutcome EnforceFipsPolicy(NodeCheckInput input)
    {
        var configs = input.Facts.Files.Values.Where(f => f.Exists && f.Path.EndsWith(".config", StringComparison.OrdinalIgnoreCase)).OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        if (configs.Count == 0)
        {
            return CheckOutcome.NotApplicable("no .NET Framework configuration files found");
        }
        // The runtime never reads XML comments, so an opt-out inside one is not an opt-out.
        var optOuts = configs.Where(c => OptOut().IsMatch(XmlComment().Replace(c.Text, ""))).ToList();
        var evidence = configs.Select(c => new CheckEvidence(c.Path, optOuts.Contains(c) ? "<enforceFIPSPolicy enabled=\"false\"/>" : "no opt-out")).ToArray();
        return optOuts.Count == 0
            ? new CheckOutcome(CheckStatus.Pass, "no enforceFIPSPolicy enabled=\"false\"", $"{configs.Count} configuration files, no opt-out", evidence)
            : new CheckOutcome(CheckStatus.Fail, "no enforceFIPSPolicy enabled=\"false\"", "opt-out in " + string.Join(", ", optOuts.Select(o => o.Path)), evidence,
                "Remove <enforceFIPSPolicy enabled=\"false\"/> from these configuration files.");
    }
}
