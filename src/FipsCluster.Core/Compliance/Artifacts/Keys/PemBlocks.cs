using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>One PEM block with its RFC 1421 headers (Proc-Type, DEK-Info, swarmkit's raft-dek…), which .NET's PemEncoding rejects.</summary>
internal sealed class PemBlock
{
    public PemBlock(string label, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] data)
    {
        Label = label;
        Headers = headers;
        Data = data;
    }

    public string Label { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The decoded content. May be key material: callers zero it when done.</summary>
    public byte[] Data { get; }

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Go's IsEncryptedPEMBlock looks at DEK-Info; OpenSSL at Proc-Type: 4,ENCRYPTED. Either marks legacy encryption.</summary>
    public bool IsLegacyEncrypted =>
        Header("DEK-Info") is not null || (Header("Proc-Type")?.Contains("ENCRYPTED", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>The DEK-Info cipher name without the IV, e.g. AES-256-CBC.</summary>
    public string? DekCipher => Header("DEK-Info") is { } dek ? dek.Split(',')[0].Trim().ToUpperInvariant() : null;

    public override string ToString() => $"-----BEGIN {Label}----- ({Data.Length} bytes)";
}

internal static class PemBlocks
{
    private const string Begin = "-----BEGIN ";
    private const string End = "-----END ";
    private const string Dashes = "-----";

    /// <summary>True when the bytes read as text containing a PEM BEGIN line.</summary>
    public static bool LooksLikePem(ReadOnlySpan<byte> data) => data.IndexOf("-----BEGIN "u8) >= 0;

    /// <summary>Every well-formed PEM block in the text, in order; malformed blocks are skipped.</summary>
    public static List<PemBlock> ReadAll(string text)
    {
        var blocks = new List<PemBlock>();
        var position = 0;
        while (true)
        {
            var begin = text.IndexOf(Begin, position, StringComparison.Ordinal);
            if (begin < 0)
            {
                break;
            }
            var labelStart = begin + Begin.Length;
            var labelEnd = text.IndexOf(Dashes, labelStart, StringComparison.Ordinal);
            if (labelEnd < 0)
            {
                break;
            }
            var label = text[labelStart..labelEnd];
            var endMarker = End + label + Dashes;
            var end = text.IndexOf(endMarker, labelEnd + Dashes.Length, StringComparison.Ordinal);
            if (end < 0 || label.Contains('\n'))
            {
                position = labelStart;
                continue;
            }
            var block = Parse(label, text[(labelEnd + Dashes.Length)..end]);
            if (block is not null)
            {
                blocks.Add(block);
            }
            position = end + endMarker.Length;
        }
        return blocks;
    }

    private static PemBlock? Parse(string label, string body)
    {
        var lines = body.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var headers = new List<KeyValuePair<string, string>>();
        var index = 0;
        while (index < lines.Length && lines[index].Trim().Length == 0)
        {
            index++;
        }
        // RFC 1421 headers: "Name: value" lines (with whitespace-led continuations) up to a blank line.
        if (index < lines.Length && lines[index].Contains(':'))
        {
            while (index < lines.Length && lines[index].Trim().Length > 0)
            {
                var line = lines[index];
                if ((line[0] == ' ' || line[0] == '\t') && headers.Count > 0)
                {
                    var last = headers[^1];
                    headers[^1] = new(last.Key, last.Value + line.Trim());
                }
                else
                {
                    var colon = line.IndexOf(':');
                    if (colon <= 0)
                    {
                        return null;
                    }
                    headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
                }
                index++;
            }
        }
        var base64 = new StringBuilder();
        for (; index < lines.Length; index++)
        {
            base64.Append(lines[index].Trim());
        }
        try
        {
            return new PemBlock(label, headers, Convert.FromBase64String(base64.ToString()));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
