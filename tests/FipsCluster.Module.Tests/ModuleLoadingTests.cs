using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>Import and dependency isolation, each scenario in a fresh process.</summary>
public sealed class ModuleLoadingTests
{
    private static string Quote(string path) => "'" + path.Replace("'", "''") + "'";

    [Fact]
    public void Import_loads_no_third_party_assembly_and_not_the_engine()
    {
        var result = ChildHost.Run($$"""
            Import-Module {{Quote(TestPaths.ModuleManifest)}} -ErrorAction Stop
            'COMMANDS ' + @(Get-Command -Module FipsCluster).Count
            [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { 'ASM ' + $_.GetName().Name }
            """);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var assemblies = result.Lines.Where(l => l.StartsWith("ASM ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();
        Assert.Contains("FipsCluster", assemblies);
        Assert.Contains("FipsCluster.Models", assemblies);
        Assert.DoesNotContain(assemblies, a => a.StartsWith("AWSSDK", StringComparison.Ordinal));
        Assert.DoesNotContain(assemblies, a => a.StartsWith("KubernetesClient", StringComparison.Ordinal));
        Assert.DoesNotContain(assemblies, a => a.StartsWith("YamlDotNet", StringComparison.Ordinal));
        Assert.DoesNotContain("FipsCluster.Core", assemblies);
        Assert.DoesNotContain(assemblies, a => a.StartsWith("Renci.SshNet", StringComparison.Ordinal) || a.StartsWith("BouncyCastle", StringComparison.Ordinal));
        // Every cmdlet the manifest exports is there (the contract test checks the names).
        var manifest = File.ReadAllText(TestPaths.ModuleManifest);
        var exported = System.Text.RegularExpressions.Regex.Matches(manifest[manifest.IndexOf("CmdletsToExport", StringComparison.Ordinal)..manifest.IndexOf("FunctionsToExport", StringComparison.Ordinal)], "'[A-Za-z]+-[A-Za-z]+'").Count;
        Assert.True(exported >= 8);
        Assert.Contains($"COMMANDS {exported}", result.Lines);
    }

    [Fact]
    public void First_use_loads_the_dependencies_into_the_private_context()
    {
        var result = ChildHost.Run($$"""
            Import-Module {{Quote(TestPaths.ModuleManifest)}} -ErrorAction Stop
            Get-FipsClusterDependency | ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.Name, $_.Version, $_.LoadContext, $_.Working }
            """);
        Assert.True(result.ExitCode == 0, result.StdErr);
        var rows = result.Lines.Select(l => l.Split('|')).ToDictionary(r => r[0]);
        foreach (var name in new[] { "FipsCluster.Core", "YamlDotNet", "AWSSDK.Core", "AWSSDK.EC2", "KubernetesClient" })
        {
            Assert.True(rows.ContainsKey(name), $"{name} missing: {result.StdOut}");
            Assert.Equal("FipsCluster", rows[name][2]);
            Assert.Equal("True", rows[name][3]);
        }
        Assert.Equal("18.0.0.0", rows["YamlDotNet"][1]);
    }

    [Fact]
    public void Works_beside_an_older_YamlDotNet_loaded_first_into_the_default_context()
    {
        Assert.True(File.Exists(TestPaths.YamlDotNet16), TestPaths.YamlDotNet16);
        var result = ChildHost.Run($$"""
            Import-Module {{Quote(TestPaths.YamlDotNet16)}} -ErrorAction Stop
            'DEFAULT ' + [YamlDotNet.Serialization.SerializerBuilder].Assembly.GetName().Version
            Import-Module {{Quote(TestPaths.ModuleManifest)}} -ErrorAction Stop
            Get-FipsClusterDependency | Where-Object Name -eq 'YamlDotNet' | ForEach-Object { 'OURS {0} {1} {2}' -f $_.Version, $_.LoadContext, $_.Working }
            Get-FipsClusterDependency | Where-Object Name -eq 'KubernetesClient' | ForEach-Object { 'K8S {0} {1}' -f $_.LoadContext, $_.Working }
            'STILL ' + [YamlDotNet.Serialization.SerializerBuilder].Assembly.GetName().Version
            """);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("DEFAULT 16.0.0.0", result.Lines);
        Assert.Contains("OURS 18.0.0.0 FipsCluster True", result.Lines);
        Assert.Contains("K8S FipsCluster True", result.Lines);
        Assert.Contains("STILL 16.0.0.0", result.Lines);
    }

    [Fact]
    public void Works_beside_an_older_AWSSDK_Core_loaded_first_into_the_default_context()
    {
        Assert.True(File.Exists(TestPaths.AwsSdkCore37), TestPaths.AwsSdkCore37);
        var result = ChildHost.Run($$"""
            Import-Module {{Quote(TestPaths.AwsSdkCore37)}} -ErrorAction Stop
            'DEFAULT ' + [Amazon.RegionEndpoint].Assembly.GetName().Version
            Import-Module {{Quote(TestPaths.ModuleManifest)}} -ErrorAction Stop
            Get-FipsClusterDependency | Where-Object Name -like 'AWSSDK*' | ForEach-Object { 'OURS {0} {1} {2} {3}' -f $_.Name, $_.Version, $_.LoadContext, $_.Working }
            """);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("DEFAULT 3.3.0.0", result.Lines);
        Assert.Contains("OURS AWSSDK.Core 4.0.0.0 FipsCluster True", result.Lines);
        Assert.Contains("OURS AWSSDK.EC2 4.0.0.0 FipsCluster True", result.Lines);
    }

    [Fact]
    public void Without_isolation_the_same_preload_breaks_the_dependency_so_the_isolation_test_can_fail()
    {
        // Control: load YamlDotNet 18 the way a module without a private load context would (into the default
        // context, next to 16 already there). It fails — which is what the isolated layout avoids.
        var ours = Path.Combine(TestPaths.ModuleDirectory, "dependencies", "YamlDotNet.dll");
        var result = ChildHost.Run($$"""
            Import-Module {{Quote(TestPaths.YamlDotNet16)}} -ErrorAction Stop
            try { [System.Reflection.Assembly]::LoadFrom({{Quote(ours)}}) | Out-Null; 'LOADED' } catch { 'FAILED ' + $_.Exception.InnerException.GetType().Name }
            """);
        Assert.Contains(result.Lines, l => l.StartsWith("FAILED", StringComparison.Ordinal));
    }
}
