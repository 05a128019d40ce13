using Amazon.EC2.Model;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// Kubernetes on EC2, the DKP way: <see cref="AwsProvisioner"/> creates and grows the cluster, its API is tested by
/// <see cref="LiveClusterTest"/>. Every EC2 call goes to the cluster's own region, through its FIPS endpoint when the
/// cluster is FIPS and the region has one.
/// </summary>
public sealed class AwsClusterProvider : IClusterProvider
{
    private readonly IClusterStore _store;

    public AwsClusterProvider(IClusterStore store) => _store = store;

    /// <summary>
    /// Checks the request (SSH login, spec), then creates the EC2 client, provisions, and disposes the client. A spec that
    /// cannot be provisioned fails before any credential is resolved or any request is sent.
    /// </summary>
    public async Task<ClusterCreation> CreateAsync(NewClusterOptions options, OperationContext context)
    {
        var request = options as NewAwsClusterOptions
            ?? throw new ArgumentException($"{options.GetType().Name} are not an AWS cluster's options.", nameof(options));
        var profile = request.Profile ?? ComplianceProfiles.Get(request.Spec.ComplianceProfile is { Length: > 0 } named ? named : ComplianceProfiles.Default.Name);
        var connection = request.Connection.WithRegion(request.Spec.Region, request.Spec.Name).ForCluster(request.Spec.Fips);
        var spec = Resolved(request.Spec, connection.Region, profile.Name);
        // SSH login parameters ask for the cluster to be bootstrapped over SSH, unless -SkipJoin; -VerifyNode needs a login either way.
        var join = !request.SkipJoin && (request.VerifyNode || request.SshLoginGiven);
        if ((request.VerifyNode || join) && request.Ssh is null)
        {
            throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
                "-VerifyNode and joining the nodes need an SSH login: -KeyFilePath, -SshCredential, or a key in ~/.ssh.", "KeyFilePath");
        }
        AwsProvisioner.ValidateRequest(_store, spec, request.Force);
        if (connection.UseFipsEndpoint)
        {
            context.Verbose($"'{spec.Name}': EC2 through its FIPS endpoint in {connection.Region}.");
        }
        return await Ec2ClientFactory.UseAsync(connection, async ec2 =>
        {
            var provisioner = new AwsProvisioner(ec2, _store)
            {
                Verify = request.VerifyNode ? request.Ssh : null,
                VerifyPort = spec.SshPort,
                Join = join ? new KubeadmJoinOptions { Ssh = request.Ssh!, Port = spec.SshPort, BootstrapTimeout = request.BootstrapTimeout } : null,
                SkipJoin = request.SkipJoin,
                AllowSshFromEverywhere = request.Force,
                HostKeyTimeout = request.BootstrapTimeout,
                Description = request.Description,
            };
            var record = await provisioner.CreateAsync(spec, profile, request.KeepOnFailure, context).ConfigureAwait(false);
            return new ClusterCreation(record, provisioner.NodeFailures);
        }, context.Cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// More workers (<see cref="AddAwsNodesOptions.Count"/>) and/or recorded instances joined again, each judged with
    /// Test-FipsNode and joined over SSH at the cluster's recorded SSH port.
    /// </summary>
    public async Task<NodeAddition> AddNodesAsync(FipsClusterRecord record, AddNodesOptions options, OperationContext context)
    {
        var add = ClusterProviders.Require<AddAwsNodesOptions>(record, options);
        var spec = SpecOf(record);
        var ssh = add.Ssh ?? throw new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
            "Joining AWS instances needs an SSH login: -KeyFilePath, -SshCredential, or a key in ~/.ssh.", "KeyFilePath");
        // The instances' sshd port is the cluster's, as recorded.
        var join = new KubeadmJoinOptions { Ssh = ssh, Port = spec.SshPort, BootstrapTimeout = add.BootstrapTimeout };
        return await Ec2ClientFactory.UseAsync(Connection(add.Connection, record), async ec2 =>
        {
            var provisioner = new AwsProvisioner(ec2, _store) { Verify = ssh, VerifyPort = spec.SshPort, Join = join, HostKeyTimeout = add.BootstrapTimeout };
            var nodes = await provisioner.AddNodesAsync(record, add.Count, add.InstanceIds, context).ConfigureAwait(false);
            return new NodeAddition(nodes ?? Array.Empty<FipsClusterNode>(), provisioner.NodeFailures);
        }, context.Cancellation).ConfigureAwait(false);
    }

    /// <summary>The recorded instances as EC2 sees them now (state, address), merged with the recorded evidence.</summary>
    public async Task<IReadOnlyList<FipsClusterNode>> GetNodesAsync(FipsClusterRecord record, GetNodesOptions options, OperationContext context)
    {
        var ids = record.Nodes.Select(n => n.NodeId).OfType<string>().ToList();
        var response = await Ec2ClientFactory.UseAsync(Connection(options.Aws, record),
            ec2 => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids }, context.Cancellation), context.Cancellation).ConfigureAwait(false);
        var instances = response.Reservations?.SelectMany(r => r.Instances ?? new List<Instance>()).ToDictionary(i => i.InstanceId) ?? new Dictionary<string, Instance>();
        return record.Nodes.Select(n =>
        {
            var instance = n.NodeId is null ? null : instances.GetValueOrDefault(n.NodeId);
            return new FipsClusterNode
            {
                Cluster = record.Name,
                NodeId = n.NodeId ?? "",
                Hostname = instance?.PrivateDnsName is { Length: > 0 } dns ? dns : instance?.PrivateIpAddress ?? n.Hostname,
                Role = n.Role,
                State = instance?.State?.Name?.Value ?? "unknown",
                Address = instance?.PublicIpAddress ?? instance?.PrivateIpAddress,
                Endpoint = n.Endpoint,
                EvidenceHost = n.EvidenceHost,
                Compliant = n.EvidenceHost is null ? null : n.Compliant,
                FipsModeEnabled = n.FipsModeEnabled,
                FailedChecks = n.FailedChecks,
                CheckedAt = n.CheckedAt,
                JoinState = n.JoinState,
                JoinError = n.JoinError,
            };
        }).ToList();
    }

    /// <summary>
    /// Terminates one recorded instance and drops it from the record (and its resources); with a kubeconfig, deletes its
    /// Node object too. The control plane that ran kubeadm init is refused: without it there is no cluster.
    /// </summary>
    public Task<bool> RemoveNodeAsync(FipsClusterRecord record, RemoveNodeOptions options, OperationContext context)
    {
        if (options.NodeEngine is not null)
        {
            throw new FipsClusterException(ErrorIds.ClusterProviderMismatch, FipsErrorCategory.InvalidArgument,
                $"'{record.Name}' is an AWS cluster: its nodes are instances, so -DockerHost does not apply to it.", record.Name);
        }
        return AwsNodeRemoval.RemoveAsync(_store, record, options, Connection(options.Aws, record), context);
    }

    /// <summary>Removes the record; with deprovision, its instances are terminated and its security group deleted first.</summary>
    public async Task<bool> RemoveAsync(FipsClusterRecord record, RemoveClusterOptions options, OperationContext context)
    {
        var shouldProcess = options.ShouldProcess ?? context.ShouldProcess;
        if (!shouldProcess(record.Name, options.Deprovision
                ? $"Remove the cluster record, terminate its instances and delete its security group ({string.Join(", ", record.Resources)})"
                : "Remove the cluster record (the cluster keeps running)"))
        {
            return false;
        }
        if (options.Deprovision)
        {
            var removed = await AwsProvisioner.DeprovisionAsync(Connection(options.Aws, record), record).ConfigureAwait(false);
            context.Verbose($"Removed: {string.Join(", ", removed)}.");
        }
        return _store.Delete(record.Name);
    }

    /// <summary>Through the cluster's Kubernetes API (a kubeconfig is required), judged against the record's profile and pins; nodes over SSH at the given port, else the recorded one.</summary>
    public Task<ClusterComplianceReport> TestAsync(FipsClusterRecord record, TestClusterOptions options, OperationContext context) =>
        LiveClusterTest.TestAsync(options, ClusterRecords.ProfileOf(record), KubernetesClusterExpectations.FromRecord(record), options.SshPort ?? SpecOf(record).SshPort, context);

    private static AwsClusterSpec SpecOf(FipsClusterRecord record) =>
        record.AwsSpec ?? throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidData, $"The record of AWS cluster '{record.Name}' has no spec.", record.Name);

    /// <summary>EC2 in the cluster's own region, through its FIPS endpoint when the cluster is FIPS and the region has one.</summary>
    private static AwsConnection Connection(AwsConnection? given, FipsClusterRecord record) =>
        (given ?? new AwsConnection()).WithRegion(record.AwsSpec?.Region, record.Name).ForCluster(record.Fips);

    /// <summary>The spec as provisioned: its region resolved, and the name of the profile it is judged against.</summary>
    private static AwsClusterSpec Resolved(AwsClusterSpec spec, string region, string profile) =>
        spec.Region == region && spec.ComplianceProfile == profile ? spec : new AwsClusterSpec
        {
            Name = spec.Name, Region = region, Ami = spec.Ami, Architecture = spec.Architecture,
            ControlPlaneInstanceType = spec.ControlPlaneInstanceType, WorkerInstanceType = spec.WorkerInstanceType,
            ControlPlaneCount = spec.ControlPlaneCount, WorkerCount = spec.WorkerCount, SubnetId = spec.SubnetId, VpcId = spec.VpcId, SshKeyName = spec.SshKeyName,
            ApiAllowedCidrs = spec.ApiAllowedCidrs, SshAllowedCidrs = spec.SshAllowedCidrs, SshPort = spec.SshPort,
            KubernetesVersion = spec.KubernetesVersion, KubernetesImageRepository = spec.KubernetesImageRepository,
            EtcdVersion = spec.EtcdVersion, EtcdImageRepository = spec.EtcdImageRepository, Fips = spec.Fips, ComplianceProfile = profile,
        };
}
