using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// Rewrites a private key as PKCS#8 — encrypted with PBES2, PBKDF2-HMAC-SHA256 and AES-256-CBC when there is a passphrase —
/// the format FIPS parsers (OpenSSL's FIPS provider, swarmkit's FIPS mode) accept. Reads PKCS#8 (plain or encrypted,
/// including PBES1 and PKCS#12 PBE), PKCS#1, SEC 1 and legacy encrypted PEM. Writes atomically (a 0600 temporary file in
/// the same directory, given the original's owner, group and mode, read back, then renamed over the original). No copy of
/// the original remains unless a backup is asked for; the backup is a second name of the original file itself, so it
/// keeps the original's owner, group, mode and ACLs.
/// </summary>
public static class PrivateKeyConverter
{
    /// <summary>PBKDF2-HMAC-SHA256 iterations written by default (OWASP's 2023 recommendation).</summary>
    public const int DefaultIterations = 600_000;

    public const string WrittenScheme = "PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)";

    /// <summary>
    /// Converts the key at <paramref name="path"/> in place.
    /// </summary>
    /// <param name="path">The key file; a symbolic link is followed and its target rewritten (the link stays).</param>
    /// <param name="passphrase">The current passphrase; null for an unencrypted key.</param>
    /// <param name="newPassphrase">The passphrase for the new file; null keeps <paramref name="passphrase"/>. When both are null the key is written as unencrypted PKCS#8.</param>
    /// <param name="backup">Keep the original as &lt;path&gt;.bak (a hard link to the original file: same owner, group and mode). Without it no copy remains.</param>
    /// <param name="shouldProcess">Asked (target, action) before anything is written; false writes nothing and returns null.</param>
    /// <param name="iterations">PBKDF2 iterations for the new file (at least 1000, the SP 800-132 floor).</param>
    /// <param name="standard">The standard the returned report judges against ("FIPS 140-3" when null).</param>
    /// <param name="force">Convert a key that has other hard links although they keep the original content.</param>
    /// <param name="warning">Told what the caller should know: a key every user can read, other names that keep the original.</param>
    public static PrivateKeyConversionResult? Convert(
        string path,
        SecureString? passphrase,
        SecureString? newPassphrase,
        bool backup,
        Func<string, string, bool> shouldProcess,
        int iterations = DefaultIterations,
        string? standard = null,
        bool force = false,
        Action<string>? warning = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shouldProcess);
        if (iterations < PrivateKeyAnalyzer.MinimumIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"At least {PrivateKeyAnalyzer.MinimumIterations} iterations (SP 800-132).");
        }
        if (newPassphrase is { Length: 0 })
        {
            throw new FipsClusterException(ErrorIds.PrivateKeyFormatUnsupported, FipsErrorCategory.InvalidArgument,
                "The new passphrase is empty; give a passphrase, or none to reuse the current one.", path);
        }

        var target = ResolveTarget(path);
        using var file = KeyFile.Load(target);
        RefuseUnsupported(file);
        CheckHardLinks(target, force, warning);
        var encryptOutput = (newPassphrase ?? passphrase) is { Length: > 0 };
        var keeping = backup ? ", keeping the original as a .bak file" : ", keeping no copy of the original";
        var action = encryptOutput
            ? $"Rewrite the private key as {WrittenScheme}, {iterations} iterations{keeping}"
            : $"Rewrite the private key as unencrypted PKCS#8{keeping}";
        if (!shouldProcess(target, action))
        {
            return null;
        }

        char[]? current = null, next = null;
        byte[]? written = null;
        try
        {
            current = Chars(passphrase);
            next = newPassphrase is null ? current : Chars(newPassphrase);
            using var key = Import(file, current);
            written = Export(key, next, iterations);
            Verify(written, key, next, target);
            var backupPath = Write(target, written, key, next, backup, force, warning ?? (_ => { }));
            var report = PrivateKeyAnalyzer.Analyze(target, standard);
            return new PrivateKeyConversionResult(target, backupPath, file.Format, report);
        }
        finally
        {
            Zero(current);
            if (!ReferenceEquals(next, current))
            {
                Zero(next);
            }
            if (written is not null)
            {
                CryptographicOperations.ZeroMemory(written);
            }
        }
    }

    private static string ResolveTarget(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (info.Exists && info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final)
        {
            return final.FullName;
        }
        return full;
    }

    private static void RefuseUnsupported(KeyFile file)
    {
        var other = file.OtherHeaders.ToList();
        if (other.Count > 0)
        {
            // swarmkit keeps the raft DEK (encrypted under the key encryption key) in swarm-node.key's PEM headers:
            // rewriting the block would drop them and lock the manager out of its raft log.
            throw Unsupported(file.Path, $"carries PEM headers ({string.Join(", ", other)}) that a conversion would drop (swarmkit keeps its raft DEK there); rotate swarm keys with 'docker swarm update --autolock' / 'docker swarm unlock-key --rotate' instead");
        }
        if (file.Format is PrivateKeyFormat.OpenSsh or PrivateKeyFormat.Unknown)
        {
            throw Unsupported(file.Path, file.Format == PrivateKeyFormat.OpenSsh
                ? "is an OpenSSH private key; convert it with 'ssh-keygen -p -m PKCS8 -f <file>'"
                : "is not a PKCS#8, PKCS#1, SEC 1 or legacy PEM key .NET can read");
        }
        if (file.Format == PrivateKeyFormat.Pkcs8Encrypted)
        {
            Pkcs8Encryption encryption;
            try
            {
                encryption = Pkcs8Encryption.Read(file.Der);
            }
            catch (System.Formats.Asn1.AsnContentException e)
            {
                throw new FipsClusterException(ErrorIds.PrivateKeyFileInvalid, FipsErrorCategory.InvalidData,
                    $"'{file.Path}' holds an EncryptedPrivateKeyInfo that could not be parsed.", file.Path, e);
            }
            var readable = encryption.Scheme is "PBES1" or "PKCS12-PBE"
                || (encryption.Kdf == "PBKDF2" && encryption.Prf is "HMAC-SHA1" or "HMAC-SHA256" or "HMAC-SHA384" or "HMAC-SHA512"
                    && encryption.Cipher is "AES-128-CBC" or "AES-192-CBC" or "AES-256-CBC" or "DES-EDE3-CBC" or "DES-CBC" or "RC2-CBC");
            if (!readable)
            {
                throw Unsupported(file.Path, $"is encrypted with {encryption}, which .NET cannot decrypt; convert it with 'openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256'");
            }
        }
    }

    private static FipsClusterException Unsupported(string path, string why) =>
        new(ErrorIds.PrivateKeyFormatUnsupported, FipsErrorCategory.InvalidData, $"'{path}' {why}.", path);

    private static FipsClusterException WrongPassphrase(string path, string detail, Exception? inner) =>
        new(ErrorIds.PrivateKeyPassphraseIncorrect, FipsErrorCategory.AuthenticationError, $"The passphrase does not decrypt the private key in '{path}'{detail}.", path, inner)
        {
            RecommendedAction = "Give the key's current passphrase with -Passphrase.",
        };

    private static AsymmetricAlgorithm Import(KeyFile file, char[]? passphrase)
    {
        var path = file.Path;
        if (file.IsEncrypted && (passphrase is null || passphrase.Length == 0))
        {
            throw new FipsClusterException(ErrorIds.PrivateKeyPassphraseRequired, FipsErrorCategory.InvalidArgument,
                $"The private key in '{path}' is encrypted: give its passphrase.", path);
        }
        switch (file.Format)
        {
            case PrivateKeyFormat.Pkcs8Encrypted:
                return ImportEncryptedPkcs8(file.Der, passphrase!, path);
            case PrivateKeyFormat.LegacyPemEncrypted:
            {
                byte[] der;
                try
                {
                    der = LegacyPemDecryptor.Decrypt(file.Pem!, passphrase);
                }
                catch (NotSupportedException e)
                {
                    throw new FipsClusterException(ErrorIds.PrivateKeyFormatUnsupported, FipsErrorCategory.InvalidData, $"'{path}': {e.Message}.", path, e);
                }
                catch (CryptographicException e)
                {
                    throw WrongPassphrase(path, "", e);
                }
                try
                {
                    var format = file.Pem!.Label switch
                    {
                        "RSA PRIVATE KEY" => PrivateKeyFormat.Pkcs1,
                        "EC PRIVATE KEY" => PrivateKeyFormat.Sec1,
                        "PRIVATE KEY" => PrivateKeyFormat.Pkcs8,
                        _ => throw Unsupported(path, $"is a legacy encrypted '{file.Pem.Label}', which .NET cannot import"),
                    };
                    return ImportPlain(format, der, path);
                }
                catch (CryptographicException e)
                {
                    // Padding happened to check out but the plaintext is not a key: a wrong passphrase as well.
                    throw WrongPassphrase(path, "", e);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(der);
                }
            }
            default:
                try
                {
                    return ImportPlain(file.Format, file.Der, path);
                }
                catch (CryptographicException e)
                {
                    throw new FipsClusterException(ErrorIds.PrivateKeyFileInvalid, FipsErrorCategory.InvalidData,
                        $"'{path}' holds a {file.Format} key that could not be imported: {e.Message}", path, e);
                }
        }
    }

    private static AsymmetricAlgorithm ImportPlain(PrivateKeyFormat format, byte[] der, string path)
    {
        switch (format)
        {
            case PrivateKeyFormat.Pkcs1:
            {
                var rsa = RSA.Create();
                return Guard(rsa, () => rsa.ImportRSAPrivateKey(der, out _));
            }
            case PrivateKeyFormat.Sec1:
            {
                var ec = ECDsa.Create();
                return Guard(ec, () => ec.ImportECPrivateKey(der, out _));
            }
            case PrivateKeyFormat.Pkcs8:
            {
                string oid;
                try
                {
                    oid = KeyFile.Pkcs8AlgorithmOid(der);
                }
                catch (System.Formats.Asn1.AsnContentException e)
                {
                    throw new CryptographicException("not a PKCS#8 PrivateKeyInfo", e);
                }
                AsymmetricAlgorithm key = oid switch
                {
                    KeyAlgorithms.RsaOid => RSA.Create(),
                    KeyAlgorithms.EcOid => ECDsa.Create(),
                    KeyAlgorithms.DsaOid => DSA.Create(),
                    _ => throw Unsupported(path, $"holds a {KeyAlgorithms.Name(oid)} key, which .NET cannot import (RSA, ECDSA and DSA keys can be converted)"),
                };
                return Guard(key, () => key.ImportPkcs8PrivateKey(der, out _));
            }
            default:
                throw Unsupported(path, $"is a {format} key, which cannot be converted");
        }
    }

    private static AsymmetricAlgorithm ImportEncryptedPkcs8(byte[] der, char[] passphrase, string path)
    {
        // .NET imports an EncryptedPrivateKeyInfo only into a key of the right type, and the algorithm is inside the
        // ciphertext: try each type. All failing means a wrong passphrase (or a key type .NET cannot import).
        CryptographicException? last = null;
        foreach (var factory in new Func<AsymmetricAlgorithm>[] { RSA.Create, ECDsa.Create, DSA.Create })
        {
            var key = factory();
            try
            {
                key.ImportEncryptedPkcs8PrivateKey(passphrase, der, out _);
                return key;
            }
            catch (CryptographicException e)
            {
                last = e;
                key.Dispose();
            }
        }
        throw WrongPassphrase(path, " (or the key is of a type .NET cannot import, such as Ed25519)", last);
    }

    private static AsymmetricAlgorithm Guard(AsymmetricAlgorithm key, Action import)
    {
        try
        {
            import();
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static byte[] Export(AsymmetricAlgorithm key, char[]? passphrase, int iterations)
    {
        byte[] der;
        string label;
        if (passphrase is { Length: > 0 })
        {
            der = key.ExportEncryptedPkcs8PrivateKey(passphrase, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, iterations));
            label = "ENCRYPTED PRIVATE KEY";
        }
        else
        {
            der = key.ExportPkcs8PrivateKey();
            label = "PRIVATE KEY";
        }
        char[]? pem = null;
        try
        {
            pem = PemEncoding.Write(label, der);
            var bytes = new byte[Encoding.ASCII.GetByteCount(pem) + 1];
            Encoding.ASCII.GetBytes(pem, bytes);
            bytes[^1] = (byte)'\n';
            return bytes;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
            Zero(pem);
        }
    }

    /// <summary>Reads back what is about to be written and checks it is the same key, before the original is touched.</summary>
    private static void Verify(byte[] written, AsymmetricAlgorithm original, char[]? passphrase, string path)
    {
        var chars = Encoding.ASCII.GetChars(written);
        try
        {
            using AsymmetricAlgorithm copy = original switch
            {
                RSA => RSA.Create(),
                ECDsa => ECDsa.Create(),
                _ => DSA.Create(),
            };
            if (passphrase is { Length: > 0 })
            {
                copy.ImportFromEncryptedPem(chars, passphrase);
            }
            else
            {
                copy.ImportFromPem(chars);
            }
            if (!copy.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(original.ExportSubjectPublicKeyInfo()))
            {
                throw new CryptographicException("the re-read key differs");
            }
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new FipsClusterException(ErrorIds.PrivateKeyWriteFailed, FipsErrorCategory.InvalidResult,
                $"The converted key for '{path}' did not read back as the same key; nothing was written.", path, e);
        }
        finally
        {
            Zero(chars);
        }
    }

    /// <summary>
    /// The replace: a temp file (0600 from creation) in the target's directory, given the original's owner and group
    /// (fchown) and mode (never wider: the same permission bits, without setuid/setgid/sticky), flushed, read back and
    /// checked to be the same key; the backup, when asked for, as a hard link to the original; then an atomic rename.
    /// Afterwards the original file, when no name is left to it, is overwritten with zeros (best effort: on
    /// copy-on-write file systems and SSDs the old blocks may survive).
    /// </summary>
    private static string? Write(string target, byte[] content, AsymmetricAlgorithm key, char[]? passphrase, bool backup, bool force, Action<string> warning)
    {
        var directory = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        string? backupPath = null;
        FileStream? original = null;
        try
        {
            var status = Original(target);
            var mode = status?.Mode ?? (OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(target));
            mode &= (UnixFileMode)0x1FF; // the permission bits only: never setuid, setgid or sticky on a key
            if (status is { Links: > 1 } && !force)
            {
                throw HardLinked(target, status); // a link made since the check before the conversion
            }
            if ((mode & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                warning($"'{target}' is readable or writable by every user (mode {ModeText(mode)}); the converted key keeps that mode. Restrict it: chmod o-rwx '{target}'.");
            }
            using (var stream = CreateNew(temp))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
                if (status is not null && (status.Owner != UnixFileOwnership.EffectiveUser || status.Group != UnixFileOwnership.Status(stream.SafeFileHandle, temp).Group))
                {
                    UnixFileOwnership.ChangeOwner(stream.SafeFileHandle, status.Owner, status.Group, target);
                }
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, mode);
                }
                stream.Flush(flushToDisk: true);
            }
            ReadBack(temp, content, key, passphrase, target);
            if (backup)
            {
                backupPath = Backup(target, status, mode);
            }
            if (status is { Links: 1 })
            {
                original = TryOpenForScrub(target, status);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            original?.Dispose();
            throw new FipsClusterException(ErrorIds.PrivateKeyWriteFailed,
                e is UnauthorizedAccessException ? FipsErrorCategory.PermissionDenied : FipsErrorCategory.WriteError,
                $"The converted key could not be written to '{target}': {e.Message}. The original is unchanged.", target, e)
            {
                RecommendedAction = e is UnauthorizedAccessException ? "Run as the key's owner or as root: the converted key keeps the original's owner and group." : null,
            };
        }
        catch
        {
            original?.Dispose();
            throw;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
        if (original is not null)
        {
            using (original)
            {
                Scrub(original, target);
            }
        }
        return backupPath;
    }

    /// <summary>
    /// Other names of the key file would keep the original after the rename: refused before any work unless forced
    /// (then a warning says so).
    /// </summary>
    private static void CheckHardLinks(string target, bool force, Action<string>? warning)
    {
        UnixFileStatus? status;
        try
        {
            status = Original(target);
        }
        catch (IOException)
        {
            return; // the write reports what is wrong with the file
        }
        if (status is not { Links: > 1 })
        {
            return;
        }
        if (!force)
        {
            throw HardLinked(target, status);
        }
        warning?.Invoke($"'{target}' has {status.Links - 1} other name(s) (hard links); they keep the original key (-Force).");
    }

    private static FipsClusterException HardLinked(string target, UnixFileStatus status) =>
        new(ErrorIds.PrivateKeyHardLinked, FipsErrorCategory.InvalidOperation,
            $"'{target}' has {status.Links - 1} other name(s) (hard links): they would keep the original key after the conversion. Nothing was written.", target)
        {
            RecommendedAction = "Find the other names (find / -xdev -samefile <path>) and remove them, or convert them too; -Force converts this name and leaves the others as they are.",
        };

    /// <summary>The original's owner, group, mode and link count (Linux); null where they cannot be read this way.</summary>
    private static UnixFileStatus? Original(string target) => UnixFileOwnership.Supported ? UnixFileOwnership.Status(target) : null;

    private static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return new FileStream(path, options);
    }

    /// <summary>What is on disk, not what is in memory, must be the same key before it replaces the original.</summary>
    private static void ReadBack(string temp, byte[] content, AsymmetricAlgorithm key, char[]? passphrase, string target)
    {
        var onDisk = File.ReadAllBytes(temp);
        try
        {
            if (!onDisk.AsSpan().SequenceEqual(content))
            {
                throw new FipsClusterException(ErrorIds.PrivateKeyWriteFailed, FipsErrorCategory.InvalidResult,
                    $"The converted key for '{target}' did not read back from disk as written; nothing was replaced.", target);
            }
            Verify(onDisk, key, passphrase, target);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(onDisk);
        }
    }

    /// <summary>
    /// The original under a second name: a hard link keeps it exactly (owner, group, mode, ACLs, content). Where links
    /// cannot be made, a copy created 0600 and then given the original's owner, group and mode.
    /// </summary>
    private static string Backup(string target, UnixFileStatus? status, UnixFileMode mode)
    {
        var backupPath = BackupPath(target);
        if (UnixFileOwnership.Supported)
        {
            try
            {
                UnixFileOwnership.Link(target, backupPath);
                return backupPath;
            }
            catch (IOException) when (!File.Exists(backupPath))
            {
                // A file system without hard links: copy below.
            }
        }
        var bytes = File.ReadAllBytes(target);
        try
        {
            using var stream = CreateNew(backupPath);
            stream.Write(bytes);
            if (status is not null && (status.Owner != UnixFileOwnership.EffectiveUser || status.Group != UnixFileOwnership.Status(stream.SafeFileHandle, backupPath).Group))
            {
                UnixFileOwnership.ChangeOwner(stream.SafeFileHandle, status.Owner, status.Group, backupPath);
            }
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
            }
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
        return backupPath;
    }

    /// <summary>A handle to the original, to overwrite it once the rename has taken its last name; null when it cannot be opened for writing.</summary>
    private static FileStream? TryOpenForScrub(string target, UnixFileStatus status)
    {
        try
        {
            var stream = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            if (UnixFileOwnership.Status(stream.SafeFileHandle, target).Inode != status.Inode)
            {
                stream.Dispose(); // replaced meanwhile: not the file that was judged
                return null;
            }
            return stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Zeros over the original's content, only when no name is left to it (a link count of 0).</summary>
    private static void Scrub(FileStream original, string target)
    {
        try
        {
            if (UnixFileOwnership.Status(original.SafeFileHandle, target).Links != 0)
            {
                return;
            }
            var zeros = new byte[4096];
            original.Position = 0;
            for (var left = original.Length; left > 0; left -= zeros.Length)
            {
                original.Write(zeros, 0, (int)Math.Min(zeros.Length, left));
            }
            original.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Best effort: the original has no name any more either way.
        }
    }

    private static string ModeText(UnixFileMode mode) => "0" + System.Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');

    private static string BackupPath(string target)
    {
        var candidate = target + ".bak";
        for (var i = 1; File.Exists(candidate) || Directory.Exists(candidate); i++)
        {
            candidate = $"{target}.bak.{i}";
        }
        return candidate;
    }

    private static char[]? Chars(SecureString? secure)
    {
        if (secure is null || secure.Length == 0)
        {
            return null;
        }
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            var chars = new char[secure.Length];
            Marshal.Copy(pointer, chars, 0, chars.Length);
            return chars;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    private static void Zero(char[]? chars)
    {
        if (chars is not null)
        {
            Array.Clear(chars);
        }
    }
}
