using System.Collections;
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Kubernetes;
using FipsCluster.Testing;
using k8s;
using Xunit;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// The module reads kubeconfigs with its own deserializer (KubernetesClient's loader costs ~45 MiB of process memory
/// for its YAML mappings of every model type). What it hands KubernetesClient must be what KubernetesClient's own loader
/// makes of the same file: every public property of the client configuration is compared, for each context of
/// kubeconfigs using each kind of credential, relative file paths and keys the model does not know.
/// </summary>
public sealed class KubeconfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string B64(string text) => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(text));

    /// <summary>A kubeconfig with five contexts: token, client certificate data, client certificate files (relative), basic auth and an exec plugin.</summary>
    private string WriteKubeconfig()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=fc-admin", key, HashAlgorithmName.SHA256);
        using var client = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPem = client.ExportCertificatePem();
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        Directory.CreateDirectory(Path.Combine(_dir, "pki"));
        File.WriteAllText(Path.Combine(_dir, "pki", "admin.crt"), certPem);
        File.WriteAllText(Path.Combine(_dir, "pki", "admin.key"), keyPem);
        File.WriteAllText(Path.Combine(_dir, "pki", "ca.crt"), TestCertificateAuthority.CaPem);
        // The exec plugin runs while the configuration is built: a real one, printing an ExecCredential.
        var helper = Path.Combine(_dir, "token-helper");
        File.WriteAllText(helper, "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token\"}}'\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(_dir, "config");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            preferences: {"{}"}
            clusters:
            - name: prod
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority-data: {B64(TestCertificateAuthority.CaPem)}
                tls-server-name: api.prod.internal
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension:
                    audience: prod
            - name: files
              cluster:
                server: https://files.example:443
                certificate-authority: pki/ca.crt
            - name: lab
              cluster:
                server: https://lab.example:6443
                insecure-skip-tls-verify: true
                proxy-url: http://proxy.example:3128
            contexts:
            - name: token
              context: {"{"}cluster: prod, user: token-user, namespace: kube-system{"}"}
            - name: cert-data
              context: {"{"}cluster: prod, user: cert-data{"}"}
            - name: cert-files
              context: {"{"}cluster: files, user: cert-files{"}"}
            - name: basic
              context: {"{"}cluster: lab, user: basic{"}"}
            - name: exec
              context: {"{"}cluster: prod, user: exec, namespace: fips{"}"}
            current-context: token
            users:
            - name: token-user
              user:
                token: not-a-real-token
                unknown-key: ignored
            - name: cert-data
              user:
                client-certificate-data: {B64(certPem)}
                client-key-data: {B64(keyPem)}
            - name: cert-files
              user:
                client-certificate: pki/admin.crt
                client-key: pki/admin.key
            - name: basic
              user:
                username: admin
                password: not-a-real-password
            - name: exec
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {helper}
                  args: ["--cluster", "prod"]
                  env:
                  - name: HELPER_MODE
                    value: fips
                  interactiveMode: Never
            """);
        return path;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("token")]
    [InlineData("cert-data")]
    [InlineData("cert-files")]
    [InlineData("basic")]
    [InlineData("exec")]
    public void Every_context_configures_the_client_as_KubernetesClient_s_own_loader_does(string? context)
    {
        var path = WriteKubeconfig();
        var theirs = KubernetesClientConfiguration.BuildConfigFromConfigFile(path, context);
        var ours = KubernetesClientConfiguration.BuildConfigFromConfigObject(KubeconfigFile.Read(path), context);

        var compared = 0;
        foreach (var property in typeof(KubernetesClientConfiguration).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            Assert.True(Describe(property.GetValue(theirs)) == Describe(property.GetValue(ours)), $"{property.Name} differs for context {context ?? "(current)"}");
            compared++;
        }
        Assert.True(compared >= 15, $"only {compared} properties compared");
        // The comparison sees what it should: the credentials and paths of each kind are set at all.
        var expected = context switch
        {
            null or "token" => ours.AccessToken,
            "cert-data" => ours.ClientCertificateData,
            "cert-files" => ours.ClientCertificateFilePath,
            "basic" => ours.Password,
            _ => ours.TokenProvider?.GetType().Name,
        };
        Assert.False(string.IsNullOrEmpty(expected));
        if (context == "cert-files")
        {
            Assert.Equal(Path.Combine(_dir, "pki", "admin.crt"), ours.ClientCertificateFilePath); // relative to the kubeconfig's folder
            Assert.Single(ours.SslCaCerts!);
        }
    }

    /// <summary>A value as text: certificates by thumbprint, collections item by item, objects property by property.</summary>
    private static string Describe(object? value, int depth = 0) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        X509Certificate2 certificate => certificate.Thumbprint,
        IDictionary dictionary => "{" + string.Join(",", dictionary.Keys.Cast<object>().Select(k => $"{k}={Describe(dictionary[k], depth + 1)}").Order(StringComparer.Ordinal)) + "}",
        IEnumerable items => "[" + string.Join(",", items.Cast<object?>().Select(i => Describe(i, depth + 1))) + "]",
        _ when value.GetType().IsPrimitive || value.GetType().IsEnum || value is TimeSpan or Uri => value.ToString()!,
        _ when depth < 3 => value.GetType().Name + "{" + string.Join(",", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0).Select(p => $"{p.Name}={Describe(p.GetValue(value), depth + 1)}")) + "}",
        _ => value.GetType().Name,
    };

    [Fact]
    public void The_context_names_for_completion_come_from_the_same_reader()
    {
        var path = WriteKubeconfig();
        Assert.Equal(new[] { "basic", "cert-data", "cert-files", "exec", "token" }, KubeconfigContexts.Names(path));
        Assert.Empty(KubeconfigContexts.Names(Path.Combine(_dir, "missing")));
    }

    [Theory]
    [InlineData("missing", "kubeconfig file not found at")]
    [InlineData("", "is empty")]
    [InlineData("clusters: [", "")]
    [InlineData("just a string", "")]
    public void A_file_that_cannot_be_read_is_InvalidKubeconfig(string? content, string says)
    {
        var path = Path.Combine(_dir, "bad");
        if (content != "missing")
        {
            File.WriteAllText(path, content);
        }
        var refused = Assert.Throws<FipsClusterException>(() => KubeconfigClient.Load(path, null, OperationContext.None));
        Assert.Equal(ErrorIds.InvalidKubeconfig, refused.ErrorId);
        Assert.Contains(says, refused.Message, StringComparison.Ordinal);
        Assert.Empty(KubeconfigContexts.Names(path));
    }
}
