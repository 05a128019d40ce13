using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Remoting;

/// <summary>The verdict on a presented host key.</summary>
public enum HostKeyVerdict
{
    Trusted,
    Unknown,
    Mismatch,
    Revoked,
}

/// <summary>
/// OpenSSH known_hosts (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): plain and hashed (|1|salt|hmac) host names,
/// [host]:port for non-default ports, patterns with * ? and !negation, and the @revoked marker.
/// @cert-authority lines are ignored (host certificates are not used here).
/// </summary>
public sealed partial class KnownHosts
{
    private readonly List<Entry> _entries;
    private readonly object _appendLock = new();

    private KnownHosts(string? path, List<Entry> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string? Path { get; }

    private sealed record Entry(string[] Patterns, bool Revoked, string KeyType, byte[] Key);

    public static KnownHosts Load(string path)
    {
        if (!File.Exists(path))
        {
            return new KnownHosts(path, new List<Entry>());
        }
        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FipsClusterException(ErrorIds.KnownHostsUnreadable, FipsErrorCategory.ReadError, $"The known_hosts file '{path}' could not be read: {ex.Message}", path, ex);
        }
    }

    public static KnownHosts Parse(string text, string? path = null)
    {
        var entries = new List<Entry>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var revoked = false;
            var index = 0;
            if (fields[0].StartsWith('@'))
            {
                // Only @revoked matters here; @cert-authority (host certificates) and any invalid marker are skipped, as OpenSSH skips them.
                if (fields[0] != "@revoked")
                {
                    continue;
                }
                revoked = true;
                index = 1;
            }
            if (fields.Length < index + 3)
            {
                continue;
            }
            byte[] key;
            try
            {
                key = Convert.FromBase64String(fields[index + 2]);
            }
            catch (FormatException)
            {
                continue;
            }
            entries.Add(new Entry(fields[index].Split(','), revoked, fields[index + 1], key));
        }
        return new KnownHosts(path, entries);
    }

    /// <summary>The name known_hosts uses for a host and port.</summary>
    public static string HostName(string host, int port) => port == 22 ? host : $"[{host}]:{port}";

    /// <summary>The key types recorded for a host (used to prefer them in negotiation, as OpenSSH does).</summary>
    public IReadOnlyList<string> KeyTypesFor(string host, int port)
    {
        var name = HostName(host, port);
        lock (_entries)
        {
            return _entries.Where(e => !e.Revoked && Matches(e.Patterns, name)).Select(e => e.KeyType).Distinct().ToList();
        }
    }

    public HostKeyVerdict Verify(string host, int port, byte[] keyBlob)
    {
        var name = HostName(host, port);
        List<Entry> matching;
        lock (_entries)
        {
            matching = _entries.Where(e => Matches(e.Patterns, name) || (e.Revoked && e.Patterns.Contains("*"))).ToList();
        }
        if (matching.Any(e => e.Revoked && e.Key.AsSpan().SequenceEqual(keyBlob)))
        {
            return HostKeyVerdict.Revoked;
        }
        var known = matching.Where(e => !e.Revoked).ToList();
        if (known.Count == 0)
        {
            return HostKeyVerdict.Unknown;
        }
        return known.Any(e => e.Key.AsSpan().SequenceEqual(keyBlob)) ? HostKeyVerdict.Trusted : HostKeyVerdict.Mismatch;
    }

    /// <summary>
    /// Records a newly trusted host key (accept-new) in memory and, when the set came from a file, appends it there.
    /// The line is built, and so checked, before anything changes (<see cref="Line"/>).
    /// </summary>
    public void Add(string host, int port, string keyType, byte[] keyBlob)
    {
        var line = Line(host, port, keyType, keyBlob);
        var entry = new Entry(new[] { HostName(host, port) }, false, keyType, keyBlob);
        lock (_entries)
        {
            _entries.Add(entry);
        }
        if (Path is null)
        {
            return;
        }
        lock (_appendLock)
        {
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
            File.AppendAllText(Path, line + "\n");
        }
    }

    /// <summary>
    /// The one place a known_hosts line is built: "host type base64" ([host]:port off port 22). Its own checks, whoever
    /// called: the host must be an IP address or DNS name in canonical text (<see cref="HostAddress"/>), the key type a
    /// plain algorithm name, the key present — so no text from a node, an API or a user can add a line or a pattern
    /// (a raw "::1%lo\n* ssh-ed25519 …" would have trusted that key for every host). Throws
    /// <see cref="ErrorIds.InvalidNodeTarget"/> for the host, <see cref="ErrorIds.SshConnectionFailed"/> for the key.
    /// </summary>
    public static string Line(string host, int port, string keyType, byte[] keyBlob)
    {
        if (!HostAddress.IsCanonical(host))
        {
            throw new FipsClusterException(ErrorIds.InvalidNodeTarget, FipsErrorCategory.SecurityError,
                $"'{HostAddress.Display(host)}' is not written to known_hosts: only an IP address or a DNS name in canonical form is.", HostAddress.Display(host));
        }
        if (port is < 1 or > 65535)
        {
            throw new FipsClusterException(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument, $"{port} is not a TCP port (1-65535).", port);
        }
        if (keyType is null || !KeyTypePattern().IsMatch(keyType) || keyBlob is not { Length: > 0 })
        {
            throw new FipsClusterException(ErrorIds.SshConnectionFailed, FipsErrorCategory.SecurityError,
                $"{HostName(host, port)} presented a host key of type '{HostAddress.Display(keyType)}' that known_hosts cannot hold; nothing was recorded.", HostName(host, port));
        }
        return $"{HostName(host, port)} {keyType} {Convert.ToBase64String(keyBlob)}";
    }

    /// <summary>SSH algorithm names (RFC 4251 §6): printable, no spaces or commas; e.g. ssh-ed25519, sk-ecdsa-sha2-nistp256@openssh.com.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9@._+-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex KeyTypePattern();

    /// <summary>
    /// Takes exactly these lines (as <see cref="Line"/> wrote them) out of the file, leaving every other line as it was;
    /// the file is replaced atomically and keeps its mode. Returns how many were removed.
    /// </summary>
    public static int RemoveLines(string path, IReadOnlyCollection<string> lines)
    {
        if (lines.Count == 0 || !File.Exists(path))
        {
            return 0;
        }
        var remove = lines.Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var text = File.ReadAllText(path);
        var kept = new List<string>();
        var removed = 0;
        foreach (var line in text.Split('\n'))
        {
            if (remove.Contains(line.Trim()))
            {
                removed++;
            }
            else
            {
                kept.Add(line);
            }
        }
        if (removed == 0)
        {
            return 0;
        }
        var temporary = path + ".fipscluster-" + Guid.NewGuid().ToString("N")[..8];
        File.WriteAllText(temporary, string.Join("\n", kept));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
        }
        File.Move(temporary, path, overwrite: true);
        return removed;
    }

    private static bool Matches(string[] patterns, string name)
    {
        var matched = false;
        foreach (var pattern in patterns)
        {
            if (pattern.StartsWith("|1|", StringComparison.Ordinal))
            {
                matched |= HashedMatches(pattern, name);
            }
            else if (pattern.StartsWith('!'))
            {
                if (Glob(pattern[1..], name))
                {
                    return false;
                }
            }
            else
            {
                matched |= Glob(pattern, name);
            }
        }
        return matched;
    }

    /// <summary>|1|base64(salt)|base64(HMAC-SHA1(salt, name)) — the format OpenSSH writes with HashKnownHosts.</summary>
    private static bool HashedMatches(string pattern, string name)
    {
        var parts = pattern.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }
        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            return CryptographicOperations.FixedTimeEquals(HMACSHA1.HashData(salt, Encoding.ASCII.GetBytes(name)), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Glob(string pattern, string name)
    {
        if (!pattern.Contains('*') && !pattern.Contains('?'))
        {
            return string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase);
        }
        var regex = "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(name, regex, System.Text.RegularExpressions.RegexOptions.IgnoreCase);
    }
}
