using System.Text;

namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>
/// The contents of a Go binary's build information (<c>runtime/debug.BuildInfo</c>): version, main package,
/// modules and build settings, parsed as <c>debug.ParseBuildInfo</c> does but leniently (a malformed line is
/// skipped and noted in <see cref="Problems"/>, it does not void the rest).
/// </summary>
public sealed class GoBuildInfo
{
    /// <summary>runtime.Version(), e.g. "go1.22.5 X:boringcrypto".</summary>
    public string GoVersion { get; init; } = "";

    /// <summary>The "path" line: the main package.</summary>
    public string? Path { get; init; }

    /// <summary>The "mod" line.</summary>
    public GoModule? Main { get; init; }

    public IReadOnlyList<GoModule> Deps { get; init; } = Array.Empty<GoModule>();

    /// <summary>The "build" lines, in order, keys and values unquoted.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>Lines that debug.ParseBuildInfo would reject.</summary>
    public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();

    /// <summary>Parses the modinfo text (sentinels already removed) — the format <c>go version -m</c> prints.</summary>
    public static GoBuildInfo Parse(string goVersion, string modInfo)
    {
        string? path = null;
        GoModule? main = null;
        var deps = new List<GoModule>();
        var settings = new List<KeyValuePair<string, string>>();
        var problems = new List<string>();
        // The module a "=>" line replaces: main (-1), a dep index, or none (-2).
        var last = -2;
        var rest = modInfo.AsSpan();
        while (rest.Length > 0)
        {
            var nl = rest.IndexOf('\n');
            if (nl < 0)
            {
                break; // as Go: an unterminated last line is ignored
            }
            var line = rest[..nl];
            rest = rest[(nl + 1)..];
            if (line.StartsWith("path\t"))
            {
                path = line[5..].ToString();
            }
            else if (line.StartsWith("mod\t"))
            {
                if (ReadModule(line[4..]) is { } m)
                {
                    main = m;
                    last = -1;
                }
                else
                {
                    problems.Add(Bounded(line));
                    last = -2;
                }
            }
            else if (line.StartsWith("dep\t"))
            {
                if (ReadModule(line[4..]) is { } m)
                {
                    deps.Add(m);
                    last = deps.Count - 1;
                }
                else
                {
                    problems.Add(Bounded(line));
                    last = -2;
                }
            }
            else if (line.StartsWith("=>\t"))
            {
                var elem = line[3..].ToString().Split('\t');
                if (elem.Length != 3 || last == -2)
                {
                    problems.Add(Bounded(line));
                }
                else
                {
                    var replacement = new GoModule(elem[0], elem[1], elem[2], null);
                    if (last == -1)
                    {
                        main = main! with { Replace = replacement };
                    }
                    else
                    {
                        deps[last] = deps[last] with { Replace = replacement };
                    }
                }
                last = -2;
            }
            else if (line.StartsWith("build\t"))
            {
                if (TryParseSetting(line[6..], out var key, out var value))
                {
                    settings.Add(new(key, value));
                }
                else
                {
                    problems.Add(Bounded(line));
                }
            }
        }
        return new GoBuildInfo { GoVersion = goVersion, Path = path, Main = main, Deps = deps, Settings = settings, Problems = problems };
    }

    private static GoModule? ReadModule(ReadOnlySpan<char> rest)
    {
        var elem = rest.ToString().Split('\t');
        return elem.Length is 2 or 3 ? new GoModule(elem[0], elem[1], elem.Length == 3 ? elem[2] : "", null) : null;
    }

    /// <summary>One "build" line after "build\t": KEY=VALUE where either side may be Go-quoted.</summary>
    internal static bool TryParseSetting(ReadOnlySpan<char> kv, out string key, out string value)
    {
        key = value = "";
        if (kv.Length == 0 || kv[0] == '=')
        {
            return false;
        }
        ReadOnlySpan<char> rawValue;
        if (kv[0] is '"' or '`')
        {
            var n = GoQuote.QuotedPrefixLength(kv);
            if (n <= 0 || n >= kv.Length || kv[n] != '=' || GoQuote.Unquote(kv[..n]) is not { } k)
            {
                return false;
            }
            key = k;
            rawValue = kv[(n + 1)..];
        }
        else
        {
            var eq = kv.IndexOf('=');
            if (eq < 0)
            {
                return false;
            }
            key = kv[..eq].ToString();
            rawValue = kv[(eq + 1)..];
        }
        if (rawValue.Length > 0 && rawValue[0] is '"' or '`')
        {
            if (GoQuote.Unquote(rawValue) is not { } v)
            {
                return false;
            }
            value = v;
        }
        else
        {
            value = rawValue.ToString();
        }
        return true;
    }

    private static string Bounded(ReadOnlySpan<char> line) => line.Length <= 200 ? line.ToString() : line[..200].ToString() + "…";
}

/// <summary>A module line: path, version, checksum, and its "=>" replacement.</summary>
public sealed record GoModule(string Path, string Version, string Sum, GoModule? Replace)
{
    /// <summary>"path@version", with " => path@version" (or " => ./dir") for a replacement.</summary>
    public override string ToString()
    {
        var self = Version.Length == 0 ? Path : Path + "@" + Version;
        return Replace is null ? self : self + " => " + (Replace.Version.Length == 0 ? Replace.Path : Replace.Path + "@" + Replace.Version);
    }
}

/// <summary>Go's strconv.QuotedPrefix/Unquote for the "build" lines of the modinfo.</summary>
internal static class GoQuote
{
    /// <summary>Length of the quoted string at the start of s (including quotes), or 0.</summary>
    public static int QuotedPrefixLength(ReadOnlySpan<char> s)
    {
        if (s.Length < 2)
        {
            return 0;
        }
        var q = s[0];
        if (q == '`')
        {
            var close = s[1..].IndexOf('`');
            return close < 0 ? 0 : close + 2;
        }
        if (q != '"')
        {
            return 0;
        }
        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\n')
            {
                return 0;
            }
            if (c == '\\')
            {
                i++;
                continue;
            }
            if (c == '"')
            {
                return Unquote(s[..(i + 1)]) is null ? 0 : i + 1;
            }
        }
        return 0;
    }

    /// <summary>strconv.Unquote for "…" and `…` strings; null when invalid.</summary>
    public static string? Unquote(ReadOnlySpan<char> s)
    {
        if (s.Length < 2 || s[0] != s[^1])
        {
            return null;
        }
        var body = s[1..^1];
        if (s[0] == '`')
        {
            return body.IndexOf('`') >= 0 ? null : body.ToString().Replace("\r", "", StringComparison.Ordinal);
        }
        if (s[0] != '"')
        {
            return null;
        }
        // \x and octal escapes are bytes; collect UTF-8 and decode once.
        var bytes = new List<byte>(body.Length);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '"' || c == '\n')
            {
                return null;
            }
            if (c != '\\')
            {
                if (char.IsHighSurrogate(c) && i + 1 < body.Length && char.IsLowSurrogate(body[i + 1]))
                {
                    AddRune(bytes, new Rune(c, body[i + 1]), utf8);
                    i++;
                }
                else
                {
                    AddRune(bytes, Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar, utf8);
                }
                continue;
            }
            if (++i >= body.Length)
            {
                return null;
            }
            switch (body[i])
            {
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'n': bytes.Add(10); break;
                case 'r': bytes.Add(13); break;
                case 't': bytes.Add(9); break;
                case 'v': bytes.Add(11); break;
                case '\\': bytes.Add((byte)'\\'); break;
                case '"': bytes.Add((byte)'"'); break;
                case 'x':
                    if (!TryHex(body.Slice(i + 1, Math.Min(2, body.Length - i - 1)), 2, out var x))
                    {
                        return null;
                    }
                    bytes.Add((byte)x);
                    i += 2;
                    break;
                case 'u':
                case 'U':
                    var digits = body[i] == 'u' ? 4 : 8;
                    if (!TryHex(body.Slice(i + 1, Math.Min(digits, body.Length - i - 1)), digits, out var r) || !Rune.IsValid((int)r))
                    {
                        return null;
                    }
                    AddRune(bytes, new Rune((int)r), utf8);
                    i += digits;
                    break;
                case >= '0' and <= '7':
                    if (i + 2 >= body.Length)
                    {
                        return null;
                    }
                    var v = 0;
                    for (var k = 0; k < 3; k++)
                    {
                        var d = body[i + k];
                        if (d is < '0' or > '7')
                        {
                            return null;
                        }
                        v = v * 8 + (d - '0');
                    }
                    if (v > 255)
                    {
                        return null;
                    }
                    bytes.Add((byte)v);
                    i += 2;
                    break;
                default:
                    return null;
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static void AddRune(List<byte> bytes, Rune rune, Span<byte> buffer)
    {
        var n = rune.EncodeToUtf8(buffer);
        for (var k = 0; k < n; k++)
        {
            bytes.Add(buffer[k]);
        }
    }

    private static bool TryHex(ReadOnlySpan<char> s, int digits, out uint value)
    {
        value = 0;
        if (s.Length != digits)
        {
            return false;
        }
        foreach (var c in s)
        {
            var d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0)
            {
                return false;
            }
            value = value * 16 + (uint)d;
        }
        return true;
    }
}
