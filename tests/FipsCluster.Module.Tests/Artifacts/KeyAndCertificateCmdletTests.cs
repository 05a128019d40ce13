using System.Security;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Artifacts;

/// <summary>Test-FipsCertificate, Test-FipsPrivateKey and ConvertTo-FipsPrivateKey through the engine, on a real swarm's PKI and openssl-made keys.</summary>
[Collection("dockerd")]
public sealed class KeyAndCertificateCmdletTests : IClassFixture<ModuleFixture>, IDisposable
{
    private readonly DockerSwarmFixture _docker;
    private readonly PsSession _ps;
    private readonly string _temp = Path.Combine("/tmp", "fc-keys-" + Guid.NewGuid().ToString("N")[..8]);

    public KeyAndCertificateCmdletTests(DockerSwarmFixture docker, ModuleFixture module)
    {
        _docker = docker;
        _ps = module.Session;
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }
        return secure;
    }

    private static string OpenSsl(params string[] args) => ProcessRunner.RunChecked("openssl", args);

    [SkippableFact]
    public void A_real_swarms_node_certificate_names_its_cluster_and_role_and_is_not_marked_FIPS()
    {
        _docker.RequireEngines();
        var crt = Path.Combine(_docker.ManagerCertificates, "swarm-node.crt");
        var report = _ps.Run("Test-FipsCertificate -Path $args[0]", crt).Of("FipsCluster.CertificateReport").First();
        Assert.Equal("ECDSA", (string)report.KeyAlgorithm);
        Assert.Equal("P-256", (string)report.Curve);
        Assert.Equal("swarm-manager", (string)report.SwarmRole);
        Assert.False((bool)report.SwarmFips);
        var clusterId = _ps.Run("(Get-SwarmJoinToken -DockerHost $args[0] -Role Worker).ClusterId", _docker.ManagerHost).Output.Single().ToString();
        Assert.Equal(clusterId, (string)report.SwarmClusterId);
        Assert.Equal("Pass", report.Status.ToString());

        // Upstream Docker never makes FIPS swarms: expecting FIPS fails on the marker.
        var strict = _ps.Run("Test-FipsCertificate -Path $args[0] -ExpectFips", crt).Of("FipsCluster.CertificateReport").First();
        Assert.Equal("Fail", strict.Status.ToString());
        Assert.Contains(((IEnumerable<dynamic>)strict.Checks), c => (string)c.CheckId == "SWM-FIPS-01" && c.Status.ToString() == "Fail");
    }

    [SkippableFact]
    public void The_swarm_node_key_is_reported_without_revealing_it()
    {
        _docker.RequireEngines();
        var key = Path.Combine(_docker.ManagerCertificates, "swarm-node.key");
        var result = _ps.Run("Test-FipsPrivateKey $args[0] | Out-Default; Test-FipsPrivateKey $args[0]", key);
        Assert.Empty(result.Errors);
        var report = result.SingleOf("FipsCluster.PrivateKeyReport");
        Assert.Equal("0600", (string)report.FileMode);
        var body = File.ReadAllLines(key).Where(l => !l.StartsWith("-----", StringComparison.Ordinal) && !l.Contains(':')).ToList();
        Assert.NotEmpty(body);
        foreach (var line in body.Where(l => l.Length > 20))
        {
            Assert.DoesNotContain(line, result.AllText);
        }
    }

    [SkippableFact]
    public void A_legacy_key_is_converted_to_PKCS8_PBES2_that_openssl_opens_with_the_new_passphrase()
    {
        _docker.RequireEngines(); // same collection as the swarm tests; the tests themselves only need openssl
        var key = Path.Combine(_temp, "legacy.key");
        OpenSsl("genrsa", "-aes256", "-traditional", "-passout", "pass:old-pass-4411", "-out", key, "2048");
        var before = _ps.Run("Test-FipsPrivateKey $args[0]", key).SingleOf("FipsCluster.PrivateKeyReport");
        Assert.Equal("LegacyPemEncrypted", before.Format.ToString());
        Assert.Equal("Fail", before.Status.ToString());
        var original = File.ReadAllBytes(key);
        var originalMode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(key);

        var whatIf = _ps.Run("ConvertTo-FipsPrivateKey $args[0] -Passphrase $args[1] -NewPassphrase $args[2] -WhatIf", key, Secure("old-pass-4411"), Secure("new-pass-9923"));
        Assert.Contains("What if:", whatIf.HostText);
        Assert.Equal(original, File.ReadAllBytes(key));

        var converted = _ps.Run("ConvertTo-FipsPrivateKey $args[0] -Passphrase $args[1] -NewPassphrase $args[2] -Backup -Verbose", key, Secure("old-pass-4411"), Secure("new-pass-9923"));
        Assert.Empty(converted.Errors);
        var result = converted.SingleOf("FipsCluster.PrivateKeyConversionResult");
        Assert.Equal("Pkcs8Encrypted", result.Report.Format.ToString());
        Assert.Equal("HMAC-SHA256", (string)result.Report.Prf);
        Assert.Equal("AES-256-CBC", (string)result.Report.Cipher);
        Assert.Equal(original, File.ReadAllBytes((string)result.BackupPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(originalMode, File.GetUnixFileMode(key)); // the mode is kept, never widened
        }
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", File.ReadAllText(key));
        // openssl opens it with the new passphrase, and it is the same key.
        var newPublic = OpenSsl("pkey", "-in", key, "-passin", "pass:new-pass-9923", "-pubout");
        var oldPublic = OpenSsl("pkey", "-in", (string)result.BackupPath, "-passin", "pass:old-pass-4411", "-pubout");
        Assert.Equal(oldPublic, newPublic);
        Assert.DoesNotContain("old-pass-4411", converted.AllText);
        Assert.DoesNotContain("new-pass-9923", converted.AllText);

        // A wrong passphrase is an error that names the file, never the passphrase.
        var wrong = _ps.Run("ConvertTo-FipsPrivateKey $args[0] -Passphrase $args[1]", key, Secure("wrong-pass-0007"));
        Assert.StartsWith("PrivateKeyPassphraseIncorrect,", Assert.Single(wrong.ErrorIds));
        Assert.DoesNotContain("wrong-pass-0007", wrong.AllText);

        // Without any passphrase nothing can be written encrypted.
        var none = _ps.Run("ConvertTo-FipsPrivateKey $args[0]", key);
        Assert.StartsWith("PrivateKeyPassphraseRequired,", Assert.Single(none.ErrorIds));
    }
}
