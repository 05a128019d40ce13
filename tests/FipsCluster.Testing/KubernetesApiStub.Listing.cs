using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace FipsCluster.Testing;

/// <summary>
/// API discovery and cluster-wide listings (what kubectl needs), for the large-cluster benchmark: /api, /apis,
/// /api/v1 (an APIResourceList with nodes, pods and namespaces), /api/v1/nodes and /api/v1/pods (all namespaces),
/// both with limit/continue paging. Nodes and pods are shaped like a real cluster's (labels, owner references,
/// resources, projected volumes, conditions, container statuses, node images): a node is ~5 KB of JSON, a pod ~3.7 KB.
/// </summary>
public sealed partial class KubernetesApiStub
{
    /// <summary>How many pods /api/v1/pods lists (spread over <see cref="NamespaceCount"/> namespaces and every node).</summary>
    public int PodCount { get; set; }

    public int NamespaceCount { get; set; } = 40;

    /// <summary>
    /// Serialize each listing page once and serve the same bytes afterwards (set only once the settings are final):
    /// a real API server answers from its watch cache, and the stub's own JSON work then stays out of the clients'
    /// time. Every client gets the same treatment.
    /// </summary>
    public bool CacheListings { get; set; }

    private readonly ConcurrentDictionary<string, byte[]> _pages = new();

    private static readonly DateTimeOffset Created = new(2026, 10, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Node index → its spec.providerID, null for none (a kubeadm Node without a cloud provider); others get aws:///&lt;zone&gt;/i-&lt;index&gt;.</summary>
    public Dictionary<int, string?> ProviderIds { get; } = new();

    /// <summary>Node index → its InternalIP (others report <see cref="NodeAddress"/>).</summary>
    public Dictionary<int, string> InternalAddresses { get; } = new();

    /// <summary>Node index → an ExternalIP it reports (others report <see cref="NodeExternalAddress"/>, if any).</summary>
    public Dictionary<int, string> ExternalAddresses { get; } = new();

    /// <summary>Node objects deleted through the API (DELETE /api/v1/nodes/{name}); a second delete is a 404 (listings are not changed).</summary>
    public ConcurrentQueue<string> DeletedNodes { get; } = new();

    private partial (int, object)? RouteListing(StubRequest request, string path)
    {
        var query = request.QueryString;
        if (request.HttpMethod == "DELETE" && path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal))
        {
            var name = path["/api/v1/nodes/".Length..];
            var exists = name.StartsWith("node-", StringComparison.Ordinal) && int.TryParse(name["node-".Length..], out var index) && index < NodeCount && !DeletedNodes.Contains(name);
            if (!exists)
            {
                return (404, Status(404, $"nodes \"{name}\" not found"));
            }
            DeletedNodes.Enqueue(name);
            return (200, new { kind = "Status", apiVersion = "v1", status = "Success", details = new { name, kind = "nodes" } });
        }
        return path switch
        {
            "/api" => (200, new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = new[] { new { clientCIDR = "0.0.0.0/0", serverAddress = "10.0.0.1:6443" } } }),
            "/apis" => (200, new { kind = "APIGroupList", apiVersion = "v1", groups = Array.Empty<object>() }),
            "/api/v1" => (200, ResourceList()),
            "/api/v1/nodes" => (200, Page("nodes", NodeCount, query["limit"], query["continue"], Node)),
            "/api/v1/pods" => (200, Page("pods", PodCount, query["limit"], query["continue"], Pod)),
            _ => null,
        };
    }

    private static object ResourceList()
    {
        object Resource(string name, string singular, string kind, bool namespaced, string[] shortNames, string[] verbs) =>
            new { name, singularName = singular, @namespaced = namespaced, kind, verbs, shortNames, storageVersionHash = Convert.ToBase64String(BitConverter.GetBytes(name.GetHashCode(StringComparison.Ordinal))) };
        var all = new[] { "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch" };
        return new
        {
            kind = "APIResourceList", groupVersion = "v1",
            resources = new[]
            {
                Resource("namespaces", "namespace", "Namespace", false, new[] { "ns" }, new[] { "create", "delete", "get", "list", "patch", "update", "watch" }),
                Resource("nodes", "node", "Node", false, new[] { "no" }, all),
                Resource("pods", "pod", "Pod", true, new[] { "po" }, all),
            },
        };
    }

    /// <summary>One page of a list (continue = the index of the next item, as the node tests expect); raw JSON bytes.</summary>
    private object Page(string resource, int count, string? limitText, string? continueToken, Func<int, object> item)
    {
        var limit = int.TryParse(limitText, out var l) && l > 0 ? l : count;
        var start = int.TryParse(continueToken, out var c) ? c : 0;
        byte[] Render()
        {
            var end = Math.Min(count, start + limit);
            var kind = resource == "nodes" ? "NodeList" : "PodList";
            return JsonSerializer.SerializeToUtf8Bytes(new
            {
                kind, apiVersion = "v1",
                metadata = new { resourceVersion = "100", @continue = end < count ? end.ToString(CultureInfo.InvariantCulture) : null },
                items = Enumerable.Range(start, Math.Max(0, end - start)).Select(item),
            });
        }
        return CacheListings ? _pages.GetOrAdd($"{resource}/{count}/{start}/{limit}", _ => Render()) : Render();
    }

    private static string Hex(int seed, int length)
    {
        var s = "";
        var x = (ulong)seed * 0x9E3779B97F4A7C15UL + 0x632BE59BD9B4E019UL;
        while (s.Length < length)
        {
            x ^= x >> 29;
            x *= 0xBF58476D1CE4E5B9UL;
            s += x.ToString("x16", CultureInfo.InvariantCulture);
        }
        return s[..length];
    }

    private static string Uid(int kind, int i) { var h = Hex(i * 7 + kind, 32); return $"{h[..8]}-{h[8..12]}-4{h[13..16]}-a{h[17..20]}-{h[20..]}"; }

    private static string Time(int seconds) => Created.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static readonly (string Name, long Size)[] NodeImages =
    {
        ("docker.io/mesosphere/kube-proxy:v1.29.6_fips.0", 28_512_334), ("registry.k8s.io/pause:3.9", 321_520),
        ("docker.io/calico/node:v3.27.3", 116_820_453), ("docker.io/calico/cni:v3.27.3", 94_516_742),
        ("registry.k8s.io/coredns/coredns:v1.11.1", 18_182_961), ("quay.io/prometheus/node-exporter:v1.8.1", 11_834_224),
        ("docker.io/fluent/fluent-bit:3.0.7", 38_913_545), ("registry.example.com/shop/frontend:2.14.3", 86_112_001),
        ("registry.example.com/shop/cart:1.9.0", 64_226_309), ("registry.example.com/shop/payments:4.2.1", 71_809_664),
        ("docker.io/library/nginx:1.27.0", 71_013_876), ("docker.io/library/redis:7.2.5", 40_966_207),
    };

    /// <summary>A node as a kubeadm worker on a cloud reports it (the fields Test-FipsCluster reads keep the test settings).</summary>
    private object Node(int i)
    {
        var name = $"node-{i}";
        var zone = "us-east-1" + (char)('a' + i % 3);
        var conditions = new[] { ("NetworkUnavailable", "False", "CalicoIsUp", "Calico is running on this node"), ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"), ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            ("Ready", "True", "KubeletReady", "kubelet is posting ready status") };
        return new
        {
            metadata = new
            {
                name, uid = Uid(1, i), resourceVersion = (1000 + i).ToString(CultureInfo.InvariantCulture), creationTimestamp = Time(i),
                labels = new Dictionary<string, string>
                {
                    ["beta.kubernetes.io/arch"] = "amd64", ["beta.kubernetes.io/instance-type"] = "m6i.2xlarge", ["beta.kubernetes.io/os"] = "linux",
                    ["failure-domain.beta.kubernetes.io/region"] = "us-east-1", ["failure-domain.beta.kubernetes.io/zone"] = zone, ["kubernetes.io/arch"] = "amd64",
                    ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux", ["node.kubernetes.io/instance-type"] = "m6i.2xlarge",
                    ["topology.kubernetes.io/region"] = "us-east-1", ["topology.kubernetes.io/zone"] = zone, ["konvoy.d2iq.io/nodepool"] = $"pool-{i % 10}",
                }.Concat(i < ControlPlaneNodes && !ManagedControlPlane ? new Dictionary<string, string> { ["node-role.kubernetes.io/control-plane"] = "" } : new Dictionary<string, string>())
                    .ToDictionary(p => p.Key, p => p.Value),
                annotations = new Dictionary<string, string>
                {
                    ["kubeadm.alpha.kubernetes.io/cri-socket"] = "unix:///run/containerd/containerd.sock", ["node.alpha.kubernetes.io/ttl"] = "0",
                    ["projectcalico.org/IPv4Address"] = $"10.{i / 250 % 250}.{i % 250}.10/16", ["projectcalico.org/IPv4VXLANTunnelAddr"] = $"192.168.{i % 250}.{i / 250 % 250}",
                    ["volumes.kubernetes.io/controller-managed-attach-detach"] = "true", ["csi.volume.kubernetes.io/nodeid"] = $"{{\"ebs.csi.aws.com\":\"i-{Hex(i, 17)}\"}}",
                },
            },
            spec = new { podCIDR = $"192.168.{i % 250}.0/24", podCIDRs = new[] { $"192.168.{i % 250}.0/24" }, providerID = ProviderIds.TryGetValue(i, out var providerId) ? providerId : $"aws:///{zone}/i-{Hex(i, 17)}" },
            status = new
            {
                capacity = new Dictionary<string, string> { ["cpu"] = "8", ["ephemeral-storage"] = "104845292Ki", ["hugepages-1Gi"] = "0", ["hugepages-2Mi"] = "0", ["memory"] = "32386712Ki", ["pods"] = "110" },
                allocatable = new Dictionary<string, string> { ["cpu"] = "8", ["ephemeral-storage"] = "96625420948", ["hugepages-1Gi"] = "0", ["hugepages-2Mi"] = "0", ["memory"] = "32284312Ki", ["pods"] = "110" },
                conditions = conditions.Select((c, n) => new { type = c.Item1, status = c.Item2, lastHeartbeatTime = Time(90_000 + i), lastTransitionTime = Time(i + n), reason = c.Item3, message = c.Item4 }),
                addresses = new[] { new { type = "InternalIP", address = InternalAddresses.GetValueOrDefault(i, NodeAddress) }, new { type = "Hostname", address = name }, new { type = "InternalDNS", address = $"ip-10-0-{i / 250 % 250}-{i % 250}.ec2.internal" } }
                    .Concat((ExternalAddresses.GetValueOrDefault(i) ?? NodeExternalAddress) is not { } external ? Array.Empty<object>().Select(_ => new { type = "", address = "" }) : new[] { new { type = "ExternalIP", address = external } }).ToArray(),
                daemonEndpoints = new { kubeletEndpoint = new { Port = 10250 } },
                nodeInfo = new
                {
                    machineID = Hex(i + 11, 32), systemUUID = Uid(2, i), bootID = Uid(3, i),
                    kernelVersion = "5.14.0-427.el9.x86_64", osImage = "Red Hat Enterprise Linux 9.4 (Plow)", containerRuntimeVersion = "containerd://1.7.13",
                    kubeletVersion = KubeletOverrides.GetValueOrDefault(i, "v1.29.6+fips.0"), kubeProxyVersion = "v1.29.6+fips.0", operatingSystem = "linux", architecture = "amd64",
                },
                images = NodeImages.Select((im, n) => new { names = new[] { im.Name.Split(':')[0] + "@sha256:" + Hex(n, 64), im.Name }, sizeBytes = im.Size }),
            },
        };
    }

    private static readonly string[] Apps = { "frontend", "cart", "payments", "catalog", "search", "orders", "shipping", "recommendations" };

    /// <summary>Pod i: a Deployment's replica, in namespace team-NN (lists are ordered by namespace, as etcd returns them).</summary>
    private object Pod(int i)
    {
        var ns = $"team-{(long)i * NamespaceCount / Math.Max(1, PodCount):D2}";
        var app = Apps[i % Apps.Length];
        var rs = $"{app}-{Hex(i % 97, 10)[..9]}";
        var name = $"{rs}-{Hex(i, 5)}";
        var node = $"node-{(int)((uint)(i * 2654435761u) % (uint)Math.Max(1, NodeCount))}";
        var ip = $"192.168.{i / 250 % 250}.{i % 250 + 2}";
        var image = $"registry.example.com/{ns}/{app}:2.{i % 20}.{i % 7}";
        var started = Time(3600 + i);
        return new
        {
            metadata = new
            {
                name, generateName = rs + "-", @namespace = ns, uid = Uid(4, i), resourceVersion = (200_000 + i).ToString(CultureInfo.InvariantCulture), creationTimestamp = Time(3000 + i),
                labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = app, ["app.kubernetes.io/part-of"] = "shop", ["pod-template-hash"] = rs[(app.Length + 1)..], ["tier"] = i % 2 == 0 ? "web" : "backend" },
                annotations = new Dictionary<string, string> { ["cni.projectcalico.org/podIP"] = ip + "/32", ["cni.projectcalico.org/podIPs"] = ip + "/32" },
                ownerReferences = new[] { new { apiVersion = "apps/v1", kind = "ReplicaSet", name = rs, uid = Uid(5, i % 97), controller = true, blockOwnerDeletion = true } },
            },
            spec = new
            {
                volumes = new object[]
                {
                    new { name = "config", configMap = new { name = app + "-config", defaultMode = 420 } },
                    new
                    {
                        name = "kube-api-access-" + Hex(i, 5),
                        projected = new
                        {
                            sources = new object[]
                            {
                                new { serviceAccountToken = new { expirationSeconds = 3607, path = "token" } },
                                new { configMap = new { name = "kube-root-ca.crt", items = new[] { new { key = "ca.crt", path = "ca.crt" } } } },
                                new { downwardAPI = new { items = new[] { new { path = "namespace", fieldRef = new { apiVersion = "v1", fieldPath = "metadata.namespace" } } } } },
                            },
                            defaultMode = 420,
                        },
                    },
                },
                containers = new[]
                {
                    new
                    {
                        name = app, image,
                        ports = new[] { new { name = "http", containerPort = 8080, protocol = "TCP" } },
                        env = new object[] { new { name = "LOG_LEVEL", value = "info" }, new { name = "POD_NAME", valueFrom = new { fieldRef = new { apiVersion = "v1", fieldPath = "metadata.name" } } } },
                        resources = new { limits = new { cpu = "500m", memory = "512Mi" }, requests = new { cpu = "100m", memory = "128Mi" } },
                        volumeMounts = new[] { new { name = "config", readOnly = true, mountPath = "/etc/" + app }, new { name = "kube-api-access-" + Hex(i, 5), readOnly = true, mountPath = "/var/run/secrets/kubernetes.io/serviceaccount" } },
                        livenessProbe = new { httpGet = new { path = "/healthz", port = 8080, scheme = "HTTP" }, initialDelaySeconds = 10, timeoutSeconds = 1, periodSeconds = 10, successThreshold = 1, failureThreshold = 3 },
                        terminationMessagePath = "/dev/termination-log", terminationMessagePolicy = "File", imagePullPolicy = "IfNotPresent",
                        securityContext = new { allowPrivilegeEscalation = false, readOnlyRootFilesystem = true, runAsNonRoot = true, capabilities = new { drop = new[] { "ALL" } } },
                    },
                },
                restartPolicy = "Always", terminationGracePeriodSeconds = 30, dnsPolicy = "ClusterFirst", serviceAccountName = "default", serviceAccount = "default",
                nodeName = node, securityContext = new { }, schedulerName = "default-scheduler",
                tolerations = new[]
                {
                    new { key = "node.kubernetes.io/not-ready", @operator = "Exists", effect = "NoExecute", tolerationSeconds = 300 },
                    new { key = "node.kubernetes.io/unreachable", @operator = "Exists", effect = "NoExecute", tolerationSeconds = 300 },
                },
                priority = 0, enableServiceLinks = true, preemptionPolicy = "PreemptLowerPriority",
            },
            status = new
            {
                phase = "Running",
                conditions = new[] { "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled" }
                    .Select((type, n) => new { type, status = "True", lastProbeTime = (string?)null, lastTransitionTime = Time(3000 + i + n) }),
                hostIP = NodeAddress, hostIPs = new[] { new { ip = NodeAddress } }, podIP = ip, podIPs = new[] { new { ip } }, startTime = Time(3000 + i),
                containerStatuses = new[]
                {
                    new
                    {
                        name = app, state = new { running = new { startedAt = started } }, lastState = new { }, ready = true, restartCount = i % 5 == 0 ? 1 : 0,
                        image, imageID = $"registry.example.com/{ns}/{app}@sha256:{Hex(i % 20, 64)}", containerID = "containerd://" + Hex(i + 3, 64), started = true,
                    },
                },
                qosClass = "Burstable",
            },
        };
    }
}
