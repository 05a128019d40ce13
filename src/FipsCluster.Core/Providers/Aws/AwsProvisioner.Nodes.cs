using Amazon.EC2;
using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>What happens to instances after they run — host keys, evidence, kubeadm — for new clusters and for nodes added later.</summary>
public sealed partial class AwsProvisioner
{
    /// <summary>
    /// Under Strict host keys, records the console-proven keys of <paramref name="learn"/>; with <see cref="Verify"/>,
    /// judges <paramref name="verify"/> with Test-FipsNode; with <see cref="Join"/>, bootstraps over SSH (the first
    /// control plane is <paramref name="controlPlanes"/>[0]). A FIPS cluster does not join a node whose evidence fails.
    /// </summary>
    private async Task<(Dictionary<string, NodeComplianceReport> Evidence, Dictionary<string, KubeadmJoinOutcome> Joined)> BootstrapAsync(
        AwsClusterSpec spec, ComplianceProfile profile, IReadOnlyDictionary<string, string> learn, IReadOnlyDictionary<string, string> verify,
        IReadOnlyList<KubeadmNode> controlPlanes, IReadOnlyList<KubeadmNode> workers, string activity, OperationContext context)
    {
        if ((Join?.Ssh ?? Verify) is { HostKeyPolicy: HostKeyPolicy.Strict } strict && learn.Count > 0)
        {
            // Before the first SSH connection: the host keys the instances printed to their console, through the EC2 API.
            Progress(context, activity, "Reading the instances' host keys from their console output", 80);
            var trust = new ConsoleHostKeyTrust(_ec2, context) { FirstPollInterval = ConsolePollInterval };
            await trust.RecordAsync(learn, spec.SshPort, strict.KnownHostsPath, HostKeyTimeout).ConfigureAwait(false);
            foreach (var (id, lines) in trust.Written)
            {
                _knownHostsLines[id] = (strict.KnownHostsPath, lines);
            }
        }
        var evidence = new Dictionary<string, NodeComplianceReport>(StringComparer.Ordinal);
        if (Verify is not null && verify.Count > 0)
        {
            Progress(context, activity, "Verifying the instances (Test-FipsNode)", 85);
            evidence = await VerifyAsync(verify.ToDictionary(kv => kv.Key, kv => kv.Value), profile, context).ConfigureAwait(false);
        }
        var joined = new Dictionary<string, KubeadmJoinOutcome>(StringComparer.Ordinal);
        if (Join is null)
        {
            return (evidence, joined);
        }
        Progress(context, activity, "Bootstrapping Kubernetes over SSH (kubeadm init, join)", 88);
        // In a FIPS cluster, a node whose evidence is not compliant is not joined (as Add-FipsClusterNode refuses it).
        string? Refuse(string id) => spec.Fips && evidence.TryGetValue(id, out var report) && !report.Compliant
            ? $"its Test-FipsNode evidence is not compliant ({string.Join(", ", report.Findings.Select(f => f.CheckId).DefaultIfEmpty(report.ErrorId ?? "error"))})"
            : null;
        foreach (var outcome in await new KubeadmBootstrapper(Join with { KubeadmApiVersion = KubernetesVersions.KubeadmApiVersion(spec.KubernetesVersion), Fips = spec.Fips }, context).RunAsync(controlPlanes, workers, Refuse).ConfigureAwait(false))
        {
            joined[outcome.InstanceId] = outcome;
            if (outcome.Error is not null)
            {
                _nodeFailures.Add(outcome.Error);
            }
        }
        return (evidence, joined);
    }

    /// <summary>The known_hosts lines written for each instance during this run (file, lines).</summary>
    private readonly Dictionary<string, (string File, IReadOnlyList<string> Lines)> _knownHostsLines = new(StringComparer.Ordinal);

    /// <summary>An instance as the cluster record keeps it: its evidence (when taken), how its join went, the known_hosts lines written for it.</summary>
    private FipsClusterNode NodeRecord(string cluster, string id, string role, IReadOnlyDictionary<string, string> addresses,
        IReadOnlyDictionary<string, NodeComplianceReport> evidence, IReadOnlyDictionary<string, KubeadmJoinOutcome> joined, FipsClusterNode? previous = null)
    {
        var outcome = joined.GetValueOrDefault(id);
        var hostKeys = _knownHostsLines.TryGetValue(id, out var written) ? written : (previous?.KnownHostsFile, previous?.KnownHostsLines ?? Array.Empty<string>());
        // Evidence taken in this run replaces what was recorded before; without it the earlier evidence stands.
        var report = evidence.GetValueOrDefault(id);
        return new FipsClusterNode
        {
            Cluster = cluster, Hostname = id, NodeId = id, Role = role, Endpoint = addresses.GetValueOrDefault(id) ?? previous?.Endpoint,
            EvidenceHost = report is null ? previous?.EvidenceHost : report.ComputerName,
            Compliant = report?.Compliant ?? previous?.Compliant,
            FipsModeEnabled = report is null ? previous?.FipsModeEnabled : report.FipsModeEnabled,
            FailedChecks = report is null ? previous?.FailedChecks ?? Array.Empty<string>()
                : report.Status is ComplianceStatus.Error ? new[] { "EVIDENCE: " + string.Join("; ", report.Errors) } : report.Findings.Select(f => f.CheckId).ToArray(),
            CheckedAt = report?.Timestamp ?? previous?.CheckedAt,
            JoinState = outcome?.State ?? previous?.JoinState,
            JoinError = outcome is null ? previous?.JoinError : JoinError(outcome),
            KnownHostsFile = hostKeys.Item1, KnownHostsLines = hostKeys.Item2,
        };
    }

    /// <summary>Takes the known_hosts lines written for these nodes out again; returns what was removed, for the user.</summary>
    internal static IEnumerable<string> ForgetHostKeys(IEnumerable<FipsClusterNode> nodes) =>
        ForgetHostKeys(nodes.Where(n => n.KnownHostsFile is not null).Select(n => (n.KnownHostsFile!, n.KnownHostsLines)));

    private static IEnumerable<string> ForgetHostKeys(IEnumerable<(string File, IReadOnlyList<string> Lines)> written) =>
        written.Where(w => w.Lines.Count > 0).GroupBy(w => w.File)
            .Select(g => (File: g.Key, Removed: Remoting.KnownHosts.RemoveLines(g.Key, g.SelectMany(w => w.Lines).ToList())))
            .Where(r => r.Removed > 0).Select(r => $"{r.Removed} host key line(s) from {r.File}").ToList();

    /// <summary>On a rollback: the lines written during this run for instances that are being terminated.</summary>
    private IEnumerable<string> ForgetWrittenHostKeys(IEnumerable<string> instanceIds) =>
        ForgetHostKeys(instanceIds.Where(_knownHostsLines.ContainsKey).Select(id => _knownHostsLines[id]));

    /// <summary>
    /// Add-FipsClusterNode for an AWS cluster: launches <paramref name="count"/> more workers (each with the cluster's
    /// worker cloud-init, through a ClientToken derived from the record, so a re-run after an interruption launches
    /// nothing twice) and/or takes recorded instances that did not join (<paramref name="instanceIds"/>); every one
    /// is judged with Test-FipsNode (a FIPS cluster refuses a node whose evidence fails) and joined over SSH with a
    /// fresh token from the control plane that ran kubeadm init. A failure before the record is written terminates
    /// the instances launched by this call. Returns the nodes' records (null under -WhatIf).
    /// </summary>
    public async Task<IReadOnlyList<FipsClusterNode>?> AddNodesAsync(FipsClusterRecord record, int count, IReadOnlyList<string> instanceIds, OperationContext context)
    {
        var spec = AwsClusterSpecDefaults.Completed(record.AwsSpec!);
        var first = record.Nodes.FirstOrDefault(n => n.JoinState == KubeadmJoinOutcome.Initialized && n.NodeId is not null)
            ?? throw new FipsClusterException(ErrorIds.KubeadmJoinCommandUnavailable, FipsErrorCategory.InvalidOperation,
                $"'{record.Name}' has no control plane that ran kubeadm init through this module (it was created with -SkipJoin or without SSH credentials), so there is no join command to give.", record.Name)
            {
                RecommendedAction = "Join the nodes yourself (kubeadm token create --print-join-command on a control plane), or create the cluster with SSH credentials.",
            };
        var again = instanceIds.Distinct(StringComparer.Ordinal).Select(id => record.Nodes.FirstOrDefault(n => n.NodeId == id)
            ?? throw new FipsClusterException(ErrorIds.FipsClusterNodeNotFound, FipsErrorCategory.ObjectNotFound, $"'{record.Name}' has no recorded instance {id}.", id)).ToList();
        if (again.FirstOrDefault(n => n.NodeId == first.NodeId) is { } initialized)
        {
            throw new FipsClusterException(ErrorIds.KubeadmJoinFailed, FipsErrorCategory.InvalidArgument, $"{initialized.NodeId} is the control plane that ran kubeadm init; it cannot join its own cluster.", initialized.NodeId);
        }
        var activity = $"Add-FipsClusterNode {record.Name} (AWS)";
        var plan = string.Join("; ", new[]
        {
            count > 0 ? $"Launch {count} worker instance(s) ({spec.Ami}, {spec.WorkerInstanceType}) for '{record.Name}'" : null,
            again.Count > 0 ? $"Join {string.Join(", ", again.Select(n => n.NodeId))} again" : null,
            "judge each with Test-FipsNode and join it over SSH with a fresh bootstrap token",
        }.OfType<string>());
        if (Join!.Ssh.HostKeyPolicy is HostKeyPolicy.Strict)
        {
            ConsoleHostKeyTrust.RequireAuthenticatedEndpoint(_ec2, context); // before anything is launched
        }
        if (!context.ShouldProcess($"EC2 {spec.Region}", plan))
        {
            return null;
        }

        var created = new List<string>();
        try
        {
            var launched = new List<string>();
            if (count > 0)
            {
                Progress(context, activity, "Launching worker instances", 20);
                var group = record.Resources.FirstOrDefault(r => r.StartsWith("sg-", StringComparison.Ordinal))
                    ?? throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidData, $"'{record.Name}' has no recorded security group.", record.Name);
                // The record's version changes with every write (an add, a removal), never going back: a re-run of an add that
                // was killed before writing gets its instances back, and a later add never meets an earlier add's token.
                var token = $"fc-{SpecToken(spec)}-worker-v{record.Version}-{count}";
                launched = await LaunchWithTokenAsync(spec, group, "worker", count, spec.WorkerInstanceType, CloudInitRenderer.Render(spec, "Worker"), token, created, context).ConfigureAwait(false);
            }
            Progress(context, activity, "Waiting for the instances to run", 50);
            var subjects = launched.Concat(again.Select(n => n.NodeId!)).ToList();
            var addresses = await WaitRunningAsync(subjects.Append(first.NodeId!).ToList(), context).ConfigureAwait(false);
            // New instances must prove their keys (their address may have served another machine before); instances
            // recorded at creation had theirs recorded then, unless known_hosts has lost them.
            var known = Remoting.KnownHosts.Load(Join!.Ssh.KnownHostsPath);
            var learn = addresses.Where(a => launched.Contains(a.Key) || known.KeyTypesFor(a.Value, spec.SshPort).Count == 0).ToDictionary(a => a.Key, a => a.Value);
            var verify = addresses.Where(a => subjects.Contains(a.Key)).ToDictionary(a => a.Key, a => a.Value);
            KubeadmNode Target(string id, string role) => new(id, addresses.GetValueOrDefault(id) ?? "", role);
            var (evidence, joined) = await BootstrapAsync(spec, record.ProfileDefinition ?? ComplianceProfiles.Get(record.ComplianceProfile), learn, verify,
                new[] { Target(first.NodeId!, "ControlPlane") }.Concat(again.Where(n => n.Role == "ControlPlane").Select(n => Target(n.NodeId!, "ControlPlane"))).ToList(),
                launched.Select(id => Target(id, "Worker")).Concat(again.Where(n => n.Role != "ControlPlane").Select(n => Target(n.NodeId!, "Worker"))).ToList(),
                activity, context).ConfigureAwait(false);

            Progress(context, activity, "Recording the nodes", 95);
            var added = launched.Select(id => NodeRecord(record.Name, id, "Worker", addresses, evidence, joined)).ToList();
            var redone = again.ToDictionary(n => n.NodeId!, n => NodeRecord(record.Name, n.NodeId!, n.Role, addresses, evidence, joined, n), StringComparer.Ordinal);
            _store.Update(record.Name, r => r.WithNodes(
                r.Nodes.Select(n => n.NodeId is not null && redone.TryGetValue(n.NodeId, out var updated) ? updated : n).Concat(added).ToArray(),
                r.Resources.Concat(launched.Where(id => !r.Resources.Contains(id))).ToArray()));
            return redone.Values.Concat(added).ToList();
        }
        catch (Exception ex) when (created.Count > 0 && ex is not OutOfMemoryException)
        {
            var removed = (await RollbackAsync(created, null).ConfigureAwait(false)).Concat(ForgetWrittenHostKeys(created)).ToList();
            if (ex is OperationCanceledException)
            {
                context.Warning($"Stopped; terminated the instances launched for '{record.Name}': {string.Join(", ", removed)}.");
                throw;
            }
            throw new FipsClusterException(ErrorIds.ProvisioningFailed, FipsErrorCategory.ResourceUnavailable,
                $"Adding nodes to '{record.Name}' failed ({Cause(ex)}); terminated: {string.Join(", ", removed)}.", record.Name, ex);
        }
    }
}
