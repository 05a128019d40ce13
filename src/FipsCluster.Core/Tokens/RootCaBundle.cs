using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace FipsCluster.Core.Tokens;

/// <summary>
/// A swarm root CA bundle as the bytes a join token's digest covers. swarmkit hashes the PEM bundle exactly
/// as the engine serves it (GET /swarm TLSInfo.TrustRoot, trailing newline included) — not the DER.
/// </summary>
public sealed class RootCaBundle
{
    private RootCaBundle(byte[] pemBytes, IReadOnlyList<X509Certificate2> certificates, string source)
    {
        PemBytes = pemBytes;
        Certificates = certificates;
        Source = source;
        var hash = SHA256.HashData(pemBytes);
        Digest = "sha256:" + Convert.ToHexString(hash).ToLowerInvariant();
        DigestText = Base36.Encode(hash, JoinTokenFormat.DigestLength);
    }

    /// <summary>The exact bytes the digest is computed over.</summary>
    public byte[] PemBytes { get; }

    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>Where the bundle came from (a path, "PEM text", "certificate", an engine endpoint).</summary>
    public string Source { get; }

    /// <summary><c>sha256:&lt;64 hex&gt;</c> of <see cref="PemBytes"/>.</summary>
    public string Digest { get; }

    /// <summary>The digest in the 50-character base-36 form a join token carries.</summary>
    public string DigestText { get; }

    public string PemText => Encoding.UTF8.GetString(PemBytes);

    /// <summary>Takes PEM text byte for byte (as the engine returned it).</summary>
    public static RootCaBundle FromPem(string pem, string source = "PEM text") => FromBytes(Encoding.UTF8.GetBytes(pem), source);

    /// <summary>
    /// Takes a file's bytes: PEM is kept byte for byte; a DER certificate is re-encoded the way the engine
    /// encodes PEM, since the engine never serves DER.
    /// </summary>
    public static RootCaBundle FromBytes(byte[] bytes, string source)
    {
        var certificates = ReadPemCertificates(bytes);
        if (certificates.Count > 0)
        {
            return new RootCaBundle(bytes, certificates, source);
        }
        X509Certificate2 der;
        try
        {
            der = new X509Certificate2(bytes);
        }
        catch (CryptographicException)
        {
            throw new FipsClusterException(ErrorIds.InvalidRootCertificate, FipsErrorCategory.InvalidData,
                $"The root certificate from {source} holds no PEM certificate and is not a DER certificate.", source);
        }
        return FromCertificates(new[] { der }, source);
    }

    public static RootCaBundle FromCertificates(IReadOnlyList<X509Certificate2> certificates, string source = "certificate")
    {
        if (certificates.Count == 0)
        {
            throw new FipsClusterException(ErrorIds.InvalidRootCertificate, FipsErrorCategory.InvalidArgument, "No root certificate was given.", source);
        }
        return new RootCaBundle(GoPem(certificates.Select(c => c.RawData)), certificates, source);
    }

    /// <summary>
    /// The same certificates re-encoded as the engine encodes them (Go's pem.Encode: 64-column base64, LF,
    /// trailing newline), or null when that is what the bundle already is.
    /// </summary>
    public RootCaBundle? Normalized()
    {
        var canonical = GoPem(Certificates.Select(c => c.RawData));
        return canonical.AsSpan().SequenceEqual(PemBytes) ? null : new RootCaBundle(canonical, Certificates, Source + " (normalized)");
    }

    private static byte[] GoPem(IEnumerable<byte[]> ders)
    {
        var text = new StringBuilder();
        foreach (var der in ders)
        {
            text.Append(PemEncoding.Write("CERTIFICATE", der)).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static List<X509Certificate2> ReadPemCertificates(byte[] bytes)
    {
        var result = new List<X509Certificate2>();
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return result;
        }
        var remaining = text.AsSpan();
        while (PemEncoding.TryFind(remaining, out var fields))
        {
            if (remaining[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                var der = Convert.FromBase64String(new string(remaining[fields.Base64Data]));
                try
                {
                    result.Add(new X509Certificate2(der));
                }
                catch (CryptographicException ex)
                {
                    throw new FipsClusterException(ErrorIds.InvalidRootCertificate, FipsErrorCategory.InvalidData,
                        "A CERTIFICATE block in the root certificate bundle could not be read: " + ex.Message, null, ex);
                }
            }
            remaining = remaining[fields.Location.End..];
        }
        return result;
    }
}
