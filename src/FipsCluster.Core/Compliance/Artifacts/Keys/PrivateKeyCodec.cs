using System.Security.Cryptography;
using System.Text;
using static FipsCluster.Core.Compliance.Artifacts.Keys.PrivateKeyConverter;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// A private key in and out of .NET for <see cref="PrivateKeyConverter"/>: imported from any format it reads (with the
/// passphrase), exported as PEM PKCS#8 (PBES2 when encrypted), and the export read back to prove it is the same key.
/// </summary>
internal static class PrivateKeyCodec
{
    internal static FipsClusterException WrongPassphrase(string path, string detail, Exception? inner) =>
        new(ErrorIds.PrivateKeyPassphraseIncorrect, FipsErrorCategory.AuthenticationError, $"The passphrase does not decrypt the private key in '{path}'{detail}.", path, inner)
        {
            RecommendedAction = "Give the key's current passphrase with -Passphrase.",
        };


    internal static AsymmetricAlgorithm Import(KeyFile file, char[]? passphrase)
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

    internal static AsymmetricAlgorithm ImportPlain(PrivateKeyFormat format, byte[] der, string path)
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

    internal static AsymmetricAlgorithm ImportEncryptedPkcs8(byte[] der, char[] passphrase, string path)
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

    internal static AsymmetricAlgorithm Guard(AsymmetricAlgorithm key, Action import)
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

    internal static byte[] Export(AsymmetricAlgorithm key, char[]? passphrase, int iterations)
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
    internal static void Verify(byte[] written, AsymmetricAlgorithm original, char[]? passphrase, string path)
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
}
