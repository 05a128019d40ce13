using FipsCluster.Core.Providers.Aws;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 10: the kubeadm token and certificate key were on kubeadm's command line on the joining node, and
/// remote output quoted in errors was cut to 400 characters before it was redacted, so a secret cut in half escaped
/// redaction. The join over SSH is exercised end to end in the module tests (NewFipsClusterTests, KubeadmJoinSecretsHostileTests).
/// </summary>
public sealed class KubeadmSecretHandlingTests
{
    private const string Token = "abcdef.0123456789abcdef";
    private const string Hash = "sha256:1d3e56a4a2ec0e4a7c29c4bd4b3a9d1bb0d2c2a4b0e55a7f7d0b1c5d2e4f6a80";
    private const string CertificateKey = "f3f0a5d1b1d68e9c9e0bb4e6c9b1d1e5a1c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8";

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static string Scalar(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return ((YamlScalarNode)node).Value!;
    }

    [Fact]
    public void The_join_configuration_has_kubeadms_field_names_for_a_worker_and_a_control_plane()
    {
        // kubeadm v1beta3/v1beta4 JoinConfiguration: discovery.bootstrapToken.{apiServerEndpoint, token, caCertHashes[]},
        // controlPlane.certificateKey (cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go).
        var worker = Parse(KubeadmRenderer.RenderJoinConfiguration("10.0.0.10:6443", Token, Hash, null));
        Assert.Equal("kubeadm.k8s.io/v1beta3", Scalar(worker, "apiVersion"));
        Assert.Equal("JoinConfiguration", Scalar(worker, "kind"));
        Assert.Equal("10.0.0.10:6443", Scalar(worker, "discovery", "bootstrapToken", "apiServerEndpoint"));
        Assert.Equal(Token, Scalar(worker, "discovery", "bootstrapToken", "token"));
        var hashes = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)worker.Children[new YamlScalarNode("discovery")]).Children[new YamlScalarNode("bootstrapToken")]).Children[new YamlScalarNode("caCertHashes")];
        Assert.Equal(Hash, ((YamlScalarNode)Assert.Single(hashes.Children)).Value);
        Assert.False(worker.Children.ContainsKey(new YamlScalarNode("controlPlane")));
        Assert.Equal(new[] { "apiVersion", "kind", "discovery" }, worker.Children.Keys.Select(k => ((YamlScalarNode)k).Value));

        var controlPlane = Parse(KubeadmRenderer.RenderJoinConfiguration("[2001:db8::10]:6443", Token, Hash, CertificateKey));
        Assert.Equal(CertificateKey, Scalar(controlPlane, "controlPlane", "certificateKey"));
        Assert.Equal("[2001:db8::10]:6443", Scalar(controlPlane, "discovery", "bootstrapToken", "apiServerEndpoint"));
        // The ClusterConfiguration the first control plane is initialized with uses the version the nodes join with.
        foreach (var (version, api) in new[] { ("v1.29.6+fips.0", "kubeadm.k8s.io/v1beta3"), ("v1.31.2+fips.0", "kubeadm.k8s.io/v1beta4") })
        {
            Assert.Equal(api, KubernetesVersions.KubeadmApiVersion(version));
            Assert.Equal(api, Scalar(Parse(KubeadmRenderer.Render(new AwsClusterSpec { Name = "c", KubernetesVersion = version, EtcdVersion = "3.5.10+fips.0" })), "apiVersion"));
            Assert.Equal(api, Scalar(Parse(KubeadmRenderer.RenderJoinConfiguration("10.0.0.10:6443", Token, Hash, CertificateKey, api)), "apiVersion"));
        }
    }

    [Fact]
    public void A_secret_straddling_the_cut_is_redacted_before_the_output_is_shortened()
    {
        // The audit's case: the last 400 characters start inside the token, so before the fix its tail survived.
        var output = "error execution phase preflight: couldn't validate the identity of the API Server with token " + Token + " " + new string('.', 390);
        var quoted = KubeadmBootstrapper.Quote(output, new[] { Token, Token.Split('.')[1] });
        Assert.True(quoted.Length <= KubeadmBootstrapper.QuoteLimit);
        AssertNoPieceOf(Token.Split('.')[1], quoted);
        // Unknown to the caller, shaped like a token or a certificate key: redacted all the same, then cut.
        var unknown = KubeadmBootstrapper.Quote("stage " + CertificateKey + new string(' ', 20) + "x" + new string('-', 385), null);
        AssertNoPieceOf(CertificateKey, unknown);
    }

    [Fact]
    public void A_secret_longer_than_the_limit_never_appears_not_even_in_part()
    {
        var secret = string.Concat(Enumerable.Range(0, 60).Select(i => $"S3cr3t{i:D3}-"));
        Assert.True(secret.Length > KubeadmBootstrapper.QuoteLimit);
        foreach (var output in new[] { secret, "before " + secret + " after", "line one\n" + secret + "\nline three\nline four", secret + new string('x', 120) })
        {
            var quoted = KubeadmBootstrapper.Quote(output, new[] { secret });
            AssertNoPieceOf(secret, quoted);
            Assert.True(quoted.Length <= KubeadmBootstrapper.QuoteLimit);
        }
    }

    /// <summary>No 8-character piece of the secret (the token's secret half is 16).</summary>
    private static void AssertNoPieceOf(string secret, string text)
    {
        for (var i = 0; i + 8 <= secret.Length; i++)
        {
            Assert.DoesNotContain(secret.Substring(i, 8), text);
        }
    }
}
