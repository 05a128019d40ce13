using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers;

/// <summary>
/// What every provider does for a cluster (Swarm, Kubernetes on AWS; a third one implements this and registers in
/// <see cref="ClusterProviders"/>). Every entry point takes one options record and the operation context; the record of
/// an existing cluster is read once by <see cref="ClusterService"/>, which chose the provider from it.
/// </summary>
public interface IClusterProvider
{
    /// <summary>Creates the cluster and writes its record; <see cref="ClusterCreation.Record"/> is null when ShouldProcess declined.</summary>
    Task<ClusterCreation> CreateAsync(NewClusterOptions options, OperationContext context);

    /// <summary>Admits nodes on evidence (a FIPS cluster refuses a node that fails its profile) and records them; empty when ShouldProcess declined.</summary>
    Task<NodeAddition> AddNodesAsync(FipsClusterRecord record, AddNodesOptions options, OperationContext context);

    /// <summary>The members as the engine or the cloud sees them now, merged with the recorded evidence.</summary>
    Task<IReadOnlyList<FipsClusterNode>> GetNodesAsync(FipsClusterRecord record, GetNodesOptions options, OperationContext context);

    /// <summary>Removes one member; false when ShouldProcess declined.</summary>
    Task<bool> RemoveNodeAsync(FipsClusterRecord record, RemoveNodeOptions options, OperationContext context);

    /// <summary>Removes the record, and with <see cref="RemoveClusterOptions.Deprovision"/> what the cluster runs on; false when ShouldProcess declined.</summary>
    Task<bool> RemoveAsync(FipsClusterRecord record, RemoveClusterOptions options, OperationContext context);

    /// <summary>Judges the cluster against its recorded profile.</summary>
    Task<ClusterComplianceReport> TestAsync(FipsClusterRecord record, TestClusterOptions options, OperationContext context);
}

/// <summary>A new cluster's record (null: ShouldProcess declined) and the nodes that did not join, each an error of its own.</summary>
public sealed record ClusterCreation(FipsClusterRecord? Record, IReadOnlyList<FipsClusterException> NodeFailures);

/// <summary>The nodes recorded by an addition (empty: ShouldProcess declined) and the nodes that did not join, each an error of its own.</summary>
public sealed record NodeAddition(IReadOnlyList<FipsClusterNode> Nodes, IReadOnlyList<FipsClusterException> NodeFailures);

/// <summary>What New-FipsCluster asks of every provider; each provider's options derive from it.</summary>
public abstract record NewClusterOptions
{
    /// <summary>The provider these options are for: <see cref="ClusterProviders"/> maps it to the implementation.</summary>
    public abstract FipsClusterProvider Provider { get; }

    /// <summary>The profile the cluster is judged against, fixed at creation; null: the default (AWS: the spec's).</summary>
    public ComplianceProfile? Profile { get; init; }

    public string Description { get; init; } = "";

    /// <summary>Swarm: create although required preflight checks failed, recording a waiver. AWS: SSH may be opened to a /0.</summary>
    public bool Force { get; init; }
}

/// <summary>New-FipsCluster -Provider Swarm: a new swarm on <see cref="Engine"/>, its host's evidence read locally or over SSH.</summary>
public sealed record NewSwarmClusterOptions : NewClusterOptions
{
    public override FipsClusterProvider Provider => FipsClusterProvider.Swarm;

    public required string Name { get; init; }

    /// <summary>Whether the cluster requires FIPS mode (the default). Fixed at creation.</summary>
    public bool Fips { get; init; } = true;

    public required DockerEndpoint Engine { get; init; }

    public string ListenAddress { get; init; } = "0.0.0.0:2377";

    public string? AdvertiseAddress { get; init; }

    /// <summary>The manager's host, whose evidence is read over SSH; null: this machine (an engine on a local socket).</summary>
    public string? EvidenceHost { get; init; }

    /// <summary>The SSH login for <see cref="EvidenceHost"/>.</summary>
    public SshOptions? Ssh { get; init; }

    /// <summary>The SSH port when <see cref="EvidenceHost"/> names none; null: 22.</summary>
    public int? SshPort { get; init; }
}

/// <summary>New-FipsCluster -Provider AWS: EC2 instances from <see cref="Spec"/>, bootstrapped with kubeadm over SSH when a login is given.</summary>
public sealed record NewAwsClusterOptions : NewClusterOptions
{
    public override FipsClusterProvider Provider => FipsClusterProvider.AWS;

    /// <summary>The cluster (its name, FIPS mode and SSH port among it). An empty region: the connection's, then AWS_REGION.</summary>
    public required AwsClusterSpec Spec { get; init; }

    public AwsConnection Connection { get; init; } = new();

    /// <summary>Keep what a failed attempt created (otherwise it is rolled back).</summary>
    public bool KeepOnFailure { get; init; }

    /// <summary>Judge every instance with Test-FipsNode over SSH after boot and record the evidence.</summary>
    public bool VerifyNode { get; init; }

    /// <summary>Do not bootstrap the cluster over SSH although an SSH login was given.</summary>
    public bool SkipJoin { get; init; }

    /// <summary>The SSH login for the instances (may be the default key in ~/.ssh).</summary>
    public SshOptions? Ssh { get; init; }

    /// <summary>The user gave SSH login parameters: that asks for the cluster to be bootstrapped over SSH (unless <see cref="SkipJoin"/>).</summary>
    public bool SshLoginGiven { get; init; }

    /// <summary>How long a node's cloud-init (kubeadm init on the first control plane), and its host keys on the console, may take.</summary>
    public TimeSpan BootstrapTimeout { get; init; } = TimeSpan.FromMinutes(20);
}

/// <summary>What Add-FipsClusterNode asks; each provider takes its own kind and refuses the other's.</summary>
public abstract record AddNodesOptions
{
    /// <summary>The provider these options are for.</summary>
    public abstract FipsClusterProvider Provider { get; }
}

/// <summary>Add-FipsClusterNode on a Swarm cluster: the engine at <see cref="Engine"/> joins, on its host's evidence.</summary>
public sealed record AddSwarmNodeOptions : AddNodesOptions
{
    public override FipsClusterProvider Provider => FipsClusterProvider.Swarm;

    public required DockerEndpoint Engine { get; init; }

    /// <summary>Worker or Manager.</summary>
    public SwarmNodeRole Role { get; init; } = SwarmNodeRole.Worker;

    /// <summary>The node's host, whose evidence is read over SSH; null: this machine.</summary>
    public string? EvidenceHost { get; init; }

    public SshOptions? Ssh { get; init; }

    /// <summary>The SSH port when <see cref="EvidenceHost"/> names none; null: 22.</summary>
    public int? SshPort { get; init; }

    public string ListenAddress { get; init; } = "0.0.0.0:2377";

    public string? AdvertiseAddress { get; init; }
}

/// <summary>Add-FipsClusterNode on an AWS cluster: <see cref="Count"/> more workers, and/or recorded instances joined again.</summary>
public sealed record AddAwsNodesOptions : AddNodesOptions
{
    public override FipsClusterProvider Provider => FipsClusterProvider.AWS;

    public AwsConnection Connection { get; init; } = new();

    public int Count { get; init; }

    public IReadOnlyList<string> InstanceIds { get; init; } = Array.Empty<string>();

    /// <summary>The SSH login for the instances (required: they are judged and joined over SSH).</summary>
    public SshOptions? Ssh { get; init; }

    public TimeSpan BootstrapTimeout { get; init; } = TimeSpan.FromMinutes(20);
}

/// <summary>What Get-FipsClusterNode may need to see the members now.</summary>
public sealed record GetNodesOptions
{
    /// <summary>AWS: how to reach EC2 (the region is the record's); null when none was given (the SDK's default chain). A swarm refuses one.</summary>
    public AwsConnection? Aws { get; init; }
}

/// <summary>Remove-FipsClusterNode.</summary>
public sealed record RemoveNodeOptions
{
    /// <summary>The node's ID or name (AWS: also its recorded address).</summary>
    public required string Node { get; init; }

    /// <summary>Swarm: the node's own engine, which leaves the swarm first; null: the managers only forget it.</summary>
    public DockerEndpoint? NodeEngine { get; init; }

    /// <summary>AWS: how to reach EC2 (the region is the record's); null when none was given (the SDK's default chain). A swarm refuses one.</summary>
    public AwsConnection? Aws { get; init; }

    /// <summary>AWS: the cluster's kubeconfig, to delete the removed machine's Node object too.</summary>
    public string? Kubeconfig { get; init; }

    public string? KubeContext { get; init; }

    /// <summary>Asked before the node is removed; null: the context's ShouldProcess (-Force passes its own).</summary>
    public Func<string, string, bool>? ShouldProcess { get; init; }
}

/// <summary>Remove-FipsCluster.</summary>
public sealed record RemoveClusterOptions
{
    /// <summary>Also tear down what the cluster runs on (Swarm: the engines leave; AWS: instances and security group go).</summary>
    public bool Deprovision { get; init; }

    /// <summary>AWS: how to reach EC2 (the region is the record's); null when none was given (the SDK's default chain). A swarm refuses one.</summary>
    public AwsConnection? Aws { get; init; }

    /// <summary>Asked before anything is removed; null: the context's ShouldProcess.</summary>
    public Func<string, string, bool>? ShouldProcess { get; init; }
}

/// <summary>Test-FipsCluster.</summary>
public sealed record TestClusterOptions
{
    /// <summary>The SSH login for the nodes' hosts (Swarm members; -NodeCheck Ssh on Kubernetes).</summary>
    public SshOptions? Ssh { get; init; }

    /// <summary>The SSH port the user gave; null: the cluster's recorded port (AWS), else 22.</summary>
    public int? SshPort { get; init; }

    public int ThrottleLimit { get; init; } = 32;

    /// <summary>Kubernetes: the cluster's kubeconfig; required for a Kubernetes cluster (its API is the evidence).</summary>
    public string? Kubeconfig { get; init; }

    public string? KubeContext { get; init; }

    /// <summary>Kubernetes: None (the API only), Ssh (Test-FipsNode on every node) or DaemonSet (a pod on every node).</summary>
    public string NodeCheck { get; init; } = "None";

    /// <summary>Kubernetes, -NodeCheck DaemonSet: the image and the pods' deadline.</summary>
    public DaemonSetNodeCheck? DaemonSet { get; init; }

    /// <summary>Kubernetes, -NodeCheck Ssh: which of each node's addresses to reach it at.</summary>
    public string NodeAddressType { get; init; } = "InternalIP";

    /// <summary>A cluster without a record (a kubeconfig alone): the profile to judge it with; null: the default.</summary>
    public ComplianceProfile? Profile { get; init; }
}
