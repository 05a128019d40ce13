using System.Reflection;

namespace FipsCluster.Module.Tests.Harness;

/// <summary>Paths the build hands the tests (see the csproj's AssemblyMetadata).</summary>
public static class TestPaths
{
    private static string Meta(string key) => typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == key).Value!;

    public static string ModuleDirectory => Meta("ModuleStagingDir");
    public static string ModuleManifest => Path.Combine(ModuleDirectory, "FipsCluster.psd1");
    public static string RepoRoot => Meta("RepoRoot");
    public static string TestHost => Meta("TestHost");
    public static string YamlDotNet16 => Meta("YamlDotNet16");
    public static string AwsSdkCore37 => Meta("AwsSdkCore37");

    /// <summary>True when CI=true: a missing service then fails the test instead of skipping it.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}
