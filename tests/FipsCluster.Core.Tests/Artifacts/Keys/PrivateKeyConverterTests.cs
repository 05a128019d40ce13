using System.Security;
using System.Security.Cryptography;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.Keys;

[Collection(OpenSslCollection.Name)]
public sealed class PrivateKeyConverterTests
{
    private const string NewPassphrase = "a new and longer passphrase 9!";
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly OpenSslFixture _ssl;

    public PrivateKeyConverterTests(OpenSslFixture ssl) => _ssl = ssl;

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }
        secure.MakeReadOnly();
        return secure;
    }

    private static bool Yes(string target, string action) => true;

    private static string[] Siblings(string path) => Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order().ToArray()!;

    [SkippableTheory]
    [InlineData("legacy-rsa.pem", true)]
    [InlineData("legacy-ec.pem", true)]
    [InlineData("pkcs8-sha1.pem", true)]
    [InlineData("pkcs8-pbes1.pem", true)]
    [InlineData("pkcs1.pem", false)]
    [InlineData("sec1.pem", false)]
    [InlineData("rsa2048.key", false)]
    [InlineData("pkcs8.der", false)]
    public void Converts_to_pbes2_sha256_aes256_and_keeps_the_original_when_asked(string file, bool encrypted)
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy(file, Owner);
        var original = File.ReadAllBytes(path);
        var publicKey = _ssl.PublicKey(path, encrypted ? OpenSslFixture.Passphrase : null);
        var sourceFormat = PrivateKeyAnalyzer.Analyze(path).Format;
        var asked = new List<(string Target, string Action)>();

        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = encrypted ? Secure(OpenSslFixture.Passphrase) : null, NewPassphrase = Secure(NewPassphrase), Backup = true, Iterations = 100_000 }, (t, a) => { asked.Add((t, a)); return true; });

        Assert.NotNull(result);
        Assert.Equal(Path.GetFullPath(path), result!.Path);
        var (target, action) = Assert.Single(asked);
        Assert.Equal(Path.GetFullPath(path), target);
        Assert.Contains("PBKDF2-HMAC-SHA256", action);
        Assert.Contains("keeping the original as a .bak file", action);

        // openssl opens it with the new passphrase, and it is the same key.
        Assert.Equal(publicKey, _ssl.PublicKey(path, NewPassphrase));
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", File.ReadAllText(path));

        var report = result.Report;
        Assert.Equal(PrivateKeyFormat.Pkcs8Encrypted, report.Format);
        Assert.Equal("PBES2", report.EncryptionScheme);
        Assert.Equal("HMAC-SHA256", report.Prf);
        Assert.Equal("AES-256-CBC", report.Cipher);
        Assert.Equal(100_000, report.Iterations);
        Assert.Equal(16, report.SaltLength);
        Assert.Equal(CheckStatus.Pass, report.Status);
        Assert.Equal(sourceFormat, result.SourceFormat);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal("0600", report.FileMode);
        }
        Assert.Equal(path + ".bak", result.BackupPath);
        Assert.Equal(original, File.ReadAllBytes(result.BackupPath!));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Owner, File.GetUnixFileMode(result.BackupPath!));
        }
        Assert.Equal(new[] { Path.GetFileName(path), Path.GetFileName(path) + ".bak" }.Order(), Siblings(path));
    }

    [SkippableFact]
    public void Default_iterations_and_the_same_passphrase_when_no_new_one_is_given()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("legacy-rsa.pem");
        var publicKey = _ssl.PublicKey(path, OpenSslFixture.Passphrase);
        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure(OpenSslFixture.Passphrase) }, Yes)!;
        Assert.Equal(PrivateKeyConverter.DefaultIterations, result.Report.Iterations);
        Assert.Equal(publicKey, _ssl.PublicKey(path, OpenSslFixture.Passphrase));
    }

    [SkippableFact]
    public void Swarmkit_key_converts()
    {
        _ssl.RequireOpenSsl();
        var path = Path.Combine(Path.GetDirectoryName(_ssl.Copy("rsa2048.key"))!, "autolock.key");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, SwarmkitKey.Pem(key, "unlock-key"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Owner); // as swarmkit writes it (the conversion keeps the mode)
        }
        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure("unlock-key"), NewPassphrase = Secure(NewPassphrase), Iterations = 10_000 }, Yes)!;
        Assert.Null(result.BackupPath);
        Assert.Equal(PrivateKeyFormat.Pkcs8Encrypted, result.SourceFormat);
        using var reread = ECDsa.Create();
        reread.ImportFromEncryptedPem(File.ReadAllText(path), NewPassphrase);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), reread.ExportSubjectPublicKeyInfo());
        Assert.Equal(CheckStatus.Pass, result.Report.Status);
    }

    [SkippableFact]
    public void Unencrypted_input_without_any_passphrase_becomes_plain_pkcs8()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("pkcs1.pem");
        var publicKey = _ssl.PublicKey(path);
        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions(), Yes)!;
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
        Assert.Equal(publicKey, _ssl.PublicKey(path));
        Assert.Equal(PrivateKeyFormat.Pkcs8, result.Report.Format);
        Assert.Equal(PrivateKeyFormat.Pkcs1, result.SourceFormat);
        Assert.Equal(CheckStatus.Pass, result.Report.Status);
    }

    [SkippableFact]
    public void Without_backup_no_copy_is_kept()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("sec1.pem");
        var asked = "";
        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000 }, (_, a) => { asked = a; return true; })!;
        Assert.Contains("keeping no copy of the original", asked);
        Assert.Null(result.BackupPath);
        Assert.Equal(new[] { Path.GetFileName(path) }, Siblings(path));
    }

    [SkippableFact]
    public void A_second_conversion_keeps_both_backups()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("sec1.pem");
        var first = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Backup = true, Iterations = 10_000 }, Yes)!;
        var second = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure(NewPassphrase), Backup = true, Iterations = 10_000 }, Yes)!;
        Assert.Equal(path + ".bak", first.BackupPath);
        Assert.Equal(path + ".bak.1", second.BackupPath);
    }

    [SkippableFact]
    public void Should_process_false_writes_nothing()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("legacy-rsa.pem");
        var before = File.ReadAllBytes(path);
        var stamp = File.GetLastWriteTimeUtc(path);
        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure(OpenSslFixture.Passphrase), NewPassphrase = Secure(NewPassphrase) }, (_, _) => false);
        Assert.Null(result);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        Assert.Equal(new[] { Path.GetFileName(path) }, Siblings(path));
    }

    [SkippableTheory]
    [InlineData("legacy-rsa.pem")]
    [InlineData("legacy-ec.pem")]
    [InlineData("pkcs8-sha256.pem")]
    public void Wrong_passphrase_is_an_error_that_never_shows_a_passphrase(string file)
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy(file);
        var before = File.ReadAllBytes(path);
        const string wrong = "Tr0ub4dor&3-not-it";
        var e = Assert.Throws<FipsClusterException>(() =>
            PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure(wrong), NewPassphrase = Secure(NewPassphrase), Iterations = 10_000 }, Yes));
        Assert.Equal(ErrorIds.PrivateKeyPassphraseIncorrect, e.ErrorId);
        Assert.Equal(FipsErrorCategory.AuthenticationError, e.Category);
        foreach (var secret in new[] { wrong, NewPassphrase, OpenSslFixture.Passphrase })
        {
            Assert.DoesNotContain(secret, e.ToString());
            Assert.DoesNotContain(secret, e.Message);
            Assert.DoesNotContain(secret, e.RecommendedAction ?? "");
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(new[] { Path.GetFileName(path) }, Siblings(path));
    }

    [SkippableFact]
    public void Encrypted_key_without_a_passphrase_needs_one()
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy("pkcs8-sha1.pem");
        var e = Assert.Throws<FipsClusterException>(() => PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase) }, Yes));
        Assert.Equal(ErrorIds.PrivateKeyPassphraseRequired, e.ErrorId);
    }

    [SkippableTheory]
    [InlineData("ed25519.key")]
    [InlineData("pkcs8-scrypt.pem")]
    public void Keys_dotnet_cannot_read_are_unsupported(string file)
    {
        _ssl.RequireOpenSsl();
        var path = _ssl.Copy(file);
        var e = Assert.Throws<FipsClusterException>(() => PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure(OpenSslFixture.Passphrase) }, Yes));
        Assert.Equal(ErrorIds.PrivateKeyFormatUnsupported, e.ErrorId);
        Assert.DoesNotContain(OpenSslFixture.Passphrase, e.ToString());
        Assert.Equal(new[] { Path.GetFileName(path) }, Siblings(path));
    }

    [SkippableFact]
    public void Swarm_node_key_with_raft_dek_headers_is_refused()
    {
        _ssl.RequireOpenSsl();
        var path = Path.Combine(Path.GetDirectoryName(_ssl.Copy("rsa2048.key"))!, "swarm-node.key");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, SwarmkitKey.Pem(key, "unlock-key", ("kek-version", "2"), ("raft-dek", "CAESMHq1")));
        var e = Assert.Throws<FipsClusterException>(() => PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure("unlock-key") }, Yes));
        Assert.Equal(ErrorIds.PrivateKeyFormatUnsupported, e.ErrorId);
        Assert.Contains("raft-dek", e.Message);
        Assert.DoesNotContain("CAESMHq1", e.Message);
    }

    [SkippableFact]
    public void A_symbolic_link_is_followed_and_stays_a_link()
    {
        _ssl.RequireOpenSsl();
        Skip.If(OperatingSystem.IsWindows(), "symbolic links need privileges on Windows");
        var real = _ssl.Copy("pkcs1.pem");
        var link = Path.Combine(Path.GetDirectoryName(real)!, "link.pem");
        File.CreateSymbolicLink(link, real);
        var result = PrivateKeyConverter.Convert(link, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000 }, Yes)!;
        Assert.Equal(real, result.Path);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Contains("ENCRYPTED PRIVATE KEY", File.ReadAllText(link));
    }
}
