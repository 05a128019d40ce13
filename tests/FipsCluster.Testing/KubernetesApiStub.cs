using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace FipsCluster.Testing;

/// <summary>
/// An in-process HTTPS server on loopback (Kestrel, a certificate from the process's own <see cref="TestCertificateAuthority"/>)
/// serving Kubernetes REST responses shaped like a kubeadm cluster: /version, /api/v1/nodes with limit/continue paging,
/// kube-system pods and node configz — for the real KubernetesClient (discovery and the node and pod listings are in
/// KubernetesApiStub.Listing.cs). Its kubeconfig carries the CA, as a real cluster's does.
/// </summary>
public sealed partial class KubernetesApiStub : IDisposable
{
    private readonly LoopbackHttpsServer _server;

    public KubernetesApiStub()
    {
        _server = new LoopbackHttpsServer(RespondAsync);
        Url = _server.Url;
    }

    /// <summary>https://127.0.0.1:port/</summary>
    public string Url { get; }

    /// <summary>A client for direct requests to the stub (it trusts the stub's CA).</summary>
    public HttpClient CreateHttpClient() => new(TestCertificateAuthority.TrustingHandler());

    /// <summary>A kubeconfig that reaches this server, its current context named <paramref name="context"/> (the report's cluster name).</summary>
    public string Kubeconfig(string context = "prod") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {context}
          cluster:
            server: {Url.TrimEnd('/')}
            certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(TestCertificateAuthority.CaPem))}
        contexts:
        - name: {context}
          context:
            cluster: {context}
            user: admin
        current-context: {context}
        users:
        - name: admin
          user:
            token: not-a-real-token
        """;

    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Body bytes through the API: requests received and responses sent (watches and followed logs as they are written).</summary>
    public long ApiBytes => Interlocked.Read(ref _apiBytes);

    private long _apiBytes;

    public string GitVersion { get; set; } = "v1.29.6+fips.0";
    public string GoVersion { get; set; } = "go1.22.5 X:boringcrypto";
    public int NodeCount { get; set; } = 3;

    /// <summary>The InternalIP every node reports (a loopback sshd in tests).</summary>
    public string NodeAddress { get; set; } = "10.0.2.10";

    /// <summary>The ExternalIP every node reports, or none (the default, as on a private cluster).</summary>
    public string? NodeExternalAddress { get; set; }

    /// <summary>Node index → kubelet version (others are v1.29.6+fips.0).</summary>
    public Dictionary<int, string> KubeletOverrides { get; } = new();

    public string ApiServerCipherSuites { get; set; } = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    public string SchedulerCipherSuites { get; set; } = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    public string? SchedulerMinVersion { get; set; } = "VersionTLS12";
    public string EtcdImage { get; set; } = "docker.io/mesosphere/etcd:v3.5.10_fips.0";
    public int PodsStatus { get; set; } = 200;
    public int ConfigzStatus { get; set; } = 200;
    public bool ApiServerEncryption { get; set; } = true;

    /// <summary>When set, the etcd pod advertises this client URL (a real etcd the tests started).</summary>
    public string? EtcdAdvertiseUrl { get; set; }

    /// <summary>Node index → the raw configz body that node's kubelet answers (null: the usual one).</summary>
    public Func<int, byte[]?>? ConfigzBody { get; set; }

    /// <summary>Node index → that kubelet's tlsCipherSuites (others get the approved four).</summary>
    public Dictionary<int, string[]> KubeletSuiteOverrides { get; } = new();

    private async Task RespondAsync(Microsoft.AspNetCore.Http.HttpContext context, CancellationToken stopping)
    {
        try
        {
            var path = (context.Request.Path.Value ?? "").TrimEnd('/');
            Requests.Enqueue(path + context.Request.QueryString.Value);
            Interlocked.Add(ref _apiBytes, context.Request.ContentLength ?? 0);
            var request = new StubRequest(context.Request.Method, LoopbackHttpsServer.Query(context.Request), context.Request.Body);
            var (status, body) = Route(request, path) ?? (path.StartsWith("/api/v1/nodes/", StringComparison.Ordinal) && path.EndsWith("/proxy/configz", StringComparison.Ordinal)
                ? Configz(path)
                : path switch
            {
                "/version" => (200, (object)new { major = "1", minor = "29", gitVersion = GitVersion, goVersion = GoVersion, platform = "linux/amd64", compiler = "gc" }),
                "/api/v1/namespaces/kube-system/pods" => PodsStatus == 200 ? (200, Pods(request.QueryString["limit"], request.QueryString["continue"])) : (PodsStatus, Status(PodsStatus, "internal error")),
                _ => (404, Status(404, $"the server could not find the requested resource ({path})")),
            });
            if (body is StreamedBody streamed)
            {
                // Watches and followed logs: written as they happen, until the client or the stub goes away.
                context.Response.StatusCode = status;
                context.Response.ContentType = streamed.ContentType;
                using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
                await streamed.Write(new CountingStream(context.Response.Body, this)).WaitAsync(gone.Token).ConfigureAwait(false);
                return;
            }
            // byte[]: JSON already serialized (cached pages); PlainText: a pod log.
            var bytes = body is PlainText text ? text.Bytes : body as byte[] ?? JsonSerializer.SerializeToUtf8Bytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = body is PlainText ? "text/plain" : "application/json";
            context.Response.ContentLength = bytes.Length;
            Interlocked.Add(ref _apiBytes, bytes.Length);
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException)
        {
            // The client went away (or the stub was disposed) mid-response.
        }
    }

    /// <summary>Further routes (other files of this partial class); null when none matches.</summary>
    private (int, object)? Route(StubRequest request, string path) => RouteWorkloads(request, path) ?? RouteListing(request, path);

    private partial (int, object)? RouteWorkloads(StubRequest request, string path);

    private partial (int, object)? RouteListing(StubRequest request, string path);

    private (int, object) Configz(string path)
    {
        if (ConfigzStatus != 200)
        {
            return (ConfigzStatus, Status(ConfigzStatus, "nodes/proxy is forbidden"));
        }
        var index = int.Parse(path.Split('/')[4]["node-".Length..]);
        if (ConfigzBody?.Invoke(index) is { } raw)
        {
            return (200, raw);
        }
        var suites = KubeletSuiteOverrides.GetValueOrDefault(index, ApiServerCipherSuites.Split(',').Take(4).ToArray());
        return (200, new { kubeletconfig = new { tlsCipherSuites = suites, tlsMinVersion = "VersionTLS12" } });
    }

    /// <summary>A managed control plane (EKS, GKE, AKS) or an embedded one (k3s): kube-system holds no control-plane pods.</summary>
    public bool ManagedControlPlane { get; set; }

    /// <summary>kube-system pods per node (kube-proxy) besides the control plane, served in limit/continue pages.</summary>
    public int KubeProxyPods { get; set; }

    /// <summary>How many nodes (node-0 up) are control planes: labelled node-role.kubernetes.io/control-plane, each with its four static (mirror) pods.</summary>
    public int ControlPlaneNodes { get; set; } = 1;

    /// <summary>The API servers' --tls-min-version (per control-plane node index in <see cref="ApiServerMinVersionOn"/>).</summary>
    public string? ApiServerMinVersion { get; set; } = "VersionTLS12";

    /// <summary>Control-plane node index → that API server's --tls-cipher-suites (others get <see cref="ApiServerCipherSuites"/>).</summary>
    public Dictionary<int, string> ApiServerCipherSuitesOn { get; } = new();

    /// <summary>Control-plane node index → that API server's --tls-min-version (others get <see cref="ApiServerMinVersion"/>).</summary>
    public Dictionary<int, string?> ApiServerMinVersionOn { get; } = new();

    public string EtcdCipherSuites { get; set; } = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";

    /// <summary>Control-plane node index → the client URL that etcd member advertises (others get <see cref="EtcdAdvertiseUrl"/>).</summary>
    public Dictionary<int, string> EtcdAdvertiseUrlOn { get; } = new();

    /// <summary>Further kube-system pods (<see cref="KubeSystemPod"/>), listed before everything else — where an impostor would want to be.</summary>
    public List<object> ExtraKubeSystemPods { get; } = new();

    /// <summary>
    /// A kube-system pod with one container <paramref name="component"/>. As the kubelet makes a static pod's mirror:
    /// <paramref name="mirror"/> adds the kubernetes.io/config.mirror annotation, <paramref name="ownerNode"/> an
    /// ownerReference to that Node (with its uid), <paramref name="nodeName"/> binds it.
    /// </summary>
    public object KubeSystemPod(string name, string component, string image, string? nodeName, bool mirror, string? ownerNode, params string[] command) => new
    {
        metadata = new
        {
            name, @namespace = "kube-system",
            annotations = mirror ? new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = Hex(name.Length, 32), ["kubernetes.io/config.hash"] = Hex(name.Length, 32) } : null,
            ownerReferences = ownerNode is null ? null : new[] { new { apiVersion = "v1", kind = "Node", name = ownerNode, uid = NodeUid(ownerNode), controller = true } },
        },
        spec = new { nodeName, containers = new[] { new { name = component, image, command } } },
    };

    /// <summary>The uid the stub's Node <paramref name="name"/> (node-N) reports.</summary>
    public static string NodeUid(string name) => name.StartsWith("node-", StringComparison.Ordinal) && int.TryParse(name["node-".Length..], out var i) ? Uid(1, i) : Guid.Empty.ToString();

    private object Pods(string? limitText, string? continueToken)
    {
        // Each control-plane node's static pods, mirrored as the kubelet does: <component>-<node>, annotated, owned by the Node.
        object Pod(string component, int node, string image, params string[] command) => KubeSystemPod($"{component}-node-{node}", component, image, $"node-{node}", mirror: true, ownerNode: $"node-{node}", command);
        var controlPlane = Enumerable.Range(0, ManagedControlPlane ? 0 : ControlPlaneNodes).SelectMany(n => new[]
        {
            Pod("kube-apiserver", n, "docker.io/mesosphere/kube-apiserver:v1.29.6_fips.0", new[] { "kube-apiserver", "--tls-cipher-suites=" + ApiServerCipherSuitesOn.GetValueOrDefault(n, ApiServerCipherSuites) }
                .Concat(ApiServerMinVersionOn.GetValueOrDefault(n, ApiServerMinVersion) is { } min ? new[] { "--tls-min-version=" + min } : Array.Empty<string>())
                .Concat(ApiServerEncryption ? new[] { "--encryption-provider-config=/etc/kubernetes/encryption.yaml" } : Array.Empty<string>()).ToArray()),
            Pod("kube-controller-manager", n, "docker.io/mesosphere/kube-controller-manager:v1.29.6_fips.0", "kube-controller-manager", "--tls-cipher-suites=" + ApiServerCipherSuites.Split(',').Take(4).Aggregate((a, b) => a + "," + b), "--tls-min-version=VersionTLS12"),
            Pod("kube-scheduler", n, "docker.io/mesosphere/kube-scheduler:v1.29.6_fips.0", new[] { "kube-scheduler", "--tls-cipher-suites=" + SchedulerCipherSuites }.Concat(SchedulerMinVersion is null ? Array.Empty<string>() : new[] { "--tls-min-version=" + SchedulerMinVersion }).ToArray()),
            Pod("etcd", n, EtcdImage, new[] { "etcd", "--cipher-suites=" + EtcdCipherSuites }
                .Concat((EtcdAdvertiseUrlOn.TryGetValue(n, out var own) ? own : EtcdAdvertiseUrl) is { } url ? new[] { "--advertise-client-urls=" + url } : Array.Empty<string>()).ToArray()),
        });
        var others = new[] { KubeSystemPod("coredns-7db6d8ff4d-x2x9p", "coredns", "registry.k8s.io/coredns/coredns:v1.11.1", "node-0", mirror: false, ownerNode: null, "/coredns") }
            .Concat(Enumerable.Range(0, KubeProxyPods).Select(i => KubeSystemPod($"kube-proxy-{Hex(i, 5)}", "kube-proxy", "docker.io/mesosphere/kube-proxy:v1.29.6_fips.0", $"node-{i % Math.Max(1, NodeCount)}", mirror: false, ownerNode: null, "/usr/local/bin/kube-proxy")));
        // Extra pods first, the control plane last: it must be found on the last page.
        var all = ExtraKubeSystemPods.Concat(others).Concat(controlPlane).ToArray();
        var limit = int.TryParse(limitText, out var l) && l > 0 ? l : all.Length;
        var start = int.TryParse(continueToken, out var c) ? c : 0;
        var end = Math.Min(all.Length, start + limit);
        return new
        {
            kind = "PodList", apiVersion = "v1", metadata = new { resourceVersion = "100", @continue = end < all.Length ? end.ToString() : null },
            items = all[start..end],
        };
    }

    /// <summary>A text/plain body (a pod log).</summary>
    private sealed record PlainText(byte[] Bytes);

    /// <summary>A body written while it happens (a watch, a followed log).</summary>
    private sealed record StreamedBody(string ContentType, Func<Stream, Task> Write);

    /// <summary>A response stream that counts what is written through it into <see cref="ApiBytes"/>.</summary>
    private sealed class CountingStream(Stream inner, KubernetesApiStub stub) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Interlocked.Add(ref stub._apiBytes, count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref stub._apiBytes, buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    private static object Status(int code, string message) => new { kind = "Status", apiVersion = "v1", status = "Failure", message, code };

    public void Dispose()
    {
        StopWorkloads();
        _server.Dispose();
    }
}
