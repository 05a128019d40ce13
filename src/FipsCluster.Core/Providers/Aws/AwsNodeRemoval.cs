using FipsCluster.Core.Clusters;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// Remove-FipsClusterNode for an AWS cluster: terminates one recorded instance and drops it from the record (and its
/// resources). The control plane that ran kubeadm init is refused: without it there is no cluster (Remove-FipsCluster
/// -Deprovision removes everything).
/// </summary>
internal static class AwsNodeRemoval
{
    /// <summary>False when ShouldProcess declined.</summary>
    public static async Task<bool> RemoveAsync(IClusterStore store, FipsClusterRecord record, RemoveNodeOptions options, AwsConnection connection, OperationContext context)
    {
        var node = options.Node;
        var kubeconfigPath = options.Kubeconfig;
        var kubeContext = options.KubeContext;
        var shouldProcess = options.ShouldProcess ?? context.ShouldProcess;
        var member = record.Nodes.FirstOrDefault(n => n.NodeId == node || string.Equals(n.Hostname, node, StringComparison.OrdinalIgnoreCase) || n.Endpoint == node)
            ?? throw new FipsClusterException(ErrorIds.FipsClusterNodeNotFound, FipsErrorCategory.ObjectNotFound, $"Cluster '{record.Name}' has no node '{node}'.", node);
        if (member.JoinState == KubeadmJoinOutcome.Initialized)
        {
            throw new FipsClusterException(ErrorIds.ClusterNodeRequired, FipsErrorCategory.InvalidOperation,
                $"{member.NodeId} is the control plane that ran kubeadm init: the cluster cannot lose it. Remove-FipsCluster -Deprovision removes the whole cluster.", member.NodeId)
            {
                RecommendedAction = "Remove-FipsCluster " + record.Name + " -Deprovision",
            };
        }
        if (kubeconfigPath is not null)
        {
            _ = KubeconfigClient.Load(kubeconfigPath, kubeContext, context); // unusable (or plaintext) before anything is terminated
        }
        if (!shouldProcess($"{member.NodeId} ({member.Endpoint})", $"Terminate the instance and remove it from cluster '{record.Name}'"))
        {
            return false;
        }
        Amazon.EC2.Model.Instance? described = null;
        await Ec2ClientFactory.UseAsync(connection, async ec2 =>
        {
            if (kubeconfigPath is not null)
            {
                // Its Node is found by what the instance is (zone, private address), read while it still exists.
                var response = await ec2.DescribeInstancesAsync(new Amazon.EC2.Model.DescribeInstancesRequest { InstanceIds = new List<string> { member.NodeId! } }, context.Cancellation).ConfigureAwait(false);
                described = response.Reservations?.SelectMany(r => r.Instances ?? new List<Amazon.EC2.Model.Instance>()).FirstOrDefault(i => i.InstanceId == member.NodeId);
            }
            return await ec2.TerminateInstancesAsync(new Amazon.EC2.Model.TerminateInstancesRequest { InstanceIds = new List<string> { member.NodeId! } }, context.Cancellation).ConfigureAwait(false);
        }, context.Cancellation).ConfigureAwait(false);
        store.Update(record.Name, r => r.WithNodes(r.Nodes.Where(n => n.NodeId != member.NodeId).ToArray(), r.Resources.Where(id => id != member.NodeId).ToArray()));
        foreach (var forgotten in AwsProvisioner.ForgetHostKeys(new[] { member }))
        {
            context.Verbose($"{member.NodeId}: removed {forgotten}.");
        }
        if (kubeconfigPath is not null)
        {
            // Not by the recorded address: that is the public one when the instance has it, which a kubeadm Node never reports.
            var identity = new InstanceIdentity(member.NodeId!, described?.Placement?.AvailabilityZone, described?.PrivateIpAddress);
            try
            {
                var deleted = await KubernetesNodeCleanup.DeleteInstanceNodeAsync(kubeconfigPath, kubeContext, identity, context).ConfigureAwait(false);
                context.Verbose(deleted is null
                    ? $"No Node of '{record.Name}' is {member.NodeId} (by spec.providerID, or by InternalIP {identity.PrivateAddress ?? "(unknown)"}); nothing to delete."
                    : $"Deleted Node {deleted} ({member.NodeId}) from '{record.Name}'.");
            }
            catch (FipsClusterException ex) when (ex.ErrorId is ErrorIds.KubernetesNodeAmbiguous)
            {
                // Not a guess, and not a warning: the removal is done, this part of it is the user's to decide.
                throw new FipsClusterException(ex.ErrorId, ex.Category, $"{member.NodeId} was terminated and removed from '{record.Name}', but its Node object was not deleted: {ex.Message}", ex.Target, ex)
                {
                    RecommendedAction = ex.RecommendedAction,
                };
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The instance is gone either way: a refused or unreachable API is worth a warning, not a failure.
                context.Warning($"{member.NodeId} was terminated, but its Node object could not be deleted ({FailureClassifier.Classify(ex).Message}): delete it with kubectl delete node.");
            }
        }
        else if (member.JoinState == KubeadmJoinOutcome.Joined)
        {
            context.Warning($"{member.NodeId} had joined '{record.Name}': its Node object stays NotReady until deleted (pass -Kubeconfig, or kubectl delete node <its hostname>).");
        }
        return true;
    }
}
