using System.Management.Automation;
using FipsCluster.Core.Diagnostics;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Lists the module's private dependencies: the version that loaded, its load context, and whether it works.</summary>
[Cmdlet(VerbsCommon.Get, "FipsClusterDependency")]
[OutputType(typeof(DependencyInfo))]
public sealed class GetFipsClusterDependencyCommand : FipsCmdlet
{
    protected override void EndProcessingCore()
    {
        foreach (var dependency in DependencyProbe.Run(new Core.Operations.OperationContext { Verbose = WriteVerbose }))
        {
            WriteObject(dependency);
        }
    }
}
