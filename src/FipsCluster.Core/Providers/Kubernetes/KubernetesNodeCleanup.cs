using k8s;
using k8s.Autorest;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>
/// Forgets a machine that is gone: deletes the Node object that reports one of its addresses. Without a cloud
/// controller (a kubeadm cluster on plain EC2) nothing else would, and the Node would stay NotReady with its pods
/// stuck on it; once it is deleted the pod garbage collector removes them and their controllers reschedule them.
/// </summary>
public static class KubernetesNodeCleanup
{
    /// <summary>The deleted Node's name, or null when no Node reports <paramref name="address"/>.</summary>
    public static async Task<string?> DeleteByAddressAsync(string kubeconfigPath, string? kubeContext, string address, OperationContext context)
    {
        using var client = new k8s.Kubernetes(KubeconfigClient.Load(kubeconfigPath, kubeContext));
        string? token = null;
        do
        {
            var page = await client.CoreV1.ListNodeAsync(limit: KubernetesClusterCompliance.PageSize, continueParameter: token, cancellationToken: context.Cancellation).ConfigureAwait(false);
            var node = page.Items.FirstOrDefault(n => n.Status?.Addresses?.Any(a => a.Address == address) == true);
            if (node?.Metadata?.Name is { } name)
            {
                try
                {
                    await client.CoreV1.DeleteNodeAsync(name, cancellationToken: context.Cancellation).ConfigureAwait(false);
                }
                catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    // Deleted meanwhile: the same outcome.
                }
                return name;
            }
            token = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(token));
        return null;
    }
}
