using System.Text;

namespace FipsCluster.Core.Compliance;

/// <summary>
/// Renders about_FipsCluster_Checks from <see cref="CheckCatalog"/> and the built-in profiles. The build writes it
/// next to the other about topics, so the help Get-Help shows is the catalogue the code runs, never a copy of it.
/// Layout: the about_ topic conventions (TOPIC, SHORT DESCRIPTION, LONG DESCRIPTION, EXAMPLES, SEE ALSO,
/// KEYWORDS), plain text, no line longer than <see cref="Width"/> columns.
/// </summary>
public static class CheckCatalogTopic
{
    public const string Name = "about_FipsCluster_Checks";

    public const string FileName = Name + ".help.txt";

    public const int Width = 80;

    private const string Body = "    ";
    private const string Field = "        ";
    private const int LabelWidth = 11;

    /// <summary>What each status means; a test keeps it complete.</summary>
    public static readonly IReadOnlyDictionary<CheckStatus, string> StatusMeanings = new Dictionary<CheckStatus, string>
    {
        [CheckStatus.Pass] = "the evidence shows the requirement is met",
        [CheckStatus.Warning] = "met, with a finding worth acting on",
        [CheckStatus.Fail] = "the evidence shows the requirement is not met",
        [CheckStatus.Error] = "the check could not run (unreadable file, failed command or API call, node unreachable)",
        [CheckStatus.Unknown] = "the check ran, but its evidence could not be interpreted",
        [CheckStatus.NotApplicable] = "the requirement does not apply here (for example /etc/system-fips on RHEL 9)",
        [CheckStatus.Informational] = "reported for the record; never affects compliance",
    };

    /// <summary>What each scope claims; a test keeps it complete.</summary>
    public static readonly IReadOnlyDictionary<CheckScope, string> ScopeMeanings = new Dictionary<CheckScope, string>
    {
        [CheckScope.Mode] = "is FIPS mode on, now?",
        [CheckScope.Configuration] = "is it set up to stay on, as the standard's tooling expects?",
        [CheckScope.Provenance] = "which module or build: validated, and for which standard?",
        [CheckScope.Algorithm] = "are the algorithms, key sizes and parameters approved?",
    };

    /// <summary>The tailored profile the topic shows; a test loads it, so the example always works.</summary>
    public const string ExampleProfile = "name: Fleet-140-3\nstandard: FIPS 140-3\ndescription: Our fleet's tailoring of FIPS-140-3.\nchecks:\n"
        + "  - { id: LNX-FIPS-01, severity: High }\n  - { id: LNX-FIPS-05, severity: Low, required: false }";

    public static string Render() => Render(CheckCatalog.Sections, ComplianceProfiles.BuiltIn);

    public static string Render(IReadOnlyList<CheckCatalogSection> sections, IReadOnlyList<ComplianceProfile> profiles)
    {
        var text = new StringBuilder();
        void Heading(string heading) => text.Append(heading).Append('\n');
        void Blank() => text.Append('\n');
        void Paragraph(string paragraph, string indent = Body) => Wrap(text, paragraph, indent, indent);
        void Term(string term, string meaning, int width) => Wrap(text, meaning, Body + Body + term.PadRight(width), Body + Body + new string(' ', width));

        Heading("TOPIC");
        text.Append(Body).Append(Name).Append('\n');
        Blank();
        Heading("SHORT DESCRIPTION");
        Paragraph("Every check FipsCluster reports: what it judges, the evidence it reads, which built-in profiles require it "
            + "and with which severity, and its upstream reference.");
        Blank();
        Heading("LONG DESCRIPTION");
        Paragraph("This topic is generated from the module's own check catalogue and its built-in compliance profiles when the "
            + "module is built, so it describes exactly the checks the module runs.");
        Blank();
        Paragraph("Each check gives one CheckResult: CheckId, Title, Status, Severity, Required, Scope, Expected, Actual, "
            + "Evidence (where each fact came from, with an excerpt), Remediation and Reference. The Status is one of:");
        Blank();
        var statusWidth = StatusMeanings.Keys.Max(s => s.ToString().Length) + 2;
        foreach (var status in Enum.GetValues<CheckStatus>())
        {
            Term(status.ToString(), StatusMeanings[status], statusWidth);
        }
        Blank();
        Paragraph("A node or a cluster is Compliant only when every required check is Pass, Warning, NotApplicable or "
            + "Informational. Error and Unknown never count as a pass, and facts cut short never prove compliance. "
            + "A failing check is data in the report, not an error.");
        Blank();
        Paragraph("The Scope says what kind of claim a check makes:");
        Blank();
        var scopeWidth = ScopeMeanings.Keys.Max(s => s.ToString().Length) + 2;
        foreach (var scope in Enum.GetValues<CheckScope>())
        {
            Term(scope.ToString(), ScopeMeanings[scope], scopeWidth);
        }
        Blank();
        Paragraph("FIPS mode on is not FIPS validated: the Mode and Configuration checks show that FIPS mode is on and stays "
            + "on; the Provenance checks show which validated modules and builds are in use.");
        Blank();

        Subheading(text, "Profiles");
        Paragraph("A compliance profile selects the node checks, their severity and whether each is required. The built-in "
            + "profiles are:");
        Blank();
        foreach (var profile in profiles)
        {
            var label = profile.Name + (profile.Name == ComplianceProfiles.DefaultName ? " (default)" : "");
            Wrap(text, $"{label}, {profile.Standard}: {profile.Description}", Body + Body, Body + Body + "  ");
        }
        Blank();
        Paragraph("Start from a built-in profile and tailor it in YAML: the same loader reads the built-in profiles and "
            + "yours, and refuses unknown check ids, duplicates and unknown severities (None, Low, Medium, High, "
            + "Critical) with the line at fault. For example:");
        Blank();
        foreach (var line in ExampleProfile.Split('\n'))
        {
            text.Append(Body).Append(Body).Append(line).Append('\n');
        }
        Blank();
        Paragraph("Checks that no profile selects (the certificate, key, TLS and cluster checks) always run with the "
            + "severity shown under Profiles.");
        Blank();

        foreach (var section in sections)
        {
            Subheading(text, section.Name);
            Paragraph("Run by " + section.RunBy);
            Blank();
            foreach (var check in section.Checks)
            {
                Wrap(text, $"{check.Id}: {check.Title}", Body, Body + "  ");
                Entry(text, "Judges", check.Judges);
                Entry(text, "Reads", check.Reads);
                Entry(text, "Scope", check.Scope.ToString());
                Entry(text, "Profiles", ProfileUse(check, profiles));
                Entry(text, "Reference", check.Reference);
                Blank();
            }
        }

        Heading("EXAMPLES");
        Example(text, "The checks of the default profile, with their severity:",
            "(Get-FipsComplianceProfile FIPS-140-3).Checks");
        Example(text, "What failed on this machine, and how to fix it:",
            "(Test-FipsNode).Checks | Where-Object { -not $_.IsSatisfied } |",
            "    Format-List CheckId, Status, Actual, Evidence, Remediation");
        Example(text, "A fleet judged against a tailored profile:",
            "$fleet = Get-FipsComplianceProfile -Path ./fleet-140-3.yaml",
            "Get-Content nodes.txt |",
            "    Test-FipsNode -Profile $fleet -KeyFilePath ~/.ssh/id_ecdsa");
        Heading("SEE ALSO");
        foreach (var line in new[]
                 {
                     "about_FipsCluster", "about_FipsCluster_Nodes", "about_FipsCluster_Artifacts", "about_FipsCluster_Swarm",
                     "about_FipsCluster_Kubernetes", "Get-FipsComplianceProfile", "Test-FipsNode", "Test-FipsCluster",
                 })
        {
            text.Append(Body).Append(line).Append('\n');
        }
        Blank();
        Heading("KEYWORDS");
        text.Append(Body).Append("FIPS, FIPS 140-3, FIPS 140-2, compliance, checks, profile").Append('\n');
        return text.ToString();
    }

    private static void Subheading(StringBuilder text, string heading)
    {
        text.Append(Body).Append(heading).Append('\n');
        text.Append(Body).Append(new string('-', heading.Length)).Append('\n');
    }

    private static void Entry(StringBuilder text, string label, string value)
    {
        if (value.Length > 0)
        {
            Wrap(text, value, Field + (label + ":").PadRight(LabelWidth), Field + new string(' ', LabelWidth));
        }
    }

    private static void Example(StringBuilder text, string caption, params string[] code)
    {
        Wrap(text, caption, Body, Body);
        text.Append('\n');
        foreach (var line in code)
        {
            text.Append(Body).Append(Body).Append(line).Append('\n');
        }
        text.Append('\n');
    }

    /// <summary>"FIPS-140-3: required, High. FIPS-140-2: ..." for profile checks; the fixed severity for the others.</summary>
    private static string ProfileUse(CheckInfo check, IReadOnlyList<ComplianceProfile> profiles)
    {
        if (check.Severity is { } fixedSeverity)
        {
            return $"none selects it; always run, severity {fixedSeverity}.";
        }
        return string.Join(" ", profiles.Select(profile => profile.Checks.FirstOrDefault(c => c.CheckId == check.Id) is { } selected
            ? $"{profile.Name}: {(selected.Required ? "required" : "optional")}, {selected.Severity}."
            : $"{profile.Name}: not selected."));
    }

    /// <summary>Word-wraps a paragraph to <see cref="Width"/> columns; a word longer than a line is split after a path separator.</summary>
    private static void Wrap(StringBuilder text, string paragraph, string firstIndent, string indent)
    {
        var line = new StringBuilder(firstIndent);
        var empty = true;
        foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries).SelectMany(w => Pieces(w, Width - indent.Length)))
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                text.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(indent);
                empty = true;
            }
            line.Append(empty ? "" : " ").Append(word);
            empty = false;
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }

    /// <summary>A word that fits, or its pieces: split after the last \ or / that fits (else at the width).</summary>
    private static IEnumerable<string> Pieces(string word, int room)
    {
        while (word.Length > room)
        {
            var cut = word.LastIndexOfAny(new[] { '\\', '/' }, room - 1);
            cut = cut > 0 ? cut + 1 : room;
            yield return word[..cut];
            word = word[cut..];
        }
        yield return word;
    }
}
