using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace FipsCluster.Infrastructure;

/// <summary>
/// Sends FipsCluster.Core, and through it every third-party assembly, into the module's private
/// AssemblyLoadContext, so that other modules' versions of YamlDotNet, AWSSDK or KubernetesClient in the
/// same session never collide with ours. Nothing here may mention a Core type: the JIT would resolve
/// FipsCluster.Core while compiling this method, before the handler exists.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static int s_registered;

    public void OnImport()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            AssemblyLoadContext.Default.Resolving += ResolveIntoPrivateContext;
        }
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // The handler stays: assemblies cannot be unloaded from the default context, and cmdlet types already
        // bound to Core keep needing it if the module is imported again.
    }

    private static Assembly? ResolveIntoPrivateContext(AssemblyLoadContext defaultContext, AssemblyName name)
        => name.Name == FipsClusterLoadContext.EngineAssemblyName
            ? FipsClusterLoadContext.Instance.LoadFromAssemblyName(name)
            : null;
}
