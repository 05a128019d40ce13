using k8s;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>A KubernetesClient for the stub, configured as a kubeconfig would: its server and its CA.</summary>
public static class KubernetesStubClient
{
    public static KubernetesClientConfiguration Configuration(KubernetesApiStub api) => new()
    {
        Host = api.Url,
        SslCaCerts = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(TestCertificateAuthority.Ca),
    };

    public static Kubernetes Create(KubernetesApiStub api) => new(Configuration(api));
}
