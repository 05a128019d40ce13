using System.Runtime.InteropServices;
using System.Security;
using System.Security.Cryptography;

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
    /// <param name="options">The passphrases, backup, iterations and what the caller accepts (<see cref="PrivateKeyConversionOptions"/>).</param>
    /// <param name="shouldProcess">Asked (target, action) before anything is written; false writes nothing and returns null.</param>
    public static PrivateKeyConversionResult? Convert(string path, PrivateKeyConversionOptions options, Func<string, string, bool> shouldProcess)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (passphrase, newPassphrase, backup, iterations, standard, force, warning) =
            (options.Passphrase, options.NewPassphrase, options.Backup, options.Iterations, options.Standard, options.Force, options.Warning);
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
        KeyFileReplacer.CheckHardLinks(target, force, warning);
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
            using var key = PrivateKeyCodec.Import(file, current);
            written = PrivateKeyCodec.Export(key, next, iterations);
            PrivateKeyCodec.Verify(written, key, next, target);
            var backupPath = KeyFileReplacer.Replace(target, written, key, next, backup, force, warning ?? (_ => { }));
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

    internal static FipsClusterException Unsupported(string path, string why) =>
        new(ErrorIds.PrivateKeyFormatUnsupported, FipsErrorCategory.InvalidData, $"'{path}' {why}.", path);


    internal static char[]? Chars(SecureString? secure)
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

    internal static void Zero(char[]? chars)
    {
        if (chars is not null)
        {
            Array.Clear(chars);
        }
    }
}
