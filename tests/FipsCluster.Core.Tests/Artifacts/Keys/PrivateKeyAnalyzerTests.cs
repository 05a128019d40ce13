using System.Security.Cryptography;
using System.Text.RegularExpressions;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.Keys;

[Collection(OpenSslCollection.Name)]
public sealed class PrivateKeyAnalyzerTests
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly OpenSslFixture _ssl;

    public PrivateKeyAnalyzerTests(OpenSslFixture ssl) => _ssl = ssl;

    private static CheckResult Check(PrivateKeyReport report, string id) => Assert.Single(report.Checks, c => c.CheckId == id);

    private PrivateKeyReport Analyze(string name, UnixFileMode mode = Owner)
    {
        _ssl.RequireOpenSsl();
        return PrivateKeyAnalyzer.Analyze(_ssl.Copy(name, mode));
    }

    /// <summary>Every text of a report a user or a log could see.</summary>
    private static string AllText(PrivateKeyReport report) => string.Join("\n", new[] { report.ToString(), report.Cipher, report.DekInfo, report.Kdf, report.Prf }
        .Concat(report.Checks.SelectMany(c => new[] { c.ToString(), c.Expected, c.Actual, c.Remediation }
            .Concat(c.Evidence.Select(e => e.ToString())))));

    [SkippableFact]
    public void Legacy_encrypted_pem_fails_KEY_01()
    {
        var report = Analyze("legacy-rsa.pem");
        Assert.Equal(PrivateKeyFormat.LegacyPemEncrypted, report.Format);
        Assert.True(report.Encrypted);
        Assert.Equal("AES-256-CBC", report.DekInfo);
        Assert.Equal("AES-256-CBC", report.Cipher);
        Assert.Equal("EVP_BytesToKey-MD5", report.Kdf);
        Assert.Equal(1, report.Iterations);
        Assert.Equal("RSA", report.KeyAlgorithm);
        var key01 = Check(report, "KEY-01");
        Assert.Equal(CheckStatus.Fail, key01.Status);
        Assert.Contains("MD5", key01.Actual);
        Assert.NotEmpty(key01.Remediation);
        Assert.Equal(CheckStatus.NotApplicable, Check(report, "KEY-02").Status);
        Assert.Equal(CheckStatus.Fail, Check(report, "KEY-04").Status);
        Assert.Equal(CheckStatus.Informational, Check(report, "KEY-05").Status);
        Assert.Equal(CheckStatus.Fail, report.Status);

        // The IV is not secret, but the report does not repeat it; nothing of the key's base64 either.
        var text = File.ReadAllText(_ssl.P("legacy-rsa.pem"));
        var iv = Regex.Match(text, "DEK-Info: [^,]+,([0-9A-F]+)").Groups[1].Value;
        var all = AllText(report);
        Assert.DoesNotContain(iv, all);
        Assert.DoesNotContain(text.Split('\n')[4][..32], all);
    }

    [SkippableFact]
    public void Legacy_encrypted_ec_key_with_3des()
    {
        var report = Analyze("legacy-ec.pem");
        Assert.Equal(PrivateKeyFormat.LegacyPemEncrypted, report.Format);
        Assert.Equal("DES-EDE3-CBC", report.DekInfo);
        Assert.Equal("ECDSA", report.KeyAlgorithm);
        Assert.Equal(CheckStatus.Fail, report.Status);
    }

    [SkippableFact]
    public void Pkcs8_with_hmac_sha1_is_a_warning()
    {
        var report = Analyze("pkcs8-sha1.pem");
        Assert.Equal(PrivateKeyFormat.Pkcs8Encrypted, report.Format);
        Assert.True(report.Encrypted);
        Assert.Null(report.KeyAlgorithm);
        Assert.Equal("PBES2", report.EncryptionScheme);
        Assert.Equal("PBKDF2", report.Kdf);
        Assert.Equal("HMAC-SHA1", report.Prf);
        Assert.Equal(100000, report.Iterations);
        Assert.Equal("AES-256-CBC", report.Cipher);
        var key02 = Check(report, "KEY-02");
        Assert.Equal(CheckStatus.Warning, key02.Status);
        Assert.Contains("HMAC-SHA1", key02.Actual);
        Assert.Equal(CheckStatus.Pass, Check(report, "KEY-01").Status);
        Assert.Equal(CheckStatus.Pass, Check(report, "KEY-04").Status);
        Assert.Equal(CheckStatus.Informational, Check(report, "KEY-05").Status);
        Assert.Equal(CheckStatus.Warning, report.Status);
    }

    [SkippableFact]
    public void Pkcs8_with_hmac_sha256_passes_when_the_salt_meets_the_floor()
    {
        var report = Analyze("pkcs8-sha256.pem");
        Assert.Equal("HMAC-SHA256", report.Prf);
        Assert.Equal("AES-256-CBC", report.Cipher);
        Assert.Equal(100000, report.Iterations);
        // OpenSSL before 3.2 writes an 8-byte salt, 3.2+ a 16-byte one.
        var key02 = Check(report, "KEY-02");
        if (report.SaltLength >= 16)
        {
            Assert.Equal(CheckStatus.Pass, key02.Status);
            Assert.Equal(CheckStatus.Pass, report.Status);
        }
        else
        {
            Assert.Equal(CheckStatus.Warning, key02.Status);
            Assert.Contains($"{report.SaltLength}-byte salt", key02.Actual);
            Assert.Contains("OpenSSL FIPS provider", key02.Actual);
            Assert.DoesNotContain("swarmkit", key02.Actual);
        }

        var ec = Analyze("pkcs8-ec-sha256.pem");
        Assert.Equal("AES-128-CBC", ec.Cipher);
        Assert.Equal("HMAC-SHA256", ec.Prf);
    }

    [SkippableFact]
    public void Pkcs8_written_by_dotnet_with_sha256_aes256_and_a_16_byte_salt_passes()
    {
        _ssl.RequireOpenSsl();
        var path = Path.Combine(Path.GetDirectoryName(_ssl.Copy("rsa2048.key"))!, "dotnet.pem");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        File.WriteAllText(path, key.ExportEncryptedPkcs8PrivateKeyPem("pw12345678", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 2048)));
        OpenSslFixture.SetMode(path, Owner);
        var report = PrivateKeyAnalyzer.Analyze(path);
        Assert.Equal(16, report.SaltLength);
        Assert.Equal(2048, report.Iterations);
        Assert.Equal(CheckStatus.Pass, Check(report, "KEY-02").Status);
        Assert.Equal(CheckStatus.Pass, report.Status);
        Assert.Equal("0600", report.FileMode);
    }

    [SkippableFact]
    public void Low_iteration_count_names_the_openssl_fips_minimums()
    {
        var report = Analyze("pkcs8-lowiter.pem");
        Assert.Equal(500, report.Iterations);
        var key02 = Check(report, "KEY-02");
        Assert.Equal(CheckStatus.Warning, key02.Status);
        Assert.Contains("500 iterations", key02.Actual);
        Assert.Contains("OpenSSL FIPS provider's SP 800-132 minimums (1000 iterations, 16-byte salt)", key02.Actual);
    }

    [SkippableTheory]
    [InlineData("pkcs8-pbes1.pem", "PKCS12-PBE", "DES-EDE3-CBC")]
    [InlineData("pkcs8-scrypt.pem", "PBES2", "AES-256-CBC")]
    [InlineData("pkcs8-des3.pem", "PBES2", "DES-EDE3-CBC")]
    public void Unapproved_pkcs8_encryption_fails_KEY_02(string file, string scheme, string cipher)
    {
        var report = Analyze(file);
        Assert.Equal(PrivateKeyFormat.Pkcs8Encrypted, report.Format);
        Assert.Equal(scheme, report.EncryptionScheme);
        Assert.Equal(cipher, report.Cipher);
        Assert.Equal(CheckStatus.Fail, Check(report, "KEY-02").Status);
        Assert.Equal(CheckStatus.Fail, report.Status);
        if (file.Contains("scrypt"))
        {
            Assert.Equal("scrypt", report.Kdf);
        }
    }

    [SkippableFact]
    public void Swarmkit_pkcs8_is_a_warning_about_its_8_byte_salt()
    {
        _ssl.RequireOpenSsl();
        var path = Path.Combine(Path.GetDirectoryName(_ssl.Copy("rsa2048.key"))!, "swarm-node.key");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        // openssl reads what the test assembled (so the fixture is a real PKCS#8 file); it refuses the headers swarmkit adds.
        File.WriteAllText(path, SwarmkitKey.Pem(key, "unlock-key"));
        Assert.Contains("BEGIN PUBLIC KEY", _ssl.PublicKey(path, "unlock-key"));
        File.WriteAllText(path, SwarmkitKey.Pem(key, "unlock-key", ("kek-version", "2"), ("raft-dek", "CAESMHq1")));
        OpenSslFixture.SetMode(path, Owner);

        var report = PrivateKeyAnalyzer.Analyze(path);
        Assert.Equal(PrivateKeyFormat.Pkcs8Encrypted, report.Format);
        Assert.Equal("HMAC-SHA1", report.Prf);
        Assert.Equal(8, report.SaltLength);
        Assert.Equal(2048, report.Iterations);
        var key02 = Check(report, "KEY-02");
        Assert.Equal(CheckStatus.Warning, key02.Status);
        Assert.Contains("swarmkit's PKCS#8 uses an 8-byte salt", key02.Actual);
        Assert.Equal(CheckStatus.Pass, Check(report, "KEY-01").Status);
        Assert.Equal(CheckStatus.Warning, report.Status);
        Assert.DoesNotContain("CAESMHq1", AllText(report));
    }

    [SkippableTheory]
    [InlineData("pkcs1.pem", PrivateKeyFormat.Pkcs1, "RSA", "RSA 2048")]
    [InlineData("sec1.pem", PrivateKeyFormat.Sec1, "ECDSA", "P-256")]
    public void Traditional_unencrypted_keys_warn_that_fips_parsers_prefer_pkcs8(string file, PrivateKeyFormat format, string algorithm, string size)
    {
        var report = Analyze(file);
        Assert.Equal(format, report.Format);
        Assert.False(report.Encrypted);
        Assert.Equal(algorithm, report.KeyAlgorithm);
        Assert.Equal(CheckStatus.NotApplicable, Check(report, "KEY-02").Status);
        var key04 = Check(report, "KEY-04");
        Assert.Equal(CheckStatus.Warning, key04.Status);
        Assert.Contains("FIPS parsers prefer PKCS#8", key04.Actual);
        var key05 = Check(report, "KEY-05");
        Assert.Equal(CheckStatus.Pass, key05.Status);
        Assert.Contains(size, key05.Actual);
        Assert.Equal(CheckStatus.Warning, report.Status);
        Assert.Null(report.EncryptionScheme);
    }

    [SkippableTheory]
    [InlineData("rsa2048.key", PrivateKeyFormat.Pkcs8, "RSA", CheckStatus.Pass)]
    [InlineData("rsa1024.key", PrivateKeyFormat.Pkcs8, "RSA", CheckStatus.Fail)]
    [InlineData("ec384.key", PrivateKeyFormat.Pkcs8, "ECDSA", CheckStatus.Pass)]
    [InlineData("ed25519.key", PrivateKeyFormat.Pkcs8, "Ed25519", CheckStatus.Pass)]
    [InlineData("pkcs8.der", PrivateKeyFormat.Pkcs8, "RSA", CheckStatus.Pass)]
    public void Unencrypted_pkcs8_keys(string file, PrivateKeyFormat format, string algorithm, CheckStatus status)
    {
        var report = Analyze(file);
        Assert.Equal(format, report.Format);
        Assert.Equal(algorithm, report.KeyAlgorithm);
        Assert.Equal(CheckStatus.Pass, Check(report, "KEY-04").Status);
        Assert.Equal(status, Check(report, "KEY-05").Status);
        Assert.Equal(status, report.Status);
        Assert.Equal("0600", report.FileMode);
    }

    [SkippableFact]
    public void Ed25519_key_fails_under_140_2()
    {
        _ssl.RequireOpenSsl();
        var report = PrivateKeyAnalyzer.Analyze(_ssl.Copy("ed25519.key"), "FIPS 140-2");
        Assert.Equal(CheckStatus.Fail, Check(report, "KEY-05").Status);
    }

    [SkippableFact]
    public void Der_encrypted_pkcs8_is_recognised()
    {
        var report = Analyze("pkcs8-sha256.der");
        Assert.Equal(PrivateKeyFormat.Pkcs8Encrypted, report.Format);
        Assert.Equal("HMAC-SHA256", report.Prf);
    }

    [SkippableTheory]
    [InlineData("rsa2048.key", UnixFileMode.UserRead | UnixFileMode.UserWrite, "0600", CheckStatus.Pass)]
    [InlineData("rsa2048.key", UnixFileMode.UserRead, "0400", CheckStatus.Pass)]
    [InlineData("rsa2048.key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, "0640", CheckStatus.Warning)]
    [InlineData("rsa2048.key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644", CheckStatus.Fail)]
    [InlineData("pkcs8-sha256.pem", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644", CheckStatus.Warning)]
    public void File_mode_decides_KEY_03(string file, UnixFileMode mode, string text, CheckStatus expected)
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes");
        var report = Analyze(file, mode);
        Assert.Equal(text, report.FileMode);
        var key03 = Check(report, "KEY-03");
        Assert.Equal(expected, key03.Status);
        Assert.Contains(text, key03.Evidence.Single().Excerpt);
        if (expected != CheckStatus.Pass)
        {
            Assert.Contains("chmod 600", key03.Remediation);
        }
    }

    [SkippableFact]
    public void Swarm_node_key_with_raft_headers_is_plain_pkcs8()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("ec256.key");
        var pem = File.ReadAllText(path).Replace("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\nkek-version: 1\nraft-dek: CAESMHq1\n\n");
        File.WriteAllText(path, pem);
        var report = PrivateKeyAnalyzer.Analyze(path);
        Assert.Equal(PrivateKeyFormat.Pkcs8, report.Format);
        Assert.Equal(CheckStatus.Pass, Check(report, "KEY-01").Status);
        Assert.Equal("ECDSA", report.KeyAlgorithm);
        Assert.DoesNotContain("CAESMHq1", AllText(report));
    }

    [Fact]
    public void Missing_and_invalid_files_are_errors_with_ids()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fips-key-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            Assert.Equal(ErrorIds.PrivateKeyFileNotFound,
                Assert.Throws<FipsClusterException>(() => PrivateKeyAnalyzer.Analyze(Path.Combine(dir, "none.key"))).ErrorId);
            var junk = Path.Combine(dir, "junk.key");
            File.WriteAllBytes(junk, new byte[] { 1, 2, 3, 4 });
            Assert.Equal(ErrorIds.PrivateKeyFileInvalid, Assert.Throws<FipsClusterException>(() => PrivateKeyAnalyzer.Analyze(junk)).ErrorId);
            var cert = Path.Combine(dir, "cert.pem");
            File.WriteAllText(cert, "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n");
            Assert.Equal(ErrorIds.PrivateKeyFileInvalid, Assert.Throws<FipsClusterException>(() => PrivateKeyAnalyzer.Analyze(cert)).ErrorId);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
