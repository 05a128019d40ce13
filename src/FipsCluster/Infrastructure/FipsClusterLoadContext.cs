using System.Reflection;
using System.Runtime.Loader;

namespace FipsCluster.Infrastructure;

/// <summary>
/// The module's private load context: it serves every assembly found in the module's dependencies/ folder
/// and defers everything else (the framework, System.Management.Automation, FipsCluster.Models) to the
/// default context, so pipeline types stay shared with scripts.
/// </summary>
internal sealed class FipsClusterLoadContext : AssemblyLoadContext
{
    public const string EngineAssemblyName = "FipsCluster.Core";
    public const string DependencyFolder = "dependencies";

    private readonly string _dependencyDirectory;

    private FipsClusterLoadContext(string dependencyDirectory)
        : base("FipsCluster", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    public static FipsClusterLoadContext Instance { get; } = new(
        Path.Combine(Path.GetDirectoryName(typeof(FipsClusterLoadContext).Assembly.Location)!, DependencyFolder));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = Path.Combine(_dependencyDirectory, unmanagedDllName);
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }
}
