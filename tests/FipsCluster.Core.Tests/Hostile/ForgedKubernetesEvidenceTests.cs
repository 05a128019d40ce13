using System.Net;
using System.Net.Sockets;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Core.Tests.Providers;
using k8s;
using k8s.Models;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 4: what the Kubernetes API shows is written by parties the check must not trust — anyone who can
/// create a pod in kube-system names it like a control-plane component, and a kubelet writes its own Node's addresses.
/// Each case is reproduced as it was proved against the earlier code and must now fail safely, by name.
/// </summary>
public sealed class ForgedKubernetesEvidenceTests : IDisposable
{
    private const string Approved = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    private readonly KubernetesApiStub _api = new();
    private readonly Kubernetes _client;

    public ForgedKubernetesEvidenceTests() => _client = KubernetesStubClient.Create(_api);

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
    }

    private async Task<Dictionary<string, CheckResult>> Checks() =>
        (await KubernetesClusterCompliance.TestAsync(_client, "prod", new KubernetesClusterTestOptions(ComplianceProfiles.Default), OperationContext.None)).Checks.ToDictionary(c => c.CheckId);

    private object ApiServer(string name, string? node, bool mirror, string? owner) =>
        _api.KubeSystemPod(name, "kube-apiserver", "docker.io/mesosphere/kube-apiserver:v1.29.6_fips.0", node, mirror, owner,
            "kube-apiserver", "--tls-cipher-suites=" + Approved, "--tls-min-version=VersionTLS12", "--encryption-provider-config=/etc/kubernetes/encryption.yaml");

    /// <summary>The real API server (node-0's static pod) allows ChaCha20 and CBC and TLS 1.0.</summary>
    private void WeakRealApiServer()
    {
        _api.ApiServerCipherSuites = Approved + ",TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
        _api.ApiServerMinVersion = "VersionTLS10";
    }

    [Fact]
    public async Task A_mirror_named_API_server_listed_before_the_real_one_no_longer_passes_TLS_01_and_02()
    {
        // As proved on main (fad2a68): this pod, first in the list, made K8S-TLS-01 and -02 pass.
        WeakRealApiServer();
        _api.ExtraKubeSystemPods.Add(ApiServer("kube-apiserver-a-mirror", null, mirror: false, owner: null));
        var checks = await Checks();

        Assert.Equal(CheckStatus.Fail, checks["K8S-TLS-01"].Status);
        Assert.Equal("kube-apiserver-node-0: not approved: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", checks["K8S-TLS-01"].Actual);
        Assert.Equal(CheckStatus.Fail, checks["K8S-TLS-02"].Status);
        Assert.Equal("kube-apiserver-node-0: --tls-min-version=VersionTLS10", checks["K8S-TLS-02"].Actual);
        // The impostor is named as ignored, never judged.
        foreach (var id in new[] { "K8S-TLS-01", "K8S-TLS-02", "K8S-IMG-01" })
        {
            Assert.Contains(checks[id].Evidence, e => e.Source == "ignored" && e.Excerpt!.StartsWith("pod kube-apiserver-a-mirror (kube-apiserver): not a static pod", StringComparison.Ordinal));
            Assert.DoesNotContain(checks[id].Evidence, e => e.Source == "kube-apiserver-a-mirror");
        }
    }

    public static TheoryData<string, string?, bool, string?, string> Impostors() => new()
    {
        // name, spec.nodeName, mirror annotation, ownerReference Node, why it is ignored
        { "kube-apiserver-a-mirror", "node-0", true, "node-0", "is named kube-apiserver-node-0" },
        { "kube-apiserver-node-1", "node-1", true, "node-1", "node node-1 is not labelled node-role.kubernetes.io/control-plane" },
        { "kube-apiserver-node-0x", "node-0x", true, "node-0x", "node node-0x is not labelled" },
        { "kube-apiserver-a-mirror", null, true, null, "not bound to a node" },
    };

    [Theory]
    [MemberData(nameof(Impostors))]
    public async Task A_pod_that_only_looks_like_a_control_plane_static_pod_is_ignored(string name, string? node, bool mirror, string? owner, string why)
    {
        WeakRealApiServer();
        _api.ExtraKubeSystemPods.Add(ApiServer(name, node, mirror, owner));
        var checks = await Checks();
        Assert.Equal(CheckStatus.Fail, checks["K8S-TLS-01"].Status);
        Assert.StartsWith("kube-apiserver-node-0: not approved:", checks["K8S-TLS-01"].Actual);
        Assert.Contains(checks["K8S-TLS-01"].Evidence, e => e.Source == "ignored" && e.Excerpt!.StartsWith($"pod {name} (kube-apiserver):", StringComparison.Ordinal) && e.Excerpt.Contains(why, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_only_impostors_in_kube_system_the_control_plane_checks_stay_Unknown_never_passed()
    {
        // A managed control plane (no static pods of its own to see) and a forged one: nothing forged is judged.
        _api.ManagedControlPlane = true;
        _api.ControlPlaneNodes = 0;
        _api.ExtraKubeSystemPods.Add(ApiServer("kube-apiserver-node-0", "node-0", mirror: true, owner: "node-2"));
        var checks = await Checks();
        foreach (var id in new[] { "K8S-IMG-01", "K8S-TLS-01", "K8S-TLS-02", "K8S-ENC-01", "K8S-TLS-04", "K8S-TLS-05" })
        {
            Assert.Equal(CheckStatus.Unknown, checks[id].Status);
            Assert.Contains("ignored (not a control plane's static pod): pod kube-apiserver-node-0 (kube-apiserver): node node-0 is not labelled", checks[id].Actual);
        }
    }

    [Fact]
    public void The_ownerReference_must_be_the_node_itself_by_name_and_uid()
    {
        var pods = new[] { Pod("kube-apiserver-node-0", "node-0", "node-0", "11111111-2222-4333-a444-555555555555") };
        var (trusted, ignored) = ControlPlanePods.Sort(pods, new Dictionary<string, string> { ["node-0"] = KubernetesApiStub.NodeUid("node-0") });
        Assert.Empty(trusted);
        Assert.Contains("its ownerReference is Node node-0 (11111111-2222-4333-a444-555555555555), not node-0", Assert.Single(ignored));

        var otherOwner = new[] { Pod("kube-apiserver-node-0", "node-0", "node-2", KubernetesApiStub.NodeUid("node-2")) };
        Assert.Contains("its ownerReference is Node node-2", Assert.Single(ControlPlanePods.Sort(otherOwner, new Dictionary<string, string> { ["node-0"] = KubernetesApiStub.NodeUid("node-0") }).Ignored));

        var real = new[] { Pod("kube-apiserver-node-0", "node-0", "node-0", KubernetesApiStub.NodeUid("node-0")) };
        Assert.Single(ControlPlanePods.Sort(real, new Dictionary<string, string> { ["node-0"] = KubernetesApiStub.NodeUid("node-0") }).Trusted);
    }

    private static V1Pod Pod(string name, string node, string owner, string uid) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Annotations = new Dictionary<string, string> { [ControlPlanePods.MirrorAnnotation] = "0123" },
            OwnerReferences = new List<V1OwnerReference> { new() { ApiVersion = "v1", Kind = "Node", Name = owner, Uid = uid } },
        },
        Spec = new V1PodSpec { NodeName = node, Containers = new List<V1Container> { new() { Name = "kube-apiserver", Image = "x_fips.0" } } },
    };

    [Fact]
    public async Task A_user_pod_named_etcd_x_is_neither_judged_nor_probed()
    {
        using var decoy = new CountingListener();
        using var real = new CountingListener();
        _api.EtcdCipherSuites = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA";
        _api.EtcdAdvertiseUrl = $"https://127.0.0.1:{real.Port}";
        _api.ExtraKubeSystemPods.Add(_api.KubeSystemPod("etcd-x", "etcd", "docker.io/mesosphere/etcd:v3.5.10_fips.0", "node-1", mirror: false, ownerNode: null,
            "etcd", "--cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", $"--advertise-client-urls=https://127.0.0.1:{decoy.Port}"));
        var checks = await Checks();

        Assert.Equal(CheckStatus.Fail, checks["K8S-TLS-05"].Status);
        Assert.Equal("etcd-node-0: not approved: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", checks["K8S-TLS-05"].Actual);
        Assert.Contains(checks["K8S-TLS-05"].Evidence, e => e.Source == "ignored" && e.Excerpt == "pod etcd-x (etcd): not a static pod (no kubernetes.io/config.mirror annotation)");
        // The probe went to the real member's advertised URL only.
        Assert.Equal(0, decoy.Accepted);
        Assert.True(real.Accepted > 0);
        Assert.NotEqual(CheckStatus.Pass, checks["K8S-TLS-07"].Status);
        Assert.DoesNotContain(decoy.Port.ToString(), checks["K8S-TLS-07"].Actual);
    }

    [Fact]
    public async Task Every_etcd_member_is_probed_at_its_own_advertised_URL()
    {
        _api.ControlPlaneNodes = 3;
        var members = Enumerable.Range(0, 3).Select(_ => new CountingListener()).ToList();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                _api.EtcdAdvertiseUrlOn[i] = $"https://127.0.0.1:{members[i].Port}";
            }
            var check = (await Checks())["K8S-TLS-07"];
            Assert.All(members, m => Assert.True(m.Accepted > 0, $"port {m.Port} was not probed"));
            Assert.Equal(CheckStatus.Error, check.Status); // listeners that close every connection: no TLS, never a pass
            Assert.All(Enumerable.Range(0, 3), i => Assert.Contains($"etcd-node-{i}: ", check.Actual));
        }
        finally
        {
            members.ForEach(m => m.Dispose());
        }
    }

    [Fact]
    public async Task Three_API_servers_must_all_pass_and_the_ones_that_disagree_are_named()
    {
        _api.ControlPlaneNodes = 3;
        var agreeing = await Checks();
        Assert.All(new[] { "K8S-TLS-01", "K8S-TLS-02", "K8S-IMG-01" }, id => Assert.Equal(CheckStatus.Pass, agreeing[id].Status));

        _api.ApiServerCipherSuitesOn[2] = _api.ApiServerCipherSuites + ",TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
        _api.ApiServerMinVersionOn[1] = "VersionTLS10";
        var checks = await Checks();
        Assert.Equal(CheckStatus.Fail, checks["K8S-TLS-01"].Status);
        Assert.Equal("kube-apiserver-node-2: not approved: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", checks["K8S-TLS-01"].Actual);
        Assert.Equal(CheckStatus.Fail, checks["K8S-TLS-02"].Status);
        Assert.Equal("kube-apiserver-node-1: --tls-min-version=VersionTLS10", checks["K8S-TLS-02"].Actual);
        Assert.Equal(3, checks["K8S-TLS-01"].Evidence.Count(e => e.Source.StartsWith("kube-apiserver-node-", StringComparison.Ordinal)));
        Assert.Equal("12 control-plane containers use _fips.N images", checks["K8S-IMG-01"].Actual);

        // One API server without encryption at rest is enough to fail K8S-ENC-01, by name.
        _api.ApiServerMinVersionOn.Clear();
        _api.ApiServerCipherSuitesOn.Clear();
        _api.ExtraKubeSystemPods.Clear();
        _api.ApiServerEncryption = false;
        var unencrypted = (await Checks())["K8S-ENC-01"];
        Assert.Equal(CheckStatus.Fail, unencrypted.Status);
        Assert.Contains("kube-apiserver-node-0: no --encryption-provider-config", unencrypted.Actual);
    }

    [Theory]
    [InlineData(new[] { "kube-apiserver", "--tls-min-version=VersionTLS12", "--tls-min-version=VersionTLS10" }, "VersionTLS10")]
    [InlineData(new[] { "kube-apiserver", "--tls-min-version=VersionTLS12", "--tls-min-version", "VersionTLS10" }, "VersionTLS10")]
    [InlineData(new[] { "etcd", "-tls-min-version=TLS1.0" }, "TLS1.0")]
    [InlineData(new[] { "kube-apiserver", "--tls-min-version-x=VersionTLS10" }, null)]
    public void A_flag_given_twice_is_read_as_its_parser_reads_it_the_last_one_wins(string[] argv, string? expected)
    {
        var instance = new ControlPlaneInstance("kube-apiserver", "kube-apiserver-node-0", "node-0", new V1Container { Name = "kube-apiserver", Command = argv.ToList() });
        Assert.Equal(expected, instance.Flag("tls-min-version"));
    }

    /// <summary>A TCP listener on loopback that accepts, counts and closes every connection.</summary>
    private sealed class CountingListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private int _accepted;

        public CountingListener()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    try
                    {
                        using var client = await _listener.AcceptTcpClientAsync();
                        Interlocked.Increment(ref _accepted);
                    }
                    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Accepted => Volatile.Read(ref _accepted);

        public void Dispose() => _listener.Stop();
    }
}
