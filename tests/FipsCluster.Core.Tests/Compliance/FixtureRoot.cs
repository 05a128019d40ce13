using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>
/// A private copy of a fixture root (Fixtures/Roots/&lt;name&gt;) in a temp directory. Git keeps neither mtimes nor
/// (portably) symlinks, so the copy gets deterministic mtimes — every file at one instant, the applied crypto
/// policy (state/current) a minute after its configuration, as update-crypto-policies leaves them — and tests
/// can add symlinks or edit files without touching the build output.
/// </summary>
internal sealed class FixtureRoot : IDisposable
{
    private static readonly DateTime Installed = new(2024, 5, 6, 10, 0, 0, DateTimeKind.Utc);

    private FixtureRoot(string path) => Path = path;

    public string Path { get; }

    public static string SourceOf(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Roots", name);

    public static FixtureRoot Copy(string name)
    {
        var source = SourceOf(name);
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"fixture root {name} is not in the test output ({source})");
        }
        var target = Directory.CreateTempSubdirectory("fc-root-" + name + "-").FullName;
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, dir)));
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            File.Copy(file, copy);
            File.SetLastWriteTimeUtc(copy, Installed);
        }
        var root = new FixtureRoot(target);
        if (File.Exists(root.Local("/etc/crypto-policies/state/current")))
        {
            File.SetLastWriteTimeUtc(root.Local("/etc/crypto-policies/state/current"), Installed.AddMinutes(1));
        }
        return root;
    }

    /// <summary>Reads and judges a fixture root in one go.</summary>
    public static NodeComplianceReport Evaluate(string name, string profile = ComplianceProfiles.DefaultName, Action<FixtureRoot>? edit = null)
    {
        using var root = Copy(name);
        edit?.Invoke(root);
        return root.Evaluate(profile);
    }

    public NodeComplianceReport Evaluate(string profile = ComplianceProfiles.DefaultName) =>
        NodeComplianceEvaluator.Evaluate(RootFactReader.Read(Path), ComplianceProfiles.Get(profile), "fixture", TimeSpan.Zero);

    public string Local(string nodePath) => System.IO.Path.Combine(Path, nodePath.TrimStart('/'));

    public void Write(string nodePath, string text, DateTime? mtimeUtc = null)
    {
        var local = Local(nodePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(local)!);
        File.WriteAllText(local, text);
        File.SetLastWriteTimeUtc(local, mtimeUtc ?? Installed);
    }

    public string Read(string nodePath) => File.ReadAllText(Local(nodePath));

    public void Replace(string nodePath, string oldText, string newText)
    {
        var text = Read(nodePath);
        if (!text.Contains(oldText, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{nodePath} does not contain '{oldText}'");
        }
        Write(nodePath, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    public void Delete(string nodePath) => File.Delete(Local(nodePath));

    public void Touch(string nodePath, DateTime mtimeUtc) => File.SetLastWriteTimeUtc(Local(nodePath), mtimeUtc);

    public static DateTime InstalledAt => Installed;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class ReportExtensions
{
    public static CheckResult Check(this NodeComplianceReport report, string id) =>
        report.Checks.SingleOrDefault(c => c.CheckId == id)
        ?? throw new Xunit.Sdk.XunitException($"{id} is not in the report (checks: {string.Join(", ", report.Checks.Select(c => c.CheckId))})");

    public static CheckStatus StatusOf(this NodeComplianceReport report, string id) => report.Check(id).Status;

    /// <summary>The whole report, for assertion messages.</summary>
    public static string Describe(this NodeComplianceReport report) =>
        $"{report.ComputerName} compliant={report.Compliant}\n" + string.Join("\n", report.Checks.Select(c => $"  {c.CheckId} {c.Status}: {c.Actual}"));
}
