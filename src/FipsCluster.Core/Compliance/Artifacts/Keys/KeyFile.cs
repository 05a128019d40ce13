using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>
/// A private key file as found on disk: its storage format, PEM label and headers, and the DER inside. Holds key
/// material for unencrypted keys: dispose it to zero the buffers, and never print it.
/// </summary>
internal sealed class KeyFile : IDisposable
{
    private const long MaxFileSize = 1024 * 1024;

    private KeyFile(string path, PrivateKeyFormat format, PemBlock? pem, byte[] der)
    {
        Path = path;
        Format = format;
        Pem = pem;
        Der = der;
    }

    public string Path { get; }

    public PrivateKeyFormat Format { get; }

    /// <summary>The PEM block the key came from; null for a DER file.</summary>
    public PemBlock? Pem { get; }

    /// <summary>The DER (or, for OpenSSH, the binary) content. Key material when unencrypted.</summary>
    public byte[] Der { get; }

    public bool IsEncrypted => Format is PrivateKeyFormat.Pkcs8Encrypted or PrivateKeyFormat.LegacyPemEncrypted
        || (Format == PrivateKeyFormat.OpenSsh && OpenSshInfo.TryRead(Der) is { Encrypted: true });

    /// <summary>PEM headers other than the legacy encryption ones (e.g. swarmkit's kek-version, raft-dek).</summary>
    public IEnumerable<string> OtherHeaders => Pem?.Headers.Select(h => h.Key)
        .Where(k => !k.Equals("Proc-Type", StringComparison.OrdinalIgnoreCase) && !k.Equals("DEK-Info", StringComparison.OrdinalIgnoreCase))
        ?? Enumerable.Empty<string>();

    public void Dispose() => CryptographicOperations.ZeroMemory(Der);

    public static KeyFile Load(string path)
    {
        byte[] data;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FipsClusterException(ErrorIds.PrivateKeyFileNotFound, FipsErrorCategory.ObjectNotFound,
                    $"The private key file '{path}' does not exist.", path);
            }
            if (info.Length > MaxFileSize)
            {
                throw new FipsClusterException(ErrorIds.PrivateKeyFileInvalid, FipsErrorCategory.InvalidData,
                    $"'{path}' is {info.Length} bytes: too large for a private key file.", path);
            }
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new FipsClusterException(ErrorIds.PrivateKeyFileUnreadable,
                e is UnauthorizedAccessException ? FipsErrorCategory.PermissionDenied : FipsErrorCategory.ReadError,
                $"The private key file '{path}' could not be read: {e.Message}", path, e);
        }
        return FromContent(path, data);
    }

    /// <summary>
    /// A key from content read elsewhere — e.g. what a remote node sent: PEM labels and headers, with bodies only
    /// for encrypted keys. A block without a body has empty DER; the checks then judge what the labels show.
    /// </summary>
    public static KeyFile FromContent(string path, byte[] data)
    {
        try
        {
            if (PemBlocks.LooksLikePem(data))
            {
                var text = Encoding.UTF8.GetString(data);
                var blocks = PemBlocks.ReadAll(text);
                var block = blocks.FirstOrDefault(b => b.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal));
                foreach (var other in blocks.Where(b => !ReferenceEquals(b, block)))
                {
                    CryptographicOperations.ZeroMemory(other.Data);
                }
                if (block is null)
                {
                    throw Invalid(path, "holds no PEM private key block (BEGIN ... PRIVATE KEY)");
                }
                var format = block.IsLegacyEncrypted ? PrivateKeyFormat.LegacyPemEncrypted : block.Label switch
                {
                    "ENCRYPTED PRIVATE KEY" => PrivateKeyFormat.Pkcs8Encrypted,
                    "PRIVATE KEY" => PrivateKeyFormat.Pkcs8,
                    "RSA PRIVATE KEY" => PrivateKeyFormat.Pkcs1,
                    "EC PRIVATE KEY" => PrivateKeyFormat.Sec1,
                    "OPENSSH PRIVATE KEY" => PrivateKeyFormat.OpenSsh,
                    _ => PrivateKeyFormat.Unknown,
                };
                return new KeyFile(path, format, block, block.Data);
            }
            var der = ClassifyDer(data);
            if (der == PrivateKeyFormat.Unknown)
            {
                CryptographicOperations.ZeroMemory(data);
                throw Invalid(path, "is neither a PEM private key nor a DER PKCS#8, PKCS#1 or SEC 1 key");
            }
            return new KeyFile(path, der, null, data);
        }
        finally
        {
            // The raw file bytes are kept only as the DER of a DER file.
            if (PemBlocks.LooksLikePem(data))
            {
                CryptographicOperations.ZeroMemory(data);
            }
        }
    }

    private static FipsClusterException Invalid(string path, string what) =>
        new(ErrorIds.PrivateKeyFileInvalid, FipsErrorCategory.InvalidData, $"'{path}' {what}.", path);

    /// <summary>Tells PKCS#8 (plain or encrypted), PKCS#1 and SEC 1 apart by their ASN.1 shape.</summary>
    public static PrivateKeyFormat ClassifyDer(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER);
            var sequence = outer.ReadSequence();
            if (outer.HasData)
            {
                return PrivateKeyFormat.Unknown;
            }
            var first = sequence.PeekTag();
            if (first.HasSameClassAndValue(Asn1Tag.Sequence))
            {
                sequence.ReadSequence();
                return sequence.PeekTag().HasSameClassAndValue(Asn1Tag.PrimitiveOctetString) ? PrivateKeyFormat.Pkcs8Encrypted : PrivateKeyFormat.Unknown;
            }
            if (!first.HasSameClassAndValue(Asn1Tag.Integer))
            {
                return PrivateKeyFormat.Unknown;
            }
            sequence.TryReadInt32(out var version);
            var second = sequence.PeekTag();
            if (second.HasSameClassAndValue(Asn1Tag.Sequence))
            {
                return PrivateKeyFormat.Pkcs8;
            }
            if (second.HasSameClassAndValue(Asn1Tag.PrimitiveOctetString) && version == 1)
            {
                return PrivateKeyFormat.Sec1;
            }
            if (second.HasSameClassAndValue(Asn1Tag.Integer))
            {
                var integers = 1;
                while (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
                {
                    sequence.ReadEncodedValue();
                    integers++;
                }
                return integers == 9 ? PrivateKeyFormat.Pkcs1 : PrivateKeyFormat.Unknown;
            }
        }
        catch (AsnContentException)
        {
        }
        return PrivateKeyFormat.Unknown;
    }

    /// <summary>The algorithm and size of an unencrypted key, or null when it cannot be read.</summary>
    public KeyDescription? Describe()
    {
        try
        {
            switch (Format)
            {
                case PrivateKeyFormat.Pkcs8:
                    return DescribePkcs8(Der);
                case PrivateKeyFormat.Pkcs1:
                    return DescribePkcs1(Der);
                case PrivateKeyFormat.Sec1:
                    return DescribeSec1(Der, default);
                case PrivateKeyFormat.OpenSsh:
                    return OpenSshInfo.TryRead(Der)?.Key;
                case PrivateKeyFormat.Unknown when Pem?.Label == "DSA PRIVATE KEY":
                    return DescribeDsaTraditional(Der);
                case PrivateKeyFormat.LegacyPemEncrypted:
                case PrivateKeyFormat.Unknown:
                    return LabelAlgorithm(Pem?.Label) is { } name ? new KeyDescription(name, 0, null) : null;
                default:
                    return null;
            }
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>The algorithm a traditional PEM label names (RSA PRIVATE KEY → RSA).</summary>
    public static string? LabelAlgorithm(string? label) => label switch
    {
        "RSA PRIVATE KEY" => "RSA",
        "EC PRIVATE KEY" => "ECDSA",
        "DSA PRIVATE KEY" => "DSA",
        _ => null,
    };

    /// <summary>The algorithm OID of a PKCS#8 PrivateKeyInfo.</summary>
    public static string Pkcs8AlgorithmOid(byte[] der)
    {
        var info = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        info.ReadEncodedValue();
        return info.ReadSequence().ReadObjectIdentifier();
    }

    public static KeyDescription DescribePkcs8(byte[] der)
    {
        var info = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        info.ReadEncodedValue();
        var algorithm = info.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var parameters = algorithm.HasData ? algorithm.ReadEncodedValue() : ReadOnlyMemory<byte>.Empty;
        var privateKey = info.ReadOctetString();
        try
        {
            switch (oid)
            {
                case KeyAlgorithms.RsaOid:
                case KeyAlgorithms.RsaPssOid:
                    return DescribePkcs1(privateKey);
                case KeyAlgorithms.EcOid:
                    var isNull = parameters.IsEmpty || parameters.Span.SequenceEqual(new byte[] { 0x05, 0x00 });
                    return DescribeSec1(privateKey, isNull ? default : parameters);
                case KeyAlgorithms.DsaOid:
                    var p = new AsnReader(parameters, AsnEncodingRules.BER).ReadSequence().ReadIntegerBytes();
                    return new KeyDescription("DSA", KeyAlgorithms.BitLength(p.Span), null);
                default:
                    return KeyAlgorithms.DescribeOther(oid);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private static KeyDescription DescribePkcs1(byte[] der)
    {
        var key = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        key.ReadEncodedValue();
        return new KeyDescription("RSA", KeyAlgorithms.BitLength(key.ReadIntegerBytes().Span), null);
    }

    private static KeyDescription DescribeSec1(byte[] der, ReadOnlyMemory<byte> outerParameters)
    {
        // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, parameters [0] OPTIONAL, publicKey [1] OPTIONAL }
        var key = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        key.ReadEncodedValue();
        var scalarLength = key.ReadEncodedValue().Length - 2;
        var parameters = outerParameters;
        var context0 = new Asn1Tag(TagClass.ContextSpecific, 0, true);
        if (parameters.IsEmpty && key.HasData && key.PeekTag().HasSameClassAndValue(context0))
        {
            parameters = key.ReadSequence(context0).ReadEncodedValue();
        }
        return KeyAlgorithms.DescribeCurve(parameters.Span, Math.Max(scalarLength, 0) * 8);
    }

    private static KeyDescription DescribeDsaTraditional(byte[] der)
    {
        var key = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
        key.ReadEncodedValue();
        return new KeyDescription("DSA", KeyAlgorithms.BitLength(key.ReadIntegerBytes().Span), null);
    }
}

/// <summary>The public header of an OpenSSH private key (PROTOCOL.key): cipher, KDF and the public key, all readable without a passphrase.</summary>
internal sealed record OpenSshInfo(string Cipher, string Kdf, int? Rounds, int? SaltLength, KeyDescription? Key)
{
    public bool Encrypted => Cipher != "none";

    public static OpenSshInfo? TryRead(byte[] data)
    {
        var magic = "openssh-key-v1\0"u8;
        if (!data.AsSpan().StartsWith(magic))
        {
            return null;
        }
        try
        {
            ReadOnlySpan<byte> span = data.AsSpan(magic.Length);
            var cipher = Encoding.ASCII.GetString(ReadString(ref span));
            var kdf = Encoding.ASCII.GetString(ReadString(ref span));
            var kdfOptions = ReadString(ref span);
            int? rounds = null, saltLength = null;
            if (kdfOptions.Length > 0)
            {
                saltLength = ReadString(ref kdfOptions).Length;
                rounds = (int)BinaryPrimitives.ReadUInt32BigEndian(kdfOptions);
            }
            var keys = BinaryPrimitives.ReadUInt32BigEndian(span);
            span = span[4..];
            KeyDescription? key = null;
            if (keys >= 1)
            {
                var blob = ReadString(ref span);
                var type = Encoding.ASCII.GetString(ReadString(ref blob));
                key = type switch
                {
                    "ssh-rsa" => RsaFromBlob(blob),
                    "ssh-ed25519" => new KeyDescription("Ed25519", 256, null),
                    "ssh-ed448" => new KeyDescription("Ed448", 456, null),
                    "ecdsa-sha2-nistp256" => new KeyDescription("ECDSA", 256, "P-256"),
                    "ecdsa-sha2-nistp384" => new KeyDescription("ECDSA", 384, "P-384"),
                    "ecdsa-sha2-nistp521" => new KeyDescription("ECDSA", 521, "P-521"),
                    "ssh-dss" => new KeyDescription("DSA", 0, null),
                    _ => new KeyDescription(type, 0, null),
                };
            }
            return new OpenSshInfo(cipher, kdf, rounds, saltLength, key);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static KeyDescription RsaFromBlob(ReadOnlySpan<byte> blob)
    {
        ReadString(ref blob); // e
        return new KeyDescription("RSA", KeyAlgorithms.BitLength(ReadString(ref blob)), null);
    }

    private static ReadOnlySpan<byte> ReadString(ref ReadOnlySpan<byte> span)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(span);
        var value = span.Slice(4, length);
        span = span[(4 + length)..];
        return value;
    }
}
