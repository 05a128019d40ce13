using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// Rewrites a private key as PKCS#8 — encrypted with PBES2, PBKDF2-HMAC-SHA256 and AES-256-CBC when there is a passphrase —
/// the format FIPS parsers (OpenSSL's FIPS provider, swarmkit's FIPS mode) accept. Reads PKCS#8 (plain or encrypted,
/// including PBES1 and PKCS#12 PBE), PKCS#1, SEC 1 and legacy encrypted PEM. Writes atomically (a 0600 temporary file in
/// the same directory, then a rename) and keeps the original as &lt;path&gt;.bak unless forced.
/// </summary>
public static class PrivateKeyConverter
{
    /// <summary>PBKDF2-HMAC-SHA256 iterations written by default (OWASP's 2023 recommendation).</summary>
    public const int DefaultIterations = 600_000;

    public const string WrittenScheme = "PKCS#8 PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)";

    /// <summary>
    /// Converts the key at <paramref name="path"/> in place.
    /// </summary>
    /// <param name="path">The key file; a symbolic link is followed and its target rewritten.</param>
    /// <param name="passphrase">The current passphrase; null for an unencrypted key.</param>
    /// <param name="newPassphrase">The passphrase for the new file; null keeps <paramref name="passphrase"/>. When both are null the key is written as unencrypted PKCS#8.</param>
    /// <param name="force">When true the original is not kept.</param>
    /// <param name="shouldProcess">Asked (target, action) before anything is written; false writes nothing and returns null.</param>
    /// <param name="iterations">PBKDF2 iterations for the new file (at least 1000, the SP 800-132 floor).</param>
    /// <param name="standard">The standard the returned report judges against ("FIPS 140-3" when null).</param>
    public static PrivateKeyConversionResult? Convert(
        string path,
        SecureString? passphrase,
        SecureString? newPassphrase,
        bool force,
        Func<string, string, bool> shouldProcess,
        int iterations = DefaultIterations,
        string? standard = null)
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
        var encryptOutput = (newPassphrase ?? passphrase) is { Length: > 0 };
        var action = encryptOutput
            ? $"Rewrite the private key as {WrittenScheme}, {iterations} iterations{(force ? "" : ", keeping the original as a .bak file")}"
            : $"Rewrite the private key as unencrypted PKCS#8{(force ? "" : ", keeping the original as a .bak file")}";
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
            var backup = Write(target, written, force);
            var report = PrivateKeyAnalyzer.Analyze(target, standard);
            return new PrivateKeyConversionResult(target, backup, file.Format, report);
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

    /// <summary>Temp file (0600 from creation) in the same directory, optional backup (original mode), then an atomic rename.</summary>
    private static string? Write(string target, byte[] content, bool force)
    {
        var directory = Path.GetDirectoryName(target)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        string? backup = null;
        try
        {
            WriteNew(temp, content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (!force)
            {
                backup = BackupPath(target);
                var original = File.ReadAllBytes(target);
                try
                {
                    var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(target) & (UnixFileMode)0x1FF;
                    WriteNew(backup, original, mode);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(original);
                }
            }
            File.Move(temp, target, overwrite: true);
            return backup;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FipsClusterException(ErrorIds.PrivateKeyWriteFailed,
                e is UnauthorizedAccessException ? FipsErrorCategory.PermissionDenied : FipsErrorCategory.WriteError,
                $"The converted key could not be written to '{target}': {e.Message}. The original is unchanged.", target, e);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void WriteNew(string path, byte[] content, UnixFileMode mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }
        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

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
