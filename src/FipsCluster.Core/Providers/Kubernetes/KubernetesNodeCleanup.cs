using k8s;
using k8s.Autorest;
using k8s.Models;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>An EC2 instance as its Kubernetes Node can name it: its ID (and zone) in spec.providerID, its private address as InternalIP.</summary>
public sealed record InstanceIdentity(string InstanceId, string? AvailabilityZone, string? PrivateAddress);

/// <summary>
/// Forgets a machine that is gone: deletes the Node object that is that instance. Without a cloud controller (a kubeadm
/// cluster on plain EC2) nothing else would, and the Node would stay NotReady with its pods stuck on it; once it is
/// deleted the pod garbage collector removes them and their controllers reschedule them. Kubelets write their own Node's
/// addresses, so the match is strict: never an address of another type, and two candidates are an error, not a guess.
/// </summary>
public static class KubernetesNodeCleanup
{
    /// <summary>
    /// The deleted Node's name, or null when no Node is <paramref name="instance"/>. Throws
    /// <see cref="ErrorIds.KubernetesNodeAmbiguous"/> (nothing deleted) when more than one Node could be it.
    /// </summary>
    public static async Task<string?> DeleteInstanceNodeAsync(string kubeconfigPath, string? kubeContext, InstanceIdentity instance, OperationContext context)
    {
        using var client = new k8s.Kubernetes(KubeconfigClient.Load(kubeconfigPath, kubeContext, context));
        var matches = new List<(string Name, string Why)>();
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListNodeAsync(limit: KubernetesClusterCompliance.PageSize, continueParameter: token, cancellationToken: context.Cancellation).ConfigureAwait(false);
            foreach (var node in page.Items)
            {
                if (node.Metadata?.Name is { } name && Match(node, instance) is { } why)
                {
                    matches.Add((name, why));
                }
            }
            token = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));
        if (matches.Count > 1)
        {
            throw new FipsClusterException(ErrorIds.KubernetesNodeAmbiguous, FipsErrorCategory.InvalidResult,
                $"{matches.Count} Nodes could be {instance.InstanceId}: {string.Join(", ", matches.Select(m => $"{Remoting.HostAddress.Display(m.Name)} ({m.Why})"))}; none was deleted.", instance.InstanceId)
            {
                RecommendedAction = "Find the Node that ran on the instance (kubectl get nodes -o wide) and delete it with kubectl delete node <name>; a Node that claims another machine's address is worth a look.",
            };
        }
        if (matches.Count == 0)
        {
            return null;
        }
        try
        {
            await client.CoreV1.DeleteNodeAsync(matches[0].Name, cancellationToken: context.Cancellation).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            // Deleted meanwhile: the same outcome.
        }
        return matches[0].Name;
    }

    /// <summary>
    /// Why <paramref name="node"/> is <paramref name="instance"/>, or null. A spec.providerID decides when the Node has one
    /// (aws:///&lt;zone&gt;/&lt;instance-id&gt;): naming another instance or zone, the Node is not this one, whatever its
    /// addresses say. Without one (kubeadm without a cloud provider) an InternalIP equal to the instance's private address
    /// does; an address of any other type (ExternalIP, a DNS name) never does.
    /// </summary>
    public static string? Match(V1Node node, InstanceIdentity instance)
    {
        if (node.Spec?.ProviderID is { Length: > 0 } providerId)
        {
            return Names(providerId, instance) ? $"spec.providerID {providerId}" : null;
        }
        return instance.PrivateAddress is { Length: > 0 } privateAddress
            && node.Status?.Addresses?.Any(a => a.Type == "InternalIP" && Remoting.HostAddress.TryCanonical(a.Address, out var canonical, out _) && canonical == privateAddress) == true
            ? $"InternalIP {privateAddress}" : null;
    }

    /// <summary>aws:///&lt;zone&gt;/&lt;instance-id&gt; (the AWS cloud providers' form; aws:///&lt;instance-id&gt; without a zone).</summary>
    private static bool Names(string providerId, InstanceIdentity instance)
    {
        const string scheme = "aws://";
        if (!providerId.StartsWith(scheme, StringComparison.Ordinal))
        {
            return false;
        }
        var parts = providerId[scheme.Length..].Trim('/').Split('/');
        return parts[^1] == instance.InstanceId
            && (parts.Length == 1 || (parts.Length == 2 && (instance.AvailabilityZone is null || parts[0] == instance.AvailabilityZone)));
    }
}
