using System.Management.Automation;
using System.Text.RegularExpressions;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>
/// What a newcomer reads: the README names every cmdlet and points only inside the repository, and every about_ topic
/// it or the help mentions ships with the module (from en-US/, or generated at build time), in the about_ layout, and
/// is found by Get-Help.
/// </summary>
public sealed partial class DocumentationContractTests : IClassFixture<ModuleFixture>
{
    private readonly PsSession _ps;

    public DocumentationContractTests(ModuleFixture fixture) => _ps = fixture.Session;

    private static string Readme => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));

    private static string StagedHelp => Path.Combine(TestPaths.ModuleDirectory, "en-US");

    /// <summary>The about topics that ship: en-US/*.help.txt plus the generated ones, as staged.</summary>
    private static List<string> ShippedTopics() => Directory.GetFiles(StagedHelp, "about_*.help.txt")
        .Select(f => Path.GetFileName(f)[..^".help.txt".Length]).OrderBy(n => n, StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\babout_FipsCluster\w*")]
    private static partial Regex TopicName();

    private List<string> Cmdlets() => _ps.Run("Get-Command -Module FipsCluster -CommandType Cmdlet").Objects<CmdletInfo>().Select(c => c.Name).ToList();

    [Fact]
    public void The_README_names_every_exported_cmdlet()
    {
        var readme = Readme;
        var cmdlets = Cmdlets();
        Assert.True(cmdlets.Count >= 20, $"only {cmdlets.Count} cmdlets exported");
        var missing = cmdlets.Where(name => !Regex.IsMatch(readme, $@"`{Regex.Escape(name)}`")).ToList();
        Assert.True(missing.Count == 0, "the README does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_README_points_at_nothing_outside_the_repository()
    {
        var readme = Readme;
        Assert.DoesNotContain("../", readme);
        Assert.DoesNotContain("shared/", readme);
        Assert.DoesNotContain("fips-checks.md", readme);
        Assert.DoesNotMatch(@"(?<![~\w.])/work/", readme);
        // Every relative link, and every repository path in backticks, must exist in the repository.
        var links = Regex.Matches(readme, @"\]\((?!https?:|#)([^)\s]+)\)").Select(m => m.Groups[1].Value);
        var paths = Regex.Matches(readme, @"`((?:src|tests|bench|en-US|\.config|\.ci)/[^`\s*<>]*)`").Select(m => m.Groups[1].Value);
        foreach (var path in links.Concat(paths).Distinct())
        {
            var full = Path.Combine(TestPaths.RepoRoot, path.TrimEnd('/'));
            Assert.True(File.Exists(full) || Directory.Exists(full), $"the README points at {path}, which is not in the repository");
        }
    }

    [Fact]
    public void Every_about_topic_the_README_mentions_ships_with_the_module_and_every_shipped_topic_is_mentioned()
    {
        var mentioned = TopicName().Matches(Readme).Select(m => m.Value).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        var shipped = ShippedTopics();
        Assert.Contains("about_FipsCluster_Checks", shipped); // generated at build time, not in en-US/
        Assert.False(File.Exists(Path.Combine(TestPaths.RepoRoot, "en-US", "about_FipsCluster_Checks.help.txt")), "the generated topic must not be hand-kept in en-US/");
        Assert.Equal(shipped, mentioned);
    }

    [Fact]
    public void Every_about_topic_follows_the_about_layout_in_80_columns()
    {
        foreach (var topic in ShippedTopics())
        {
            var lines = File.ReadAllText(Path.Combine(StagedHelp, topic + ".help.txt")).Split('\n');
            Assert.Equal("TOPIC", lines[0]);
            Assert.Equal("    " + topic, lines[1]);
            var headings = lines.Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).ToList();
            Assert.Equal(new[] { "TOPIC", "SHORT DESCRIPTION", "LONG DESCRIPTION" }, headings.Take(3));
            Assert.Contains("SEE ALSO", headings);
            foreach (var line in lines)
            {
                Assert.True(line.Length <= 80, $"{topic}: {line.Length} columns: {line}");
                Assert.DoesNotContain('\t', line);
                Assert.False(line.EndsWith(' '), $"{topic}: trailing space: {line}");
            }
        }
    }

    [Fact]
    public void Every_about_topic_named_in_the_help_exists()
    {
        var shipped = ShippedTopics().ToHashSet(StringComparer.Ordinal);
        var sources = Directory.GetFiles(StagedHelp, "about_*.help.txt").Concat(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "en-US"), "*.md"));
        foreach (var source in sources)
        {
            foreach (var name in TopicName().Matches(File.ReadAllText(source)).Select(m => m.Value).Distinct())
            {
                Assert.True(shipped.Contains(name), $"{Path.GetFileName(source)} names {name}, which does not ship");
            }
        }
    }

    [Fact]
    public void Get_Help_finds_every_about_topic_and_the_overview_lists_the_others()
    {
        var overview = Help("about_FipsCluster");
        foreach (var topic in ShippedTopics())
        {
            var text = Help(topic);
            Assert.StartsWith("TOPIC", text.TrimStart());
            Assert.Contains("    " + topic + "\n", text.Replace("\r\n", "\n"));
            Assert.Contains(topic, overview);
        }
    }

    [Fact]
    public void The_generated_check_topic_names_every_check_of_the_built_in_profiles()
    {
        var topic = Help("about_FipsCluster_Checks");
        var ids = _ps.Run("(Get-FipsComplianceProfile).Checks.CheckId").Output.Select(o => o.ToString()!).Distinct().ToList();
        Assert.True(ids.Count >= 25, $"only {ids.Count} check ids in the built-in profiles");
        foreach (var id in ids.Append("K8S-TLS-01").Append("SWM-FIPS-01").Append("KEY-02"))
        {
            Assert.Contains($"    {id}: ", topic);
        }
    }

    private string Help(string topic)
    {
        var result = _ps.Run("Get-Help $args[0]", topic);
        Assert.Null(result.Terminating);
        return string.Join("\n", result.Output.Select(o => o.ToString()));
    }
}
