using System.Security;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Core.Tests.Artifacts.Keys;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 9: ConvertTo-FipsPrivateKey turned a 0640 key owned by daemon (the service's user) into a 0600
/// key owned by root — the service lost access — and left the plaintext original beside it as .bak. These run as
/// root on Linux (the conversion of another user's key is what root does on a server).
/// </summary>
[Collection(OpenSslCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrivateKeyRewriteHostileTests
{
    private const uint Daemon = 1; // Debian's daemon user and group
    private const UnixFileMode GroupReadable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead; // 0640
    private const string NewPassphrase = "a new and longer passphrase 9!";

    private readonly OpenSslFixture _ssl;

    public PrivateKeyRewriteHostileTests(OpenSslFixture ssl) => _ssl = ssl;

    private void RequireRootOnLinux()
    {
        _ssl.RequireOpenSsl();
        var why = !OperatingSystem.IsLinux() ? "owner and group are kept through Linux's statx/fchown" : Environment.UserName != "root" ? "giving a file to another user needs root" : null;
        if (why is not null && Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail("CI=true: " + why);
        }
        Skip.If(why is not null, why);
    }

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

    /// <summary>A copy of a fixture key owned by daemon:daemon with the given mode, in a directory every user can enter.</summary>
    private string DaemonKey(string fixture, UnixFileMode mode)
    {
        var path = _ssl.Copy(fixture, mode);
        File.SetUnixFileMode(Path.GetDirectoryName(path)!, (UnixFileMode)0x1ED); // 0755
        Run("chown", "daemon:daemon", path);
        return path;
    }

    private static UnixFileStatus Stat(string path) => UnixFileOwnership.Status(path);

    private static string[] Siblings(string path) => Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order().ToArray()!;

    private static (int Code, string Out) Run(string file, params string[] args)
    {
        var result = ProcessRunner.Run(file, args);
        return (result.ExitCode, result.Output);
    }

    /// <summary>What the service (daemon, not root) can read of the key.</summary>
    private static (int Code, string Out) ReadAsDaemon(string path) => Run("setpriv", "--reuid=daemon", "--regid=daemon", "--clear-groups", "cat", path);

    [SkippableFact]
    public void A_group_readable_key_owned_by_the_service_keeps_owner_group_and_mode_and_no_plaintext_copy_remains()
    {
        RequireRootOnLinux();
        var path = DaemonKey("pkcs1.pem", GroupReadable);
        Assert.Contains("BEGIN RSA PRIVATE KEY", ReadAsDaemon(path).Out);
        var before = Stat(path);
        // A handle to the original file, as a process that had it open would keep: after the conversion its content is gone too.
        using var originalFile = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var warnings = new List<string>();

        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000, Warning = warnings.Add }, (_, _) => true)!;

        var after = Stat(path);
        Assert.Equal((Daemon, Daemon, GroupReadable), (after.Owner, after.Group, after.Mode));
        Assert.NotEqual(before.Inode, after.Inode); // replaced by a rename, not rewritten in place
        Assert.Null(result.BackupPath);
        Assert.Equal(new[] { Path.GetFileName(path) }, Siblings(path)); // no .bak, no temp file
        var (code, text) = ReadAsDaemon(path);
        Assert.Equal(0, code);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", text);
        // The old file has no name left, and its bytes were overwritten.
        var old = new byte[originalFile.Length];
        originalFile.ReadExactly(old);
        Assert.All(old, b => Assert.Equal(0, b));
        // The group access is kept on purpose (the service reads the key through it), and reported, not warned about.
        Assert.Empty(warnings);
        Assert.Equal("0640", result.Report.FileMode);
        Assert.Contains(result.Report.Checks, c => c.CheckId == "KEY-03" && c.Status == CheckStatus.Warning && c.Actual.Contains("group", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void With_a_backup_the_original_is_kept_as_it_was_owner_group_mode_and_bytes()
    {
        RequireRootOnLinux();
        var path = DaemonKey("legacy-rsa.pem", GroupReadable);
        var original = File.ReadAllBytes(path);
        var inode = Stat(path).Inode;
        var asked = "";

        var result = PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { Passphrase = Secure(OpenSslFixture.Passphrase), NewPassphrase = Secure(NewPassphrase), Backup = true, Iterations = 10_000 }, (_, a) => { asked = a; return true; })!;

        Assert.Contains("keeping the original as a .bak file", asked);
        Assert.Equal(path + ".bak", result.BackupPath);
        var backup = Stat(result.BackupPath!);
        Assert.Equal((Daemon, Daemon, GroupReadable, inode), (backup.Owner, backup.Group, backup.Mode, backup.Inode)); // the original file itself
        Assert.Equal(original, File.ReadAllBytes(result.BackupPath!));
        var converted = Stat(path);
        Assert.Equal((Daemon, Daemon, GroupReadable), (converted.Owner, converted.Group, converted.Mode));
        Assert.Equal(1u, converted.Links);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", ReadAsDaemon(path).Out);
    }

    [SkippableFact]
    public void A_key_with_another_hard_link_is_refused_unless_forced_because_the_other_name_keeps_the_original()
    {
        RequireRootOnLinux();
        var path = DaemonKey("sec1.pem", GroupReadable);
        var other = Path.Combine(Path.GetDirectoryName(path)!, "other-name.pem");
        UnixFileOwnership.Link(path, other);
        var original = File.ReadAllBytes(path);

        var refused = Assert.Throws<FipsClusterException>(() => PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000 }, (_, _) => true));
        Assert.Equal(ErrorIds.PrivateKeyHardLinked, refused.ErrorId);
        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(2u, Stat(path).Links);
        Assert.Equal(new[] { "other-name.pem", Path.GetFileName(path) }.Order(), Siblings(path));

        var warnings = new List<string>();
        PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000, Force = true, Warning = warnings.Add }, (_, _) => true);
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", File.ReadAllText(path));
        Assert.Equal(original, File.ReadAllBytes(other)); // what -Force accepts, and the warning says
        Assert.Contains(warnings, w => w.Contains("other name", StringComparison.Ordinal));
        Assert.Equal((Daemon, Daemon, GroupReadable), (Stat(path).Owner, Stat(path).Group, Stat(path).Mode));
    }

    [SkippableFact]
    public void A_symlinked_key_path_rewrites_the_target_with_its_owner_and_mode_and_the_link_stays()
    {
        RequireRootOnLinux();
        var real = DaemonKey("pkcs1.pem", GroupReadable);
        var link = Path.Combine(Path.GetDirectoryName(real)!, "service.key");
        File.CreateSymbolicLink(link, real);

        var result = PrivateKeyConverter.Convert(link, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000 }, (_, _) => true)!;

        Assert.Equal(real, result.Path);
        Assert.Equal(real, new FileInfo(link).LinkTarget);
        var target = Stat(real);
        Assert.Equal((Daemon, Daemon, GroupReadable), (target.Owner, target.Group, target.Mode));
        Assert.Contains("BEGIN ENCRYPTED PRIVATE KEY", ReadAsDaemon(link).Out);
        Assert.Equal(new[] { "pkcs1.pem", "service.key" }, Siblings(real));
    }

    [SkippableFact]
    public void A_world_readable_key_keeps_its_mode_with_a_warning_and_special_bits_are_dropped()
    {
        RequireRootOnLinux();
        var path = DaemonKey("pkcs1.pem", (UnixFileMode)0x9A4); // 04644: setuid and world-readable
        var warnings = new List<string>();
        PrivateKeyConverter.Convert(path, new PrivateKeyConversionOptions { NewPassphrase = Secure(NewPassphrase), Iterations = 10_000, Warning = warnings.Add }, (_, _) => true);
        var after = Stat(path);
        Assert.Equal((Daemon, Daemon, (UnixFileMode)0x1A4), (after.Owner, after.Group, after.Mode)); // 0644: never wider, setuid gone
        Assert.Contains(warnings, w => w.Contains("every user", StringComparison.Ordinal) && w.Contains("0644", StringComparison.Ordinal));
    }
}
