using System.Management.Automation.Language;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>
/// Pester cannot run here, but the suite in tests/Pester must at least be valid PowerShell, follow Pester 5's
/// rules (no setup at discovery time) and use only the module's real cmdlet names and error ids.
/// </summary>
public sealed class PesterSuiteTests
{
    public static IEnumerable<object[]> Files() => Directory
        .EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "tests", "Pester"), "*.Tests.ps1", SearchOption.AllDirectories)
        .Select(f => new object[] { Path.GetRelativePath(TestPaths.RepoRoot, f) });

    [Theory]
    [MemberData(nameof(Files))]
    public void Pester_file_parses_and_keeps_setup_out_of_discovery(string relativePath)
    {
        var ast = Parser.ParseFile(Path.Combine(TestPaths.RepoRoot, relativePath), out _, out var errors);
        Assert.Empty(errors);
        // Top level: only BeforeAll/AfterAll/Describe/BeforeDiscovery calls (Pester 5 discovery rules).
        foreach (var statement in ast.EndBlock.Statements)
        {
            var command = (statement as PipelineAst)?.PipelineElements.FirstOrDefault() as CommandAst;
            Assert.True(command is not null, $"{relativePath}: top-level statement '{statement.Extent.Text.Split('\n')[0]}' runs at discovery");
            Assert.Contains(command!.GetCommandName(), new[] { "BeforeAll", "AfterAll", "Describe", "BeforeDiscovery" });
        }
        var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, relativePath));
        Assert.DoesNotMatch(@"Should (Be|BeExactly|Throw|Match)\b", text); // Pester 3/4 syntax
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, @"-ErrorId '([^']+)'"))
        {
            Assert.Contains(",FipsCluster.Commands.", m.Groups[1].Value); // Pester compares the whole FullyQualifiedErrorId
        }
    }

    [Fact]
    public void Pester_suite_names_only_exported_cmdlets()
    {
        var session = new PsSession();
        var exported = session.Run("(Get-Command -Module FipsCluster).Name").Output.Select(o => o.ToString()).ToHashSet();
        session.Dispose();
        foreach (var file in Files().Select(f => (string)f[0]))
        {
            var ast = Parser.ParseFile(Path.Combine(TestPaths.RepoRoot, file), out _, out _);
            var used = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().Select(c => c.GetCommandName())
                .Where(n => n is not null && (n.Contains("-Swarm", StringComparison.Ordinal) || n.Contains("-Fips", StringComparison.Ordinal)));
            foreach (var name in used)
            {
                Assert.True(exported.Contains(name!), $"{file} calls {name}, which the module does not export");
            }
        }
    }
}
