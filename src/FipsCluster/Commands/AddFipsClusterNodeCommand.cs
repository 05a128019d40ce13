using System.Management.Automation;
using FipsCluster.Core.Providers;
using FipsCluster.Core.Remoting;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// Admits nodes to a cluster on evidence: a FIPS cluster refuses a node whose host fails the cluster's profile. Swarm:
/// an admitted node's engine joins the swarm. AWS: more workers are launched (-Count), or recorded instances that did
/// not join are taken again (-InstanceId), judged over SSH and joined with kubeadm.
/// </summary>
[Cmdlet(VerbsCommon.Add, "FipsClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SwarmSet)]
[OutputType(typeof(FipsClusterNode))]
public sealed class AddFipsClusterNodeCommand : DockerEngineCmdlet
{
    private const string SwarmSet = "Swarm";
    private const string AwsLaunchSet = "AwsLaunch";
    private const string AwsInstanceSet = "AwsInstance";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName", "Name")]
    [ValidateNotNullOrEmpty]
    public string Cluster { get; set; } = "";

    [Parameter(ParameterSetName = SwarmSet)]
    [ValidateSet("Worker", "Manager")]
    public string Role { get; set; } = "Worker";

    /// <summary>The node's host for the evidence (SSH); without it, the local machine is the evidence.</summary>
    [Parameter(ParameterSetName = SwarmSet)]
    [ValidateNotNullOrEmpty]
    public string? ComputerName { get; set; }

    /// <summary>AWS: how many worker instances to launch and join.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AwsLaunchSet)]
    [ValidateRange(1, 100)]
    public int Count { get; set; }

    /// <summary>AWS: recorded instances to judge and join again (e.g. those whose JoinState is Failed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AwsInstanceSet, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeId")]
    [ValidateNotNullOrEmpty]
    public string[] InstanceId { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = AwsLaunchSet)]
    [Parameter(ParameterSetName = AwsInstanceSet)]
    public string? ProfileName { get; set; }

    [Parameter(ParameterSetName = AwsLaunchSet)]
    [Parameter(ParameterSetName = AwsInstanceSet)]
    public string? EndpointUrl { get; set; }

    /// <summary>AWS: how long each node's cloud-init, and its host keys on the console, may take.</summary>
    [Parameter(ParameterSetName = AwsLaunchSet)]
    [Parameter(ParameterSetName = AwsInstanceSet)]
    [ValidateRange("00:00:01", "1.00:00:00")]
    public TimeSpan BootstrapTimeout { get; set; } = TimeSpan.FromMinutes(20);

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

    [Parameter]
    public HostKeyPolicy HostKeyPolicy { get; set; } = HostKeyPolicy.Strict;

    [Parameter(ParameterSetName = SwarmSet)]
    [ValidateNotNullOrEmpty]
    public string ListenAddress { get; set; } = "0.0.0.0:2377";

    [Parameter(ParameterSetName = SwarmSet)]
    public string? AdvertiseAddress { get; set; }

    /// <summary>AWS: instances piped in, per cluster, joined together in EndProcessing (one bootstrap token for all).</summary>
    private readonly Dictionary<string, List<string>> _instances = new(StringComparer.OrdinalIgnoreCase);

    protected override void ProcessRecordCore()
    {
        if (ParameterSetName == AwsInstanceSet)
        {
            if (!_instances.TryGetValue(Cluster, out var ids))
            {
                _instances[Cluster] = ids = new List<string>();
            }
            ids.AddRange(InstanceId);
            return;
        }
        if (ParameterSetName == AwsLaunchSet)
        {
            AddOnAws(Cluster, Array.Empty<string>());
            return;
        }
        var options = new AddSwarmNodeOptions
        {
            Engine = ResolveEndpoint(),
            Role = Role,
            EvidenceHost = ComputerName,
            Ssh = ComputerName is null ? null : SshLoginOptions.Build(this, Credential, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy),
            ListenAddress = ListenAddress,
            AdvertiseAddress = AdvertiseAddress,
        };
        Add(Cluster, options);
    }

    protected override void EndProcessingCore()
    {
        foreach (var (cluster, ids) in _instances)
        {
            AddOnAws(cluster, ids);
        }
    }

    private void AddOnAws(string cluster, IReadOnlyList<string> instanceIds) => Add(cluster, new AddAwsNodesOptions
    {
        Connection = AwsLogin.Build(Credential, ProfileName, EndpointUrl),
        Count = Count,
        InstanceIds = instanceIds,
        // As with New-FipsCluster -Provider AWS, -Credential holds the AWS keys; the nodes are reached with an SSH key.
        Ssh = SshLoginOptions.Build(this, null, UserName, KeyFilePath, null, KnownHostsPath, HostKeyPolicy),
        BootstrapTimeout = BootstrapTimeout,
    });

    private void Add(string cluster, AddNodesOptions options)
    {
        try
        {
            var added = RunCore(context => new ClusterService(ClusterStoreAccess.Store).AddNodesAsync(cluster, options, context));
            foreach (var node in added.Nodes)
            {
                WriteObject(node);
            }
            foreach (var failure in added.NodeFailures)
            {
                WriteFailure(failure);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
