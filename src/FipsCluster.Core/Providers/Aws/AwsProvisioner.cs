using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// Provisions a Kubernetes cluster on EC2 from a spec: read-only checks first (spec, AMI), then — after ShouldProcess —
/// a security group and the instances (ClientToken per role, so a re-run never duplicates them), each booting the
/// cloud-init that Export-FipsClusterManifest -Format CloudInit renders. Any failure rolls back what was created
/// unless KeepOnFailure, and says what was removed. With <see cref="Join"/> (SSH credentials), the cluster is then
/// bootstrapped over SSH by <see cref="KubeadmBootstrapper"/>: the secret never travels in user data.
/// </summary>
public sealed partial class AwsProvisioner
{
    private readonly IAmazonEC2 _ec2;
    private readonly IClusterStore _store;

    public AwsProvisioner(IAmazonEC2 ec2, IClusterStore store)
    {
        _ec2 = ec2;
        _store = store;
    }

    /// <summary>With SSH options, the cluster is bootstrapped over SSH after boot: kubeadm init awaited, the other nodes joined.</summary>
    public KubeadmJoinOptions? Join { get; init; }

    /// <summary>The user chose not to join (-SkipJoin): no warning that the nodes are not joined.</summary>
    public bool SkipJoin { get; init; }

    /// <summary>-Force: SSH may be opened to a /0.</summary>
    public bool AllowSshFromEverywhere { get; init; }

    /// <summary>After CreateAsync: the nodes that did not join (KubeadmJoinFailed, NodeNotFipsCompliant), one error each.</summary>
    public IReadOnlyList<FipsClusterException> NodeFailures => _nodeFailures;

    private readonly List<FipsClusterException> _nodeFailures = new();

    /// <summary>With SSH options, each instance is checked with Test-FipsNode after boot and the evidence recorded.</summary>
    public Remoting.SshOptions? Verify { get; init; }

    /// <summary>The SSH port of -VerifyNode.</summary>
    public int VerifyPort { get; init; } = 22;

    /// <summary>Under HostKeyPolicy Strict: how long an instance may take to print its host keys to its console.</summary>
    public TimeSpan HostKeyTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>The first wait between two polls of the instances' console output.</summary>
    public TimeSpan ConsolePollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The record's description.</summary>
    public string Description { get; init; } = "";

    /// <summary>What can be refused without AWS: the name, a clash in the store, the spec, the ingress networks.</summary>
    internal static void ValidateRequest(IClusterStore store, AwsClusterSpec spec, bool allowSshFromEverywhere)
    {
        ClusterRecords.RequireNewName(store, spec.Name);
        AwsClusterSpecValidator.Validate(spec);
        AwsIngress.Validate(spec, allowSshFromEverywhere);
    }

    public async Task<FipsClusterRecord?> CreateAsync(AwsClusterSpec spec, ComplianceProfile profile, bool keepOnFailure, OperationContext context)
    {
        ValidateRequest(_store, spec, AllowSshFromEverywhere);
        // What the spec left open (DKP's FIPS repositories, the architecture's instance types) is said, then recorded as provisioned.
        (spec, var defaults) = AwsClusterSpecDefaults.Complete(spec);
        foreach (var applied in defaults)
        {
            context.Verbose($"'{spec.Name}': default {applied}.");
        }
        if ((Join?.Ssh ?? Verify) is { HostKeyPolicy: HostKeyPolicy.Strict })
        {
            ConsoleHostKeyTrust.RequireAuthenticatedEndpoint(_ec2, context); // before any request, let alone anything created
        }
        Progress(context, spec, "Checking the AMI", 5);
        await AmiCheck.VerifyAsync(_ec2, spec, context).ConfigureAwait(false);
        await InstanceTypeCheck.VerifyAsync(_ec2, spec, context).ConfigureAwait(false);

        var api = AwsIngress.Api(spec);
        var ssh = AwsIngress.Ssh(spec);
        var plan = $"Create security group fipscluster-{spec.Name} and {spec.ControlPlaneCount} control-plane ({spec.ControlPlaneInstanceType}) + {spec.WorkerCount} worker ({spec.WorkerInstanceType}) {spec.Architecture} instances ({spec.Ami}, Kubernetes {spec.KubernetesVersion}, {(spec.Fips ? "FIPS" : "non-FIPS")})"
            + $"; ingress from the group itself{(api.Count > 0 ? $", API {AwsIngress.ApiPort} from {string.Join(", ", api)}" : "")}{(ssh.Count > 0 ? $", SSH {spec.SshPort} from {string.Join(", ", ssh)}" : "")}"
            + ((Join?.Ssh ?? Verify) is { HostKeyPolicy: HostKeyPolicy.Strict } ? "; read their SSH host keys from their console output (GetConsoleOutput) into known_hosts" : "")
            + (Join is not null ? "; then wait for kubeadm init and join the nodes over SSH" : "")
            + (defaults.Count > 0 ? "; defaults: " + string.Join("; ", defaults) : "");
        if (api.Any(AwsIngress.IsEverywhere))
        {
            context.Warning($"-ApiAllowedCidr {string.Join(", ", api.Where(AwsIngress.IsEverywhere))}: the Kubernetes API of '{spec.Name}' will be reachable from the whole Internet (it still requires client credentials).");
        }
        if (Join is not null && spec.ControlPlaneCount > 1)
        {
            // Honest about a gap: no load balancer yet, so the endpoint is the first control plane's address (ControlPlaneInit).
            context.Warning($"'{spec.Name}' has {spec.ControlPlaneCount} control planes but no load balancer: the first control plane's private address is the cluster's controlPlaneEndpoint, so the API is not highly available when that instance is down (etcd still is).");
        }
        if (ssh.Any(AwsIngress.IsEverywhere))
        {
            context.Warning($"-SshAllowedCidr {string.Join(", ", ssh.Where(AwsIngress.IsEverywhere))} with -Force: SSH to every instance of '{spec.Name}' is open to the whole Internet.");
        }
        if (!context.ShouldProcess($"EC2 {spec.Region}", plan))
        {
            return null;
        }

        var created = new List<string>();
        string? groupId = null;
        try
        {
            Progress(context, spec, "Creating the security group", 15);
            groupId = await SecurityGroupAsync(spec, created, context).ConfigureAwait(false);
            var token = SpecToken(spec);
            Progress(context, spec, "Launching control-plane instances", 35);
            var controlPlane = await LaunchAsync(spec, groupId, "control-plane", spec.ControlPlaneCount, spec.ControlPlaneInstanceType, CloudInitRenderer.Render(spec, "ControlPlane"), token, created, context).ConfigureAwait(false);
            var workers = new List<string>();
            if (spec.WorkerCount > 0)
            {
                Progress(context, spec, "Launching worker instances", 55);
                workers = await LaunchAsync(spec, groupId, "worker", spec.WorkerCount, spec.WorkerInstanceType, CloudInitRenderer.Render(spec, "Worker"), token, created, context).ConfigureAwait(false);
            }
            Progress(context, spec, "Waiting for the instances to run", 75);
            var addresses = await WaitRunningAsync(controlPlane.Concat(workers).ToList(), context).ConfigureAwait(false);
            KubeadmNode Target(string id, string role) => new(id, addresses.GetValueOrDefault(id) ?? "", role);
            var (evidence, joined) = await BootstrapAsync(spec, profile, addresses, addresses,
                controlPlane.Select(id => Target(id, "ControlPlane")).ToList(), workers.Select(id => Target(id, "Worker")).ToList(), Activity(spec), context).ConfigureAwait(false);
            if (Join is null && !SkipJoin && spec.ControlPlaneCount + spec.WorkerCount > 1)
            {
                context.Warning($"The nodes of '{spec.Name}' were not joined: give SSH credentials (-UserName, -KeyFilePath) to join them over SSH, or -SkipJoin if you join them yourself.");
            }
            Progress(context, spec, "Recording the cluster", 95);
            FipsClusterNode Node(string id, string role) => NodeRecord(spec.Name, id, role, addresses, evidence, joined);
            return _store.Create(new FipsClusterRecord
            {
                Name = spec.Name,
                Provider = FipsClusterProvider.AWS,
                Fips = spec.Fips,
                ComplianceProfile = profile.Name,
                ComplianceProfileHash = Judgement.ProfileHash(profile),
                ProfileDefinition = profile,
                Description = Description,
                AwsSpec = spec,
                Resources = new[] { groupId }.Concat(controlPlane).Concat(workers).ToArray(),
                Endpoints = new[] { $"ec2:{spec.Region}" },
                Nodes = controlPlane.Select(id => Node(id, "ControlPlane")).Concat(workers.Select(id => Node(id, "Worker"))).ToArray(),
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever failed — EC2, the network, SSH, Ctrl+C — what this attempt created is removed (or named).
            if (keepOnFailure)
            {
                context.Warning($"Provisioning '{spec.Name}' failed; -KeepOnFailure keeps: {string.Join(", ", created.DefaultIfEmpty("nothing"))}.");
                throw;
            }
            var removed = (await RollbackAsync(created, groupId).ConfigureAwait(false)).Concat(ForgetWrittenHostKeys(created)).ToList();
            if (ex is OperationCanceledException)
            {
                context.Warning($"Stopped; rolled back: {string.Join(", ", removed.DefaultIfEmpty("nothing was created"))}.");
                throw;
            }
            throw new FipsClusterException(ErrorIds.ProvisioningFailed, FipsErrorCategory.ResourceUnavailable,
                $"Provisioning '{spec.Name}' failed ({Cause(ex)}); rolled back: {string.Join(", ", removed.DefaultIfEmpty("nothing was created"))}.", spec.Name, ex);
        }
    }

    /// <summary>Why an attempt failed, named as EC2 or the failure classifier names it.</summary>
    private static string Cause(Exception exception)
    {
        if (exception is AmazonEC2Exception ec2)
        {
            return $"{ec2.ErrorCode}: {ec2.Message}";
        }
        var classified = FailureClassifier.Classify(exception);
        return $"{classified.ErrorId}: {classified.Message}";
    }

    private static string? JoinError(KubeadmJoinOutcome? outcome) => outcome?.Error is { } error ? $"{error.ErrorId}: {error.Message}" : null;

    private static string Activity(AwsClusterSpec spec) => $"New-FipsCluster {spec.Name} (AWS)";

    private static void Progress(OperationContext context, AwsClusterSpec spec, string phase, int percent) => Progress(context, Activity(spec), phase, percent);

    private static void Progress(OperationContext context, string activity, string phase, int percent) =>
        context.Progress(new OperationProgress(activity, phase, percent));

    /// <summary>Idempotency key of a spec: the same spec always launches through the same ClientTokens.</summary>
    private static string SpecToken(AwsClusterSpec spec) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', spec.Name, spec.Region, spec.Ami, spec.KubernetesVersion, spec.EtcdVersion, spec.ControlPlaneCount, spec.WorkerCount, spec.Fips))))[..24].ToLowerInvariant();

    private async Task<string> SecurityGroupAsync(AwsClusterSpec spec, List<string> created, OperationContext context)
    {
        var name = $"fipscluster-{spec.Name}";
        string groupId;
        try
        {
            groupId = (await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = $"FipsCluster {spec.Name}", VpcId = spec.VpcId }, context.Cancellation).ConfigureAwait(false)).GroupId;
            created.Add(groupId);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidGroup.Duplicate")
        {
            // A re-run after an interrupted attempt: reuse the group, and add the rules one by one (an existing rule
            // fails only its own call, so a network added on the re-run is not lost).
            var existing = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = new List<Filter> { new("group-name", new List<string> { name }) } }, context.Cancellation).ConfigureAwait(false);
            var reused = existing.SecurityGroups?.FirstOrDefault()?.GroupId;
            if (reused is null)
            {
                throw;
            }
            groupId = reused;
            context.Verbose($"Reusing security group {groupId} ({name}).");
            var wanted = AwsIngress.Split(AwsIngress.Permissions(spec, groupId)).ToList();
            foreach (var permission in wanted)
            {
                await AuthorizeAsync(groupId, new List<IpPermission> { permission }, context).ConfigureAwait(false);
            }
            // What an earlier attempt opened and this spec no longer asks for (an SSH /0 narrowed to one address) is
            // closed again: ingress is exactly the spec's, not the union of every attempt's.
            var stale = AwsIngress.Stale(existing.SecurityGroups![0].IpPermissions ?? new List<IpPermission>(), wanted);
            if (stale.Count > 0)
            {
                await _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = stale }, context.Cancellation).ConfigureAwait(false);
                context.Warning($"Security group {groupId} ({name}) was reused from an earlier attempt; closed the ingress this run no longer asks for: {string.Join(", ", stale.Select(AwsIngress.Describe))}.");
            }
            return groupId;
        }
        await AuthorizeAsync(groupId, AwsIngress.Permissions(spec, groupId), context).ConfigureAwait(false);
        return groupId;
    }

    private async Task AuthorizeAsync(string groupId, List<IpPermission> permissions, OperationContext context)
    {
        try
        {
            await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = permissions }, context.Cancellation).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidPermission.Duplicate")
        {
        }
    }

    private Task<List<string>> LaunchAsync(AwsClusterSpec spec, string groupId, string role, int count, string instanceType, string userData, string token, List<string> created, OperationContext context) =>
        LaunchWithTokenAsync(spec, groupId, role, count, instanceType, userData, $"fc-{token}-{role}", created, context);

    private async Task<List<string>> LaunchWithTokenAsync(AwsClusterSpec spec, string groupId, string role, int count, string instanceType, string userData, string clientToken, List<string> created, OperationContext context)
    {
        var response = await _ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = spec.Ami,
            InstanceType = instanceType,
            MinCount = count,
            MaxCount = count,
            ClientToken = clientToken,
            KeyName = spec.SshKeyName,
            SubnetId = spec.SubnetId,
            SecurityGroupIds = new List<string> { groupId },
            UserData = Convert.ToBase64String(CloudInitRenderer.Compress(userData)),
            TagSpecifications = new List<TagSpecification>
            {
                new()
                {
                    ResourceType = ResourceType.Instance,
                    Tags = new List<Tag> { new("Name", $"{spec.Name}-{role}"), new("fipscluster.io/cluster", spec.Name), new("fipscluster.io/role", role), new("fipscluster.io/fips", spec.Fips ? "true" : "false") },
                },
            },
        }, context.Cancellation).ConfigureAwait(false);
        // In launch order: the control plane with ami-launch-index 0 is the one whose cloud-init runs kubeadm init.
        var ids = response.Reservation?.Instances?.OrderBy(i => i.AmiLaunchIndex ?? 0).Select(i => i.InstanceId).ToList() ?? new List<string>();
        created.AddRange(ids.Where(id => !created.Contains(id)));
        return ids;
    }

    /// <summary>Test-FipsNode over SSH on every instance, in parallel; a node that fails is recorded and warned about.</summary>
    private async Task<Dictionary<string, NodeComplianceReport>> VerifyAsync(Dictionary<string, string> addresses, ComplianceProfile profile, OperationContext context)
    {
        var ssh = Verify!;
        var scanner = new Remoting.NodeScanner(profile, 32, ssh.Timeout, context);
        scanner.PrepareSsh(ssh);
        var byTarget = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, address) in addresses)
        {
            var target = VerifyPort == 22 ? address : $"{address}:{VerifyPort}";
            byTarget[target] = id;
            scanner.AddSsh(target, VerifyPort, ssh);
        }
        scanner.Complete();
        var reports = new Dictionary<string, NodeComplianceReport>(StringComparer.Ordinal);
        await foreach (var result in scanner.Results.ReadAllAsync(context.Cancellation).ConfigureAwait(false))
        {
            // Several instances may share an address (a test); each gets the evidence read from it.
            foreach (var id in addresses.Where(a => (VerifyPort == 22 ? a.Value : $"{a.Value}:{VerifyPort}") == result.Report.ComputerName).Select(a => a.Key))
            {
                reports[id] = result.Report;
            }
            if (!result.Report.Compliant)
            {
                context.Warning($"{result.Report.ComputerName}: not FIPS compliant after boot ({string.Join(", ", result.Report.Findings.Select(f => f.CheckId).DefaultIfEmpty(result.Report.ErrorId ?? "error"))}); the kubelet guard will refuse to start there.");
            }
        }
        return reports;
    }

    private async Task<Dictionary<string, string>> WaitRunningAsync(List<string> ids, OperationContext context)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var response = await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids }, context.Cancellation).ConfigureAwait(false);
            var states = response.Reservations?.SelectMany(r => r.Instances ?? new List<Instance>()).ToDictionary(i => i.InstanceId, i => i.State?.Name?.Value ?? "") ?? new Dictionary<string, string>();
            if (ids.All(id => states.GetValueOrDefault(id) == "running"))
            {
                // Where SSH goes and what known_hosts records: EC2's text, so it must be an IP address like any other host.
                return response.Reservations!.SelectMany(r => r.Instances ?? new List<Instance>())
                    .ToDictionary(i => i.InstanceId, i => SshAddress(i));
            }
            if (states.Values.Any(s => s is "terminated" or "shutting-down"))
            {
                throw new FipsClusterException(ErrorIds.ProvisioningFailed, FipsErrorCategory.ResourceUnavailable, "An instance terminated while starting.", string.Join(",", ids));
            }
            await Task.Delay(delay, context.Cancellation).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
        }
        throw new FipsClusterException(ErrorIds.OperationTimedOut, FipsErrorCategory.OperationTimeout, "The instances did not reach running.", string.Join(",", ids));
    }

    /// <summary>The address SSH uses for an instance (public, else private; empty when it has none), which must be an IP address in canonical text.</summary>
    private static string SshAddress(Instance instance)
    {
        var address = instance.PublicIpAddress ?? instance.PrivateIpAddress ?? "";
        return address.Length == 0 || (Remoting.HostAddress.IsCanonical(address) && Remoting.HostAddress.IsIpAddress(address)) ? address
            : throw Remoting.HostAddress.Invalid(address, "EC2 gave it as the instance's address, which must be an IP address", instance.InstanceId);
    }

    /// <summary>Terminates the cluster's recorded instances, waits for them, and deletes its security group.</summary>
    public static async Task<IReadOnlyList<string>> DeprovisionAsync(AwsConnection connection, FipsClusterRecord record)
    {
        var group = record.Resources.FirstOrDefault(r => r.StartsWith("sg-", StringComparison.Ordinal));
        // Unlike a rollback, a failure here is the caller's error: the record must stay while its resources do.
        var removed = new List<string>();
        await Ec2ClientFactory.UseAsync(connection, async ec2 =>
        {
            await new AwsProvisioner(ec2, new NullStore()).RemoveAsync(record.Resources, group, removed).ConfigureAwait(false);
            return removed;
        }, CancellationToken.None).ConfigureAwait(false);
        // The instances' addresses may serve other machines next: their recorded host keys go too.
        return removed.Concat(ForgetHostKeys(record.Nodes)).ToList();
    }

    /// <summary>Deprovisioning needs no store.</summary>
    private sealed class NullStore : IClusterStore
    {
        public FipsClusterRecord Get(string name) => throw new NotSupportedException();
        public IReadOnlyList<string> Names() => Array.Empty<string>();
        public FipsClusterRecord Create(FipsClusterRecord record) => throw new NotSupportedException();
        public FipsClusterRecord Update(string name, Func<FipsClusterRecord, FipsClusterRecord> change) => throw new NotSupportedException();
        public bool Delete(string name) => false;
    }

    /// <summary>
    /// Removes what a failed attempt created. It never throws: what it could not remove (the network that failed the
    /// attempt may fail this too) is named in the result, so the error can say what is left behind.
    /// </summary>
    private async Task<List<string>> RollbackAsync(List<string> created, string? groupId)
    {
        var removed = new List<string>();
        try
        {
            await RemoveAsync(created, groupId, removed).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var failure = FailureClassifier.Classify(ex);
            var left = Removable(created, groupId).Where(r => !removed.Contains(r));
            removed.Add($"NOT removed ({failure.ErrorId}: {failure.Message}): {string.Join(", ", left)} — remove them, or re-run with the same spec, which reuses them");
        }
        return removed;
    }

    /// <summary>What <see cref="RemoveAsync"/> removes, as it names them.</summary>
    private static IEnumerable<string> Removable(IEnumerable<string> resources, string? groupId) =>
        resources.Where(id => id.StartsWith("i-", StringComparison.Ordinal)).Select(i => $"instance {i}")
            .Concat(groupId is not null && resources.Contains(groupId) ? new[] { $"security group {groupId}" } : Array.Empty<string>());

    /// <summary>Terminates the instances among <paramref name="resources"/>, waits for them, then deletes the group; adds each removal to <paramref name="removed"/> as it happens.</summary>
    private async Task RemoveAsync(IReadOnlyCollection<string> resources, string? groupId, List<string> removed)
    {
        var instances = resources.Where(id => id.StartsWith("i-", StringComparison.Ordinal)).ToList();
        if (instances.Count > 0)
        {
            await _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = instances }).ConfigureAwait(false);
            removed.AddRange(instances.Select(i => $"instance {i}"));
            // The group can only go once its instances are gone.
            for (var attempt = 0; attempt < 60; attempt++)
            {
                var response = await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = instances }).ConfigureAwait(false);
                if (response.Reservations?.SelectMany(r => r.Instances ?? new List<Instance>()).All(i => i.State?.Name?.Value == "terminated") != false)
                {
                    break;
                }
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, 0.2 * (attempt + 1)))).ConfigureAwait(false);
            }
        }
        if (groupId is not null && resources.Contains(groupId))
        {
            await _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = groupId }).ConfigureAwait(false);
            removed.Add($"security group {groupId}");
        }
    }
}
