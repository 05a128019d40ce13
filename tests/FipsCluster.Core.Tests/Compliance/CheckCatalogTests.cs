using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Tests.Providers;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// The check catalogue is the one description of every check, and about_FipsCluster_Checks is rendered from it: every
/// id the code knows is in the catalogue and in the topic, the checks the code reports carry the catalogue's identity,
/// and the topic keeps the about_ layout.
/// </summary>
public sealed class CheckCatalogTests
{
    private static readonly string Topic = CheckCatalogTopic.Render();

    private static readonly Type[] CatalogueClasses = { typeof(ArtifactCheckCatalog), typeof(SwarmClusterChecks), typeof(KubernetesClusterChecks) };

    private static Dictionary<string, CheckInfo> Catalogue() => CheckCatalog.All.ToDictionary(c => c.Id, StringComparer.Ordinal);

    [Fact]
    public void Every_check_id_has_one_catalogue_entry_with_what_it_judges_reads_and_cites()
    {
        var all = CheckCatalog.All.ToList();
        var duplicates = all.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "listed twice: " + string.Join(", ", duplicates));
        var missing = ComplianceProfiles.KnownCheckIds.Where(id => !all.Any(c => c.Id == id)).ToList();
        Assert.True(missing.Count == 0, "profile check ids without a catalogue entry: " + string.Join(", ", missing));
        foreach (var check in all)
        {
            Assert.Matches("^[A-Z0-9]+(-[A-Z0-9]+)+$", check.Id);
            Assert.False(string.IsNullOrWhiteSpace(check.Title), check.Id + ": no title");
            Assert.False(string.IsNullOrWhiteSpace(check.Judges), check.Id + ": does not say what it judges");
            Assert.False(string.IsNullOrWhiteSpace(check.Reads), check.Id + ": does not say what it reads");
            Assert.False(string.IsNullOrWhiteSpace(check.Reference), check.Id + ": no upstream reference");
            // Profile checks take their severity from the profile; the others carry their own.
            Assert.Equal(ComplianceProfiles.KnownCheckIds.Contains(check.Id), check.Severity is null);
        }
    }

    [Fact]
    public void Every_catalogued_check_of_a_catalogue_class_is_listed_in_its_All()
    {
        // A new CheckInfo that is used by the code but left out of All would be missing from the help topic.
        foreach (var type in CatalogueClasses)
        {
            var declared = type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(CheckInfo)).Select(f => (CheckInfo)f.GetValue(null)!).ToList();
            var listed = (IReadOnlyList<CheckInfo>)type.GetProperty("All")!.GetValue(null)!;
            Assert.NotEmpty(declared);
            Assert.Equal(declared.Select(c => c.Id).Order(), listed.Select(c => c.Id).Order());
        }
    }

    [Fact]
    public void The_topic_names_every_check_the_code_knows_with_its_title()
    {
        var ids = ComplianceProfiles.KnownCheckIds.Concat(CheckCatalog.All.Select(c => c.Id)).Distinct().ToList();
        Assert.True(ids.Count >= 50, $"only {ids.Count} checks");
        foreach (var id in ids)
        {
            var check = Catalogue()[id];
            Assert.True(Regex.IsMatch(Topic, $@"^    {Regex.Escape(id)}: {Regex.Escape(check.Title.Split(' ')[0])}", RegexOptions.Multiline), $"{id} has no entry in the topic");
        }
        foreach (var id in new[] { "LNX-FIPS-01", "K8S-TLS-01", "SWM-RAFT-01", "KEY-02", "NODE-KENC-01", "WIN-FIPS-01", "PROFILE-140-2-SUNSET" })
        {
            Assert.Contains($"    {id}: ", Topic);
        }
    }

    [Fact]
    public void The_topic_says_which_profile_requires_each_check_and_with_which_severity()
    {
        // Taken from the built-in profiles: LNX-FIPS-05 is optional and Low in both, the sunset check is only in FIPS-140-2.
        Assert.Contains("Profiles:  FIPS-140-3: required, High. FIPS-140-2: required, High.", Entry("LNX-FIPS-01"));
        Assert.Contains("Profiles:  FIPS-140-3: optional, Low. FIPS-140-2: optional, Low.", Entry("LNX-FIPS-05"));
        Assert.Contains("Profiles:  FIPS-140-3: not selected. FIPS-140-2: optional, None.", Entry("PROFILE-140-2-SUNSET"));
        Assert.Contains("Profiles:  none selects it; always run, severity Low.", Entry("KEY-04"));
        Assert.Contains("Profiles:  none selects it; always run, severity High.", Entry("K8S-TLS-01"));
        var profile = ComplianceProfiles.Default;
        foreach (var selected in profile.Checks)
        {
            Assert.Contains($"{profile.Name}: {(selected.Required ? "required" : "optional")}, {selected.Severity}.", Regex.Replace(Entry(selected.CheckId), "\n +", " "));
        }
    }

    [Fact]
    public void A_rendered_profile_use_follows_the_profile_it_is_given()
    {
        var tailored = ComplianceProfiles.Parse(CheckCatalogTopic.ExampleProfile, "example");
        var topic = CheckCatalogTopic.Render(CheckCatalog.Sections, new[] { tailored });
        Assert.Contains("Profiles:  Fleet-140-3: optional, Low.", Section(topic, "LNX-FIPS-05"));
        Assert.Contains("Profiles:  Fleet-140-3: not selected.", Section(topic, "LNX-SSL-01"));
    }

    [Fact]
    public void The_topic_follows_the_about_layout_and_80_columns()
    {
        var lines = Topic.Split('\n');
        Assert.Equal("TOPIC", lines[0]);
        Assert.Equal("    " + CheckCatalogTopic.Name, lines[1]);
        var headings = lines.Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).ToList();
        Assert.Equal(new[] { "TOPIC", "SHORT DESCRIPTION", "LONG DESCRIPTION", "EXAMPLES", "SEE ALSO", "KEYWORDS" }, headings);
        foreach (var line in lines)
        {
            Assert.True(line.Length <= CheckCatalogTopic.Width, $"{line.Length} columns: {line}");
            Assert.False(line.EndsWith(' '), "trailing space: " + line);
            Assert.DoesNotContain('\t', line);
            Assert.DoesNotContain('\r', line);
        }
        foreach (var section in CheckCatalog.Sections)
        {
            Assert.Contains($"    {section.Name}\n    {new string('-', section.Name.Length)}\n", Topic);
        }
    }

    [Fact]
    public void The_topic_explains_every_status_and_scope_and_points_at_nothing_outside_the_module()
    {
        Assert.Equal(Enum.GetValues<CheckStatus>().Order(), CheckCatalogTopic.StatusMeanings.Keys.Order());
        Assert.Equal(Enum.GetValues<CheckScope>().Order(), CheckCatalogTopic.ScopeMeanings.Keys.Order());
        foreach (var status in Enum.GetNames<CheckStatus>())
        {
            Assert.Matches($@"(?m)^        {status} +\S", Topic);
        }
        Assert.DoesNotContain("fips-checks.md", Topic);
        Assert.DoesNotContain("shared/", Topic);
        Assert.DoesNotContain("../", Topic);
        foreach (var check in CheckCatalog.All)
        {
            Assert.DoesNotContain(".md", check.Reference);
        }
    }

    [Fact]
    public void The_example_profile_the_topic_shows_loads()
    {
        var profile = ComplianceProfiles.Parse(CheckCatalogTopic.ExampleProfile, "example");
        Assert.Equal("Fleet-140-3", profile.Name);
        Assert.Equal(2, profile.Checks.Count);
        Assert.Contains(CheckCatalogTopic.ExampleProfile.Split('\n')[0], Topic);
    }

    [Fact]
    public async Task A_Kubernetes_cluster_report_carries_the_catalogue_identity_of_every_check()
    {
        using var api = new KubernetesApiStub();
        using var client = KubernetesStubClient.Create(api);
        var report = await KubernetesClusterCompliance.TestAsync(client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None);
        Assert.True(report.Checks.Count >= 9);
        AssertCatalogued(report.Checks);
    }

    [Fact]
    public void Certificate_and_key_reports_carry_the_catalogue_identity_of_every_check()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node, OU=swarm-worker, O=FIPS.abc123", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        var certificates = CertificateAnalyzer.AnalyzeContent("node.crt", Encoding.ASCII.GetBytes(certificate.ExportCertificatePem()),
            new CertificateCheckOptions { ExpectFips = true });
        var checks = certificates.Single().Checks;
        Assert.Equal(new[] { "CRT-01", "CRT-02", "CRT-03", "SWM-FIPS-01" }, checks.Select(c => c.CheckId));
        AssertCatalogued(checks);

        var path = Path.Combine(Path.GetTempPath(), $"fc-catalogue-{Guid.NewGuid():N}.key");
        try
        {
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
            var keyChecks = PrivateKeyAnalyzer.Analyze(path).Checks;
            Assert.Equal(new[] { "KEY-01", "KEY-02", "KEY-03", "KEY-04", "KEY-05" }, keyChecks.Select(c => c.CheckId));
            AssertCatalogued(keyChecks);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertCatalogued(IEnumerable<CheckResult> results)
    {
        var catalogue = Catalogue();
        foreach (var result in results)
        {
            Assert.True(catalogue.TryGetValue(result.CheckId, out var check), result.CheckId + " is not in the catalogue");
            Assert.Equal(check!.Title, result.Title);
            Assert.Equal(check.Scope, result.Scope);
            Assert.Equal(check.Reference, result.Reference);
            Assert.Equal(check.Severity, result.Severity);
        }
    }

    private static string Entry(string id) => Section(Topic, id);

    /// <summary>One check's entry: from its "    ID: Title" line to the blank line after it.</summary>
    private static string Section(string topic, string id)
    {
        var start = topic.IndexOf($"\n    {id}: ", StringComparison.Ordinal);
        Assert.True(start >= 0, id + " not in the topic");
        var end = topic.IndexOf("\n\n", start + 1, StringComparison.Ordinal);
        return topic[(start + 1)..end];
    }
}
