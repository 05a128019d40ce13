using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// The one rule for what the module accepts as a host — from users, Kubernetes Node addresses, EC2, cluster records —
/// before it connects to it or writes it anywhere (known_hosts above all): an IP address or a DNS name, in canonical
/// text. Outside text is hostile: .NET parses "::1%lo\n* ssh-ed25519 AAAA…" as ::1 (the scope's junk ignored), so a
/// connection succeeds and the raw text, written to known_hosts, becomes a second line trusting a key for every host.
/// Here the text itself must be well formed; nothing is ignored.
/// </summary>
public static class HostAddress
{
    /// <summary>RFC 1035 §2.3.4 / RFC 1123 §2.1: at most 253 characters in text (255 octets on the wire), labels of 1-63.</summary>
    public const int MaxDnsNameLength = 253;

    private const int MaxLabelLength = 63;

    /// <summary>Linux interface names are at most 15 characters (IFNAMSIZ - 1); a numeric scope is an interface index.</summary>
    private const int MaxScopeLength = 15;

    /// <summary>
    /// The canonical text of <paramref name="text"/>: an IPv4 address in dotted decimal, an IPv6 address as .NET writes it
    /// (compressed, lower case; a scope only on a link-local address, as its interface index), or a DNS name in lower case
    /// without a trailing dot. Anything else is false, with the reason.
    /// </summary>
    public static bool TryCanonical([NotNullWhen(true)] string? text, [NotNullWhen(true)] out string? canonical, out string reason)
    {
        canonical = null;
        if (string.IsNullOrEmpty(text))
        {
            reason = "it is empty";
            return false;
        }
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TryIPv6(text, out canonical, out reason);
        }
        if (text.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            // RFC 1123 §2.1: a host name never has the form #.#.#.#, so digits and dots are an IPv4 address or nothing.
            return TryIPv4(text, out canonical, out reason);
        }
        return TryDnsName(text, out canonical, out reason);
    }

    /// <summary>The canonical text, or an <see cref="ErrorIds.InvalidNodeTarget"/> error naming <paramref name="source"/> (where the text came from).</summary>
    public static string Canonical(string? text, string? source = null) =>
        TryCanonical(text, out var canonical, out var reason) ? canonical : throw Invalid(text, reason, source);

    /// <summary>Whether <paramref name="text"/> is already a host in canonical text (what known_hosts may hold).</summary>
    public static bool IsCanonical([NotNullWhen(true)] string? text) => TryCanonical(text, out var canonical, out _) && string.Equals(canonical, text, StringComparison.Ordinal);

    /// <summary>Whether a canonical host is an IP address (not a DNS name).</summary>
    public static bool IsIpAddress(string canonical) => canonical.Contains(':', StringComparison.Ordinal) || canonical.All(c => char.IsAsciiDigit(c) || c == '.');

    /// <summary>
    /// Outside text as a message may quote it: control characters and non-ASCII escaped (a line break cannot start a new
    /// line in a log or a console), and at most 80 characters.
    /// </summary>
    public static string Display(string? text)
    {
        if (text is null)
        {
            return "(null)";
        }
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            if (builder.Length >= 80)
            {
                builder.Append('…');
                break;
            }
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < ' ' || c > '~' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return builder.ToString();
    }

    /// <summary>The error for a host that is neither an IP address nor a DNS name.</summary>
    public static FipsClusterException Invalid(string? text, string reason, string? source = null) =>
        new(ErrorIds.InvalidNodeTarget, FipsErrorCategory.InvalidArgument,
            $"{(source is null ? "" : source + ": ")}'{Display(text)}' is not a host: {reason}. A host is an IP address or a DNS name (letters, digits and hyphens in dot-separated labels).",
            Display(text));

    private static bool TryIPv4(string text, [NotNullWhen(true)] out string? canonical, out string reason)
    {
        canonical = null;
        var parts = text.Split('.');
        // Only dotted decimal: inet_aton's other forms ("127.1", "0x7f.1", "1") and leading zeros (octal to some parsers) are ambiguous.
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || (p.Length > 1 && p[0] == '0') || int.Parse(p, CultureInfo.InvariantCulture) > 255))
        {
            reason = "an IPv4 address is four decimal numbers 0-255 without leading zeros";
            return false;
        }
        canonical = text;
        reason = "";
        return true;
    }

    private static bool TryIPv6(string text, [NotNullWhen(true)] out string? canonical, out string reason)
    {
        canonical = null;
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        var address = percent < 0 ? text : text[..percent];
        var scope = percent < 0 ? null : text[(percent + 1)..];
        if (address.Length is 0 or > 45 || !address.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.'))
        {
            reason = "an IPv6 address has hexadecimal digits and colons only";
            return false;
        }
        if (!IPAddress.TryParse(address, out var parsed) || parsed.AddressFamily is not AddressFamily.InterNetworkV6)
        {
            reason = "it is not an IPv6 address";
            return false;
        }
        if (scope is not null)
        {
            if (!parsed.IsIPv6LinkLocal)
            {
                reason = "only a link-local address (fe80::/10) has a scope (%interface)";
                return false;
            }
            if (scope.Length is 0 or > MaxScopeLength || !scope.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                reason = "a scope is an interface name or index";
                return false;
            }
            if (!IPAddress.TryParse(address + "%" + scope, out var scoped) || scoped.ScopeId == 0)
            {
                reason = $"this machine has no interface '{scope}'";
                return false;
            }
            parsed = scoped;
        }
        canonical = parsed.ToString();
        reason = "";
        return true;
    }

    private static bool TryDnsName(string text, [NotNullWhen(true)] out string? canonical, out string reason)
    {
        canonical = null;
        var name = text.EndsWith('.') ? text[..^1] : text; // the root's dot adds nothing to a name SSH and TLS resolve
        if (name.Length is 0 or > MaxDnsNameLength)
        {
            reason = $"a DNS name has 1 to {MaxDnsNameLength} characters";
            return false;
        }
        var labels = name.Split('.');
        foreach (var label in labels)
        {
            if (label.Length is 0 or > MaxLabelLength)
            {
                reason = $"each label of a DNS name has 1 to {MaxLabelLength} characters";
                return false;
            }
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || label[0] == '-' || label[^1] == '-')
            {
                reason = "a DNS label has letters, digits and inner hyphens only (RFC 1123)";
                return false;
            }
        }
        if (labels[^1].All(char.IsAsciiDigit))
        {
            reason = "the last label of a DNS name is not all digits";
            return false;
        }
        canonical = name.ToLowerInvariant();
        reason = "";
        return true;
    }
}
