using System.Reflection;
using System.Runtime.Loader;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Diagnostics;

/// <summary>
/// Exercises each private dependency once and reports which version actually loaded and into which load
/// context — the first thing to look at when another module in the session ships a different version.
/// </summary>
public static class DependencyProbe
{
    public static IReadOnlyList<DependencyInfo> Run(OperationContext context)
    {
        var results = new List<DependencyInfo>
        {
            Describe(typeof(DependencyProbe).Assembly, "engine loaded", () => { }),
            Describe(typeof(YamlDotNet.Serialization.SerializerBuilder).Assembly, "YAML round trip", YamlRoundTrip),
            Describe(typeof(Amazon.RegionEndpoint).Assembly, "AWS FIPS endpoint resolution", AwsFipsEndpoint),
            Describe(typeof(Amazon.EC2.AmazonEC2Config).Assembly, "EC2 client configuration", AwsFipsEndpoint),
            Describe(typeof(k8s.KubernetesYaml).Assembly, "Kubernetes manifest parse", KubernetesManifest),
        };
        foreach (var r in results)
        {
            context.Verbose($"{r.Name} {r.FileVersion} in load context '{r.LoadContext}': {(r.Working ? "working" : "FAILED")}");
        }
        return results;
    }

    private static void YamlRoundTrip()
    {
        var data = new Dictionary<string, string> { ["profile"] = "FIPS-140-3", ["mode"] = "enforcing" };
        var yaml = new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(data);
        var back = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, string>>(yaml);
        if (back["profile"] != "FIPS-140-3" || back["mode"] != "enforcing")
        {
            throw new InvalidOperationException("YAML did not round-trip.");
        }
    }

    private static void AwsFipsEndpoint()
    {
        var config = new Amazon.EC2.AmazonEC2Config { RegionEndpoint = Amazon.RegionEndpoint.USGovCloudWest1, UseFIPSEndpoint = true };
        if (config.RegionEndpoint.SystemName != "us-gov-west-1" || !config.UseFIPSEndpoint)
        {
            throw new InvalidOperationException("The EC2 configuration did not keep its region and FIPS endpoint setting.");
        }
    }

    private static void KubernetesManifest()
    {
        var ns = k8s.KubernetesYaml.Deserialize<k8s.Models.V1Namespace>("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fips-probe\n");
        if (ns.Metadata?.Name != "fips-probe")
        {
            throw new InvalidOperationException("The Kubernetes manifest did not parse.");
        }
    }

    private static DependencyInfo Describe(Assembly assembly, string check, Action exercise)
    {
        string? problem = null;
        try
        {
            exercise();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            problem = $"{ex.GetType().Name}: {ex.Message}";
        }
        var loadContext = AssemblyLoadContext.GetLoadContext(assembly);
        return new DependencyInfo
        {
            Name = assembly.GetName().Name ?? "",
            Version = assembly.GetName().Version,
            FileVersion = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
                ?? assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version,
            LoadContext = loadContext?.Name ?? "(unknown)",
            Isolated = loadContext is not null && loadContext != AssemblyLoadContext.Default,
            Location = assembly.Location,
            Check = check,
            Working = problem is null,
            Problem = problem,
        };
    }
}
