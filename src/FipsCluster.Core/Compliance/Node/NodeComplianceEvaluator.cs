namespace FipsCluster.Core.Compliance.Node;

/// <summary>Judges a node's facts against a profile: runs every selected check of the node's platform and decides.</summary>
public static class NodeComplianceEvaluator
{
    /// <summary>Runs the profile's checks on <paramref name="facts"/>; with <paramref name="text"/> (one per scan), equal texts of a fleet's reports are kept once.</summary>
    public static NodeComplianceReport Evaluate(NodeFacts facts, ComplianceProfile profile, string computerName, TimeSpan duration, ReportText? text = null)
    {
        var subject = new CheckSubject(computerName, profile.Standard);
        var input = new NodeCheckInput(facts, profile);
        var catalogue = facts.Platform == "windows" ? WindowsCatalogue : LinuxCatalogue;
        var results = new List<CheckResult>(profile.Checks.Count); // kept as an exact-size array
        foreach (var selected in profile.Checks)
        {
            if (!catalogue.TryGetValue(selected.CheckId, out var definition))
            {
                continue; // another platform's check
            }
            input.Settings = selected.Settings;
            CheckOutcome outcome;
            try
            {
                outcome = definition.Evaluate(input);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                outcome = new CheckOutcome(CheckStatus.Error, "", $"the check failed: {ex.GetType().Name}: {ex.Message}", Array.Empty<CheckEvidence>());
            }
            if (text is not null)
            {
                // Equal texts of a fleet's reports are kept once.
                outcome = outcome with { Expected = text.Of(outcome.Expected), Actual = text.Of(outcome.Actual), Evidence = text.Of(outcome.Evidence), Remediation = text.Of(outcome.Remediation) };
            }
            results.Add(CheckResults.Create(definition, outcome, subject, selected));
        }
        // Facts cut short cannot prove compliance, even if every check that ran passed.
        var compliant = facts.Complete && results.Count > 0 && results.Where(r => r.Required).All(r => r.IsSatisfied);
        return new NodeComplianceReport
        {
            ComputerName = computerName,
            Transport = facts.Transport,
            Profile = profile.Name,
            ProfileHash = text?.ProfileHash(profile) ?? Judgement.ProfileHash(profile),
            Status = compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant,
            Compliant = compliant,
            FipsModeEnabled = facts.Platform == "windows" ? WindowsPolicyOn(facts) : input.KernelFipsFlag,
            Os = text is null ? input.Os : text.Of(input.Os),
            Checks = results.ToArray(),
            Duration = duration,
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
            Errors = facts.CollectionErrors.Count == 0 ? Array.Empty<string>() : facts.CollectionErrors.ToList(),
        };
    }

    // Each platform's checks by id (the catalogues are fixed), built once rather than per node.
    private static readonly Dictionary<string, CheckDefinition<NodeCheckInput>> LinuxCatalogue =
        LinuxNodeChecks.All.Concat(CommonNodeChecks.All).Concat(NodeArtifactChecks.All).ToDictionary(c => c.Id, StringComparer.Ordinal);

    private static readonly Dictionary<string, CheckDefinition<NodeCheckInput>> WindowsCatalogue =
        WindowsNodeChecks.All.Concat(CommonNodeChecks.All).ToDictionary(c => c.Id, StringComparer.Ordinal);

    private static bool? WindowsPolicyOn(NodeFacts facts) =>
        facts.Registry.GetValueOrDefault(WindowsFactCatalog.FipsPolicyEnabled) is { } value ? value == "1" : facts.Registry.ContainsKey(WindowsFactCatalog.FipsPolicyEnabled) ? false : null;
}
