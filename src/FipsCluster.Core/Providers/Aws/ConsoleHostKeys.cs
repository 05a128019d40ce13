using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>An SSH host public key: its type name and its wire-format blob (RFC 4253 §6.6).</summary>
public sealed record SshHostPublicKey(string KeyType, byte[] Blob)
{
    /// <summary>OpenSSH's fingerprint form: SHA256:unpadded base64 of the blob's SHA-256.</summary>
    public string Fingerprint => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Blob)).TrimEnd('=');
}

/// <summary>
/// The host keys an instance printed to its console at first boot — cloud-init's keys-to-console module writes its
/// public host keys between "-----BEGIN SSH HOST KEY KEYS-----" and "-----END SSH HOST KEY KEYS-----". Read through
/// the EC2 API (GetConsoleOutput, signed and over TLS), they prove which key a new instance will present, before
/// the first SSH connection: no trust on first use.
/// Console text is untidy: serial consoles wrap long lines (a key's base64 and its comment may be split or glued
/// across lines), kernel messages interleave, lines end in CRLF, and a rebooted instance prints the block again.
/// So the last complete block counts, and each key's extent is taken from its own wire structure, not from spacing.
/// </summary>
public static partial class ConsoleHostKeys
{
    private const string Begin = "-----BEGIN SSH HOST KEY KEYS-----";
    private const string End = "-----END SSH HOST KEY KEYS-----";

    /// <summary>How many SSH strings/mpints each key type's blob holds, the type name included.</summary>
    private static readonly Dictionary<string, int> FieldCounts = new(StringComparer.Ordinal)
    {
        ["ssh-rsa"] = 3, ["ecdsa-sha2-nistp256"] = 3, ["ecdsa-sha2-nistp384"] = 3, ["ecdsa-sha2-nistp521"] = 3, ["ssh-ed25519"] = 2, ["ssh-dss"] = 5,
    };

    /// <summary>The keys of the last complete block in <paramref name="console"/>; empty when there is none (yet).</summary>
    public static IReadOnlyList<SshHostPublicKey> Parse(string? console)
    {
        if (string.IsNullOrEmpty(console))
        {
            return Array.Empty<SshHostPublicKey>();
        }
        var end = console.LastIndexOf(End, StringComparison.Ordinal);
        var begin = end < 0 ? -1 : console.LastIndexOf(Begin, end, StringComparison.Ordinal);
        if (begin < 0)
        {
            return Array.Empty<SshHostPublicKey>();
        }
        // Kernel messages ("[  317.19] ...") may land between the lines; everything else is the keys, perhaps wrapped.
        var lines = console[(begin + Begin.Length)..end].Split('\n').Select(l => l.TrimEnd('\r')).Where(l => !KernelLine().IsMatch(l));
        var text = string.Join("\n", lines);
        var keys = new List<SshHostPublicKey>();
        foreach (Match start in KeyType().Matches(text))
        {
            var type = start.Groups[1].Value;
            // The base64 run, continued across wrapped lines; it may have swallowed the start of the comment.
            var run = new System.Text.StringBuilder();
            for (var i = start.Index + start.Length; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\n')
                {
                    continue;
                }
                if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
                {
                    break;
                }
                run.Append(c);
            }
            if (Blob(type, run.ToString()) is { } blob && !keys.Any(k => k.Blob.AsSpan().SequenceEqual(blob)))
            {
                keys.Add(new SshHostPublicKey(type, blob));
            }
        }
        return keys;
    }

    /// <summary>The shortest prefix of <paramref name="run"/> that decodes to a complete blob of <paramref name="type"/>.</summary>
    private static byte[]? Blob(string type, string run)
    {
        for (var length = 4; length <= run.Length; length += 4)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(run[..length]);
            }
            catch (FormatException)
            {
                return null; // padding in the middle: nothing longer decodes either
            }
            switch (Fields(bytes, type))
            {
                case true:
                    return bytes;
                case null:
                    return null;
            }
        }
        return null;
    }

    /// <summary>True: exactly the fields of <paramref name="type"/>; false: incomplete so far; null: not this key.</summary>
    private static bool? Fields(ReadOnlySpan<byte> bytes, string type)
    {
        var expected = FieldCounts.GetValueOrDefault(type, 0);
        var offset = 0;
        for (var field = 0; field < expected; field++)
        {
            if (bytes.Length - offset < 4)
            {
                return false;
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[offset..]);
            if (length > 16384)
            {
                return null;
            }
            if (bytes.Length - offset - 4 < length)
            {
                return false;
            }
            if (field == 0 && !bytes.Slice(offset + 4, (int)length).SequenceEqual(System.Text.Encoding.ASCII.GetBytes(type)))
            {
                return null;
            }
            offset += 4 + (int)length;
        }
        return expected > 0 && offset == bytes.Length ? true : expected > 0 && offset < bytes.Length ? null : false;
    }

    [GeneratedRegex(@"^\[\s*\d+\.\d+\]")]
    private static partial Regex KernelLine();

    [GeneratedRegex(@"(?<![\w-])(ssh-rsa|ssh-ed25519|ssh-dss|ecdsa-sha2-nistp(?:256|384|521))[ \t]+")]
    private static partial Regex KeyType();
}
