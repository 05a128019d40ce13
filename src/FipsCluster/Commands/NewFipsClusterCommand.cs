using System.Management.Automation;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Creates a cluster whose FIPS mode is fixed at birth: preflights the manager host, initializes the swarm, writes the record.</summary>
[Cmdlet(VerbsCommon.New, "FipsCluster", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FipsClusterRecord))]
public sealed class NewFipsClusterCommand : DockerEngineCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateSet("Swarm")]
    public string Provider { get; set; } = "Swarm";

    /// <summary>FIPS mode (the default); -Fips:$false creates a non-FIPS cluster.</summary>
    [Parameter]
    public SwitchParameter Fips { get; set; }

    [Parameter]
    [ComplianceProfileTransformation]
    [ArgumentCompleter(typeof(ComplianceProfileCompleter))]
    public ComplianceProfile? ComplianceProfile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "0.0.0.0:2377";

    [Parameter]
    public string? AdvertiseAddress { get; set; }

    [Parameter]
    public string Description { get; set; } = "";

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The manager's host for the preflight evidence (SSH); without it the local machine is checked.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ComputerName { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public string? UserName { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    protected override void EndProcessing()
    {
        var request = new NewSwarmClusterRequest
        {
            Name = Name,
            Engine = ResolveEndpoint(),
            Fips = !MyInvocation.BoundParameters.ContainsKey(nameof(Fips)) || Fips.ToBool(),
            Profile = ComplianceProfile ?? ComplianceProfiles.Default,
            ListenAddress = ListenAddress,
            AdvertiseAddress = AdvertiseAddress,
            Description = Description,
            Force = Force,
            PreflightComputerName = ComputerName,
            PreflightSsh = ComputerName is null ? null : SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy.Strict),
        };
        try
        {
            var record = RunCore(context => new SwarmClusterService(ClusterStoreAccess.Store).CreateAsync(request, context));
            if (record is not null)
            {
                WriteObject(record);
            }
        }
        catch (FipsClusterException ex)
        {
            ThrowFailure(ex);
        }
    }
}
