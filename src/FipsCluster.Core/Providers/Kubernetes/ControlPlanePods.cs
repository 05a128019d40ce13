using k8s.Models;

namespace FipsCluster.Core.Providers.Kubernetes;

/// <summary>One control-plane component's container in a static pod that was verified to be a control-plane node's own.</summary>
public sealed record ControlPlaneInstance(string Component, string Pod, string Node, V1Container Container)
{
    /// <summary>
    /// A flag's effective value as the component's flag parser sees it: "--name=value" or "--name value" (one dash
    /// too, as Go's flag package accepts), the LAST occurrence winning; null when the flag is absent.
    /// </summary>
    public string? Flag(string name)
    {
        var argv = (Container.Command ?? new List<string>()).Concat(Container.Args ?? new List<string>()).ToList();
        string? value = null;
        for (var i = 0; i < argv.Count; i++)
        {
            var arg = argv[i];
            var bare = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : arg.StartsWith('-') ? arg[1..] : null;
            if (bare is null)
            {
                continue;
            }
            if (bare.StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = bare[(name.Length + 1)..];
            }
            else if (bare == name && i + 1 < argv.Count)
            {
                value = argv[++i];
            }
        }
        return value;
    }
}

/// <summary>
/// Which kube-system pods speak for the control plane. Anyone allowed to create a pod in kube-system can name it
/// kube-apiserver-whatever and give it approved flags, so a pod is trusted only when it is a kubelet's mirror of a
/// static pod on a control-plane node: the annotation kubernetes.io/config.mirror, an ownerReference to that Node
/// (kind Node, its name and uid), the name &lt;component&gt;-&lt;nodeName&gt;, and spec.nodeName a Node labelled
/// node-role.kubernetes.io/control-plane (a label kubelets cannot set on themselves under NodeRestriction).
/// Every other pod with a control-plane container is reported as ignored, never judged.
/// </summary>
public static class ControlPlanePods
{
    public const string MirrorAnnotation = "kubernetes.io/config.mirror";
    public const string ControlPlaneLabel = "node-role.kubernetes.io/control-plane";

    public static readonly IReadOnlySet<string> Components = new HashSet<string>(StringComparer.Ordinal) { "kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd" };

    /// <summary>Whether a pod runs a container named like a control-plane component (a candidate worth sorting).</summary>
    public static bool IsCandidate(V1Pod pod) => pod.Spec?.Containers?.Any(c => Components.Contains(c.Name)) == true;

    /// <summary>
    /// Splits candidates into the control-plane instances that are trusted and a line per ignored pod saying why.
    /// <paramref name="controlPlaneNodes"/> maps each node labelled control-plane to its uid.
    /// </summary>
    public static (IReadOnlyList<ControlPlaneInstance> Trusted, IReadOnlyList<string> Ignored) Sort(IEnumerable<V1Pod> candidates, IReadOnlyDictionary<string, string> controlPlaneNodes)
    {
        var trusted = new List<ControlPlaneInstance>();
        var ignored = new List<string>();
        foreach (var pod in candidates)
        {
            var name = pod.Metadata?.Name ?? "";
            var node = pod.Spec?.NodeName ?? "";
            foreach (var container in (pod.Spec?.Containers ?? new List<V1Container>()).Where(c => Components.Contains(c.Name)))
            {
                if (WhyUntrusted(pod, name, node, container.Name, controlPlaneNodes) is { } why)
                {
                    ignored.Add($"pod {name} ({container.Name}): {why}");
                }
                else
                {
                    trusted.Add(new ControlPlaneInstance(container.Name, name, node, container));
                }
            }
        }
        return (trusted, ignored);
    }

    private static string? WhyUntrusted(V1Pod pod, string name, string node, string component, IReadOnlyDictionary<string, string> controlPlaneNodes)
    {
        if (pod.Metadata?.Annotations?.TryGetValue(MirrorAnnotation, out var mirror) != true || string.IsNullOrEmpty(mirror))
        {
            return $"not a static pod (no {MirrorAnnotation} annotation)";
        }
        if (string.IsNullOrEmpty(node) || !controlPlaneNodes.TryGetValue(node, out var uid))
        {
            return string.IsNullOrEmpty(node) ? "not bound to a node" : $"node {node} is not labelled {ControlPlaneLabel}";
        }
        if (name != $"{component}-{node}")
        {
            return $"a {component} static pod of node {node} is named {component}-{node}";
        }
        var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(o => o.Kind == "Node");
        if (owner is null || owner.Name != node || (!string.IsNullOrEmpty(uid) && owner.Uid != uid))
        {
            return owner is null ? "no ownerReference to its Node" : $"its ownerReference is Node {owner.Name} ({owner.Uid}), not {node} ({uid})";
        }
        return null;
    }
}
