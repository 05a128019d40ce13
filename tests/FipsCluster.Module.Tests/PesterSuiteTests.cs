using System.Management.Automation.Language;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>
/// Static checks of tests/Pester (PesterRunTests runs it): every file must be valid PowerShell, follow Pester 5's
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

/// <summary>
/// Every test of tests/Pester, run by real Pester 5.9.1 in real pwsh 7.6.10 (see <see cref="PesterSuiteRun"/>), becomes
/// one counted test here: a Pester failure fails it with Pester's message, and under CI=true a skipped or not-run
/// Pester test fails too.
/// </summary>
public sealed class PesterRunTests
{
    /// <summary>A Pester test as a theory row: its ToString is the row's name (xunit cuts string arguments at 50 characters).</summary>
    public sealed record PesterCase(string Name, PesterTestResult Result)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> PesterTests()
    {
        var run = PesterSuiteRun.Instance;
        var cases = new List<PesterCase>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var test in run.Suite.Tests)
        {
            var name = test.DisplayName;
            for (var n = 2; !names.Add(name); n++)
            {
                name = $"{test.DisplayName} #{n}";
            }
            cases.Add(new PesterCase(name, test));
        }
        if (run.ServicesUnavailable is { } why)
        {
            cases.Add(new PesterCase("Examples › Integration (services)", new PesterTestResult(PesterRunner.SuiteDirectory, "Integration examples", "Skipped", why, 0)));
        }
        if (run.Suite.Tests.Count == 0)
        {
            cases.Add(new PesterCase("(no Pester results)", new PesterTestResult(PesterRunner.SuiteDirectory, "(none)", "Failed", "Pester reported no tests:\n" + run.Suite.Log, 0)));
        }
        return cases.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => new object[] { c });
    }

    [SkippableTheory]
    [MemberData(nameof(PesterTests), DisableDiscoveryEnumeration = true)]
    public void Pester(PesterCase test)
    {
        var result = test.Result;
        switch (result.Result)
        {
            case "Passed":
                return;
            case "Failed":
                Assert.Fail($"{result.Error}\n\n--- Pester's log of {Path.GetFileName(result.File)} ---\n{LogOf(result.File)}");
                break;
            default:
                if (TestPaths.InCi)
                {
                    Assert.Fail($"CI=true and the Pester test was {result.Result}: {result.Error}");
                }
                Skip.If(true, $"{result.Result}: {result.Error}");
                break;
        }
    }

    [Fact]
    public void The_suite_ran_in_the_pinned_pwsh_and_Pester()
    {
        var run = PesterSuiteRun.Instance.Suite;
        Assert.Equal("7.6.10", run.PowerShellVersion); // .config/dotnet-tools.json
        Assert.Equal("5.9.1", run.PesterVersion);       // the test project's PackageDownload
        Assert.True(run.Tests.Count > 100, run.Summary);
    }

    [SkippableFact]
    public void The_NodeCompliance_example_fails_on_a_host_that_is_not_in_FIPS_mode()
    {
        var run = PesterSuiteRun.Instance;
        if (run.NodeExampleOnThisHost is not { } onThisHost)
        {
            Assert.False(TestPaths.InCi, "CI=true and the SSH nodes cannot run: " + run.ServicesUnavailable);
            Skip.If(true, run.ServicesUnavailable);
            return;
        }
        var byName = onThisHost.Tests.ToDictionary(t => t.Name, StringComparer.Ordinal);
        string Find(string suffix) => Assert.Single(byName.Keys, k => k.EndsWith(suffix, StringComparison.Ordinal));

        // The host was reached and judged: the example fails on the evidence, not because it could not run.
        Assert.Equal("Passed", byName[Find(".could be examined")].Result);
        var kernel = byName[Find(".runs the kernel in FIPS mode")];
        Assert.Equal("Failed", kernel.Result);
        var compliant = byName[Find(".is compliant with Simulated-FIPS-node")];
        Assert.Equal("Failed", compliant.Result);
        Assert.Contains("LNX-FIPS-01", compliant.Error);
        var flag = Assert.Single(onThisHost.Tests, t => t.Name.StartsWith("Required check LNX-FIPS-01 on ", StringComparison.Ordinal));
        Assert.Equal("Failed", flag.Result);
        Assert.StartsWith("Expected $true", kernel.Error);
        Assert.DoesNotContain(onThisHost.Tests, t => t.Name.EndsWith("(file)", StringComparison.Ordinal) || t.Name.EndsWith("(block setup or teardown)", StringComparison.Ordinal));
    }

    private static string LogOf(string file)
    {
        // Pester's detailed log of the whole run, cut to the part about this file.
        var log = PesterSuiteRun.Instance.Suite.Log;
        var start = log.IndexOf("Running tests from '" + file + "'", StringComparison.Ordinal);
        if (start < 0)
        {
            return log.Length > 4000 ? log[^4000..] : log;
        }
        var end = log.IndexOf("Running tests from '", start + 20, StringComparison.Ordinal);
        return end < 0 ? log[start..] : log[start..end];
    }
}
