using System.Reflection;
using Xunit;

namespace FipsCluster.Testing;

/// <summary>Where the repository is, and what a missing tool or service means: a skip, or under CI=true a failure.</summary>
public static class TestEnvironment
{
    /// <summary>The repository root, as the build saw it (the csproj's AssemblyMetadata).</summary>
    public static string RepoRoot { get; } = typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepoRoot").Value!;

    /// <summary>True when CI=true: a missing service then fails the test instead of skipping it.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A file of the repository, e.g. "tests/Infrastructure/sshd.sh".</summary>
    public static string RepositoryFile(string relative) => Path.Combine(RepoRoot, relative);

    /// <summary>
    /// Nothing when <paramref name="unavailable"/> is null; otherwise skips the calling test, or fails it under CI=true
    /// with "CI=true and <paramref name="what"/>: <paramref name="unavailable"/>".
    /// </summary>
    public static void Require(string? unavailable, string what)
    {
        if (unavailable is null)
        {
            return;
        }
        if (InCi)
        {
            Assert.Fail($"CI=true and {what}: {unavailable}");
        }
        Skip.If(true, unavailable);
    }
}
