using System.Diagnostics;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// A node runs only the fact gathering its profile's checks need: on a fleet the node's CPU is the limit, and the
/// binary scan costs a node several times the OS facts (FleetBench's OS-only profile ran the binary scan on every node
/// because NODE-KENC-01 was counted as "artifacts").
/// </summary>
public sealed class FactScopeTests
{
    private static ComplianceProfile ProfileOf(params string[] ids) =>
        ComplianceProfiles.Parse("name: scoped\nstandard: FIPS 140-3\nchecks:\n" + string.Concat(ids.Select(id => $"  - {{ id: {id} }}\n")), "test");

    [Fact]
    public void Every_artifact_check_names_the_facts_it_reads()
    {
        Assert.Equal(NodeCheckCatalog.ArtifactCheckIds.OrderBy(id => id), NodeCheckCatalog.ArtifactScopes.Keys.OrderBy(id => id));
    }

    [Fact]
    public void A_profile_needs_exactly_the_facts_of_its_checks()
    {
        Assert.Equal(FactScope.All, NodeCheckCatalog.ScopeOf(ComplianceProfiles.Default));
        Assert.Equal(FactScope.Os, NodeCheckCatalog.ScopeOf(ProfileOf("LNX-FIPS-01", "LNX-FIPS-10")));
        Assert.Equal(FactScope.Os | FactScope.KubeEncryption, NodeCheckCatalog.ScopeOf(ProfileOf("LNX-FIPS-01", "NODE-KENC-01")));
        Assert.Equal(FactScope.Os | FactScope.Pki, NodeCheckCatalog.ScopeOf(ProfileOf("NODE-CRT-01", "NODE-KEY-01")));
        Assert.Equal(FactScope.Os | FactScope.Binaries, NodeCheckCatalog.ScopeOf(ProfileOf("NODE-GO-01")));
    }

    public static TheoryData<FactScope> Scopes() => new()
    {
        FactScope.Os, FactScope.Os | FactScope.KubeEncryption, FactScope.Os | FactScope.Pki, FactScope.Os | FactScope.Binaries, FactScope.All,
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task The_script_of_a_scope_gathers_that_scope_and_nothing_more(FactScope scope)
    {
        var script = ShellFactScript.ScriptFor(scope);
        Assert.Equal(scope.HasFlag(FactScope.Binaries), script.Contains("BIN=''", StringComparison.Ordinal));
        Assert.Equal(scope.HasFlag(FactScope.KubeEncryption), script.Contains(KubeEncryptionAtRest.ApiServerManifest, StringComparison.Ordinal));
        Assert.Equal(scope.HasFlag(FactScope.Pki), script.Contains("KEYS=''", StringComparison.Ordinal));

        // Run on this machine: a component binary is here (CI installs dockerd), so the binary scan shows when it runs.
        Assert.Contains(LinuxFactCatalog.ComponentBinaries, File.Exists);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var facts = ShellFactScript.Parse(output, FipsCluster.NodeTransport.Local);
        Assert.True(facts.Complete);
        Assert.Equal(scope.HasFlag(FactScope.Binaries), facts.RemoteBinaries.Count > 0);
        Assert.NotNull(facts.File(LinuxFactCatalog.Cmdline));

        // Two catalogued names of one file (Debian links /etc/os-release to /usr/lib/os-release): its content is sent
        // once, and both names read it.
        var alias = new FileInfo("/etc/os-release");
        if (alias.LinkTarget is not null && File.Exists("/usr/lib/os-release"))
        {
            Assert.Equal(File.ReadAllBytes("/usr/lib/os-release"), facts.File("/etc/os-release")!.Content);
            Assert.Equal(File.ReadAllBytes("/usr/lib/os-release"), facts.File("/usr/lib/os-release")!.Content);
            Assert.Equal(1, output.Split('\n').Count(l => l is "@@FC p /etc/os-release" or "@@FC p /usr/lib/os-release"));
            var firstLine = File.ReadLines("/usr/lib/os-release").First();
            Assert.Single(output.Split('\n'), l => l.EndsWith("os-release:" + firstLine, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_alias_line_gives_the_second_name_the_first_names_content_and_its_own_stat()
    {
        var facts = ShellFactScript.Parse(string.Join('\n',
            "@@FC p /etc/ssl/openssl.cnf", "@@FC s /usr/lib/ssl/openssl.cnf", "/etc/ssl/openssl.cnf", "@@FC a /etc/missing",
            "@@FC stat", "100 7 /etc/ssl/openssl.cnf", "@@FC grep", "/etc/ssl/openssl.cnf:[openssl_init]", "/etc/ssl/openssl.cnf:providers = p", "@@FC end", ""),
            FipsCluster.NodeTransport.Ssh);
        Assert.Equal("[openssl_init]\nproviders = p\n", facts.Text("/usr/lib/ssl/openssl.cnf"));
        Assert.Equal(facts.Text("/etc/ssl/openssl.cnf"), facts.Text("/usr/lib/ssl/openssl.cnf"));
        Assert.Equal(100, facts.File("/usr/lib/ssl/openssl.cnf")!.ModifiedUnixSeconds);
    }
}
