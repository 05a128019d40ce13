using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Tests.Artifacts.Keys;

/// <summary>
/// Writes a key the way swarmkit's ca/pkcs8 does (fork of youmark/pkcs8): PBES2, PBKDF2-HMAC-SHA1 with the PRF left
/// out (the default), 2048 iterations, an 8-byte salt, AES-256-CBC. .NET's exporter always uses a 16-byte salt, and
/// OpenSSL 3.2+ does too, so the EncryptedPrivateKeyInfo is assembled here from .NET's PBKDF2 and AES (test code only).
/// </summary>
internal static class SwarmkitKey
{
    public static string Pem(AsymmetricAlgorithm key, string passphrase, params (string Name, string Value)[] headers)
    {
        var plain = key.ExportPkcs8PrivateKey();
        var salt = RandomNumberGenerator.GetBytes(8);
        var iv = RandomNumberGenerator.GetBytes(16);
        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, 2048, HashAlgorithmName.SHA1, 32);
        using var aes = Aes.Create();
        aes.Key = derived;
        var ciphertext = aes.EncryptCbc(plain, iv, PaddingMode.PKCS7);

        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteObjectIdentifier("1.2.840.113549.1.5.13");
                using (writer.PushSequence())
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("1.2.840.113549.1.5.12");
                        using (writer.PushSequence())
                        {
                            writer.WriteOctetString(salt);
                            writer.WriteInteger(2048);
                        }
                    }
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("2.16.840.1.101.3.4.1.42");
                        writer.WriteOctetString(iv);
                    }
                }
            }
            writer.WriteOctetString(ciphertext);
        }
        var pem = PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", writer.Encode());
        if (headers.Length == 0)
        {
            return pem + "\n";
        }
        var lines = pem.Split('\n').ToList();
        lines.InsertRange(1, headers.Select(h => $"{h.Name}: {h.Value}").Append(""));
        return string.Join('\n', lines) + "\n";
    }
}
