using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// Reads RFC 1421/1423 legacy encrypted PEM (Proc-Type: 4,ENCRYPTED + DEK-Info), which .NET does not import.
/// The key is OpenSSL's EVP_BytesToKey(MD5, salt = first 8 bytes of the IV, 1 iteration): D1 = MD5(pass || salt),
/// Dn = MD5(Dn-1 || pass || salt), concatenated to the cipher's key length; then CBC with PKCS#7 padding.
/// This is a composition of .NET's own MD5 and AES/3DES/DES (no primitive is implemented here), and it exists
/// ONLY to read legacy input so that it can be re-encrypted with PBES2. Nothing is ever written in this format.
/// </summary>
internal static class LegacyPemDecryptor
{
    private static readonly Dictionary<string, (int KeyLength, int BlockSize)> Ciphers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["AES-128-CBC"] = (16, 16),
        ["AES-192-CBC"] = (24, 16),
        ["AES-256-CBC"] = (32, 16),
        ["DES-EDE3-CBC"] = (24, 8),
        ["DES-CBC"] = (8, 8),
    };

    /// <summary>The decrypted DER. Throws CryptographicException when the passphrase is wrong (bad padding).</summary>
    /// <exception cref="NotSupportedException">The DEK-Info cipher is not one this reader knows, or MD5 is unavailable (FIPS host).</exception>
    public static byte[] Decrypt(PemBlock block, ReadOnlySpan<char> passphrase)
    {
        var dekInfo = block.Header("DEK-Info") ?? throw new NotSupportedException("the PEM block has Proc-Type ENCRYPTED but no DEK-Info header");
        var parts = dekInfo.Split(',', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !Ciphers.TryGetValue(parts[0], out var cipher))
        {
            throw new NotSupportedException($"DEK-Info cipher '{parts[0]}' is not supported (AES-128/192/256-CBC, DES-EDE3-CBC, DES-CBC are)");
        }
        byte[] iv;
        try
        {
            iv = Convert.FromHexString(parts[1]);
        }
        catch (FormatException)
        {
            throw new NotSupportedException("the DEK-Info IV is not hexadecimal");
        }
        if (iv.Length != cipher.BlockSize)
        {
            throw new NotSupportedException($"the DEK-Info IV is {iv.Length} bytes, {parts[0]} needs {cipher.BlockSize}");
        }

        var password = new byte[Encoding.UTF8.GetMaxByteCount(passphrase.Length)];
        var key = new byte[cipher.KeyLength];
        try
        {
            var passwordLength = Encoding.UTF8.GetBytes(passphrase, password);
            DeriveKey(password.AsSpan(0, passwordLength), iv.AsSpan(0, 8), key);
            using SymmetricAlgorithm algorithm = cipher.BlockSize == 16 ? Aes.Create() : cipher.KeyLength == 24 ? TripleDES.Create() : DES.Create();
            algorithm.Key = key;
            return algorithm.DecryptCbc(block.Data, iv, PaddingMode.PKCS7);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void DeriveKey(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Span<byte> key)
    {
        var buffer = new byte[MD5.HashSizeInBytes + password.Length + salt.Length];
        Span<byte> digest = stackalloc byte[MD5.HashSizeInBytes];
        try
        {
            var filled = 0;
            var first = true;
            while (filled < key.Length)
            {
                var offset = 0;
                if (!first)
                {
                    digest.CopyTo(buffer);
                    offset = digest.Length;
                }
                password.CopyTo(buffer.AsSpan(offset));
                salt.CopyTo(buffer.AsSpan(offset + password.Length));
                try
                {
                    MD5.HashData(buffer.AsSpan(0, offset + password.Length + salt.Length), digest);
                }
                catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
                {
                    throw new NotSupportedException("MD5, which legacy PEM encryption needs, is unavailable on this host (FIPS mode?); convert the key with openssl on a non-FIPS host", e);
                }
                var take = Math.Min(digest.Length, key.Length - filled);
                digest[..take].CopyTo(key[filled..]);
                filled += take;
                first = false;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            CryptographicOperations.ZeroMemory(digest);
        }
    }
}
