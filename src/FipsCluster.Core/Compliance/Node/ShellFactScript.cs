using System.Globalization;
using System.Text;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// Gathers all facts of a live Linux node in one process: a POSIX sh script rendered from
/// <see cref="LinuxFactCatalog"/>, and the parser of its output. Over SSH this is the single exec per node.
/// The output is a sequence of sections, each a header line starting with <c>@@FC</c> followed by the
/// content in base64 (which never contains '@'), so any file content, including NULs, survives intact.
/// </summary>
public static class ShellFactScript
{
    private const string Marker = "@@FC";
    private const int MaxFileBytes = 256 * 1024;

    private static readonly Lazy<string> Rendered = new(Render);

    /// <summary>The script text (rendered once).</summary>
    public static string Script => Rendered.Value;

    private static string Render()
    {
        var s = new StringBuilder();
        s.Append("LC_ALL=C; export LC_ALL\n");
        s.Append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n");
        // f <path>: one file, bounded; state present/absent/unreadable.
        s.Append(CultureInfo.InvariantCulture, $"f() {{ if [ -f \"$1\" ]; then if [ -r \"$1\" ]; then echo \"{Marker} f present - - $1\"; head -c {MaxFileBytes} \"$1\" | base64; else echo \"{Marker} f unreadable - - $1\"; fi; else echo \"{Marker} f absent - - $1\"; fi; }}\n");
        // fs <path>: as f, with mtime and device (stat).
        s.Append(CultureInfo.InvariantCulture, $"fs() {{ if [ -f \"$1\" ] && [ -r \"$1\" ]; then echo \"{Marker} f present $(stat -L -c '%Y %d' \"$1\" 2>/dev/null || echo '- -') $1\"; head -c {MaxFileBytes} \"$1\" | base64; else f \"$1\"; fi; }}\n");
        s.Append(CultureInfo.InvariantCulture, $"d() {{ [ -d \"$1\" ] && echo \"{Marker} d $(stat -L -c '%d' \"$1\" 2>/dev/null || echo -) $1\"; }}\n");
        s.Append(CultureInfo.InvariantCulture, $"g() {{ [ -d \"$1\" ] || return 0; for x in \"$1\"/*\"$2\" \"$1\"/.*\"$2\"; do [ -f \"$x\" ] && f \"$x\"; done; }}\n");
        // e <path>: existence only (a module binary is evidence by presence; its bytes are not needed).
        s.Append(CultureInfo.InvariantCulture, $"e() {{ [ -f \"$1\" ] && echo \"{Marker} e $1\"; return 0; }}\n");
        s.Append(CultureInfo.InvariantCulture, $"l() {{ [ -e \"$1\" ] || [ -L \"$1\" ] || return 0; echo \"{Marker} l $1\"; readlink -f \"$1\" | base64; }}\n");
        s.Append(CultureInfo.InvariantCulture, $"c() {{ id=$1; p=$2; shift 2; if command -v \"$p\" >/dev/null 2>&1; then o=$(eval \"$*\" 2>&1 </dev/null); echo \"{Marker} c $? $id\"; printf '%s' \"$o\" | base64; else echo \"{Marker} c missing $id\"; fi; }}\n");
        // OpenSSL config: the distro files plus OPENSSLDIR and OPENSSL_CONF, each followed through .include.
        s.Append("inc() { sed -n 's/^[[:space:]]*\\.\\{0,1\\}include[[:space:]]*=\\{0,1\\}[[:space:]]*//p' \"$1\" 2>/dev/null; }\n");
        s.Append("cnf() { [ -f \"$1\" ] || { [ -d \"$1\" ] && for y in \"$1\"/*.cnf; do [ -f \"$y\" ] && cnf \"$y\" \"$2\"; done; return 0; }; case \" $seen \" in *\" $1 \"*) return 0;; esac; seen=\"$seen $1\"; f \"$1\"; [ \"$2\" -lt 4 ] || return 0; for i in $(inc \"$1\"); do case $i in /*) cnf \"$i\" $(($2+1));; *) cnf \"$(dirname \"$1\")/$i\" $(($2+1));; esac; done; }\n");
        s.Append("seen=''\n");

        foreach (var file in LinuxFactCatalog.Files.Except(LinuxFactCatalog.StatFiles))
        {
            s.Append("f ").Append(Quote(file)).Append('\n');
        }
        foreach (var file in LinuxFactCatalog.StatFiles)
        {
            s.Append("fs ").Append(Quote(file)).Append('\n');
        }
        foreach (var dir in LinuxFactCatalog.StatDirectories.Concat(LinuxFactCatalog.Directories).Distinct())
        {
            s.Append("d ").Append(Quote(dir)).Append('\n');
        }
        foreach (var glob in LinuxFactCatalog.Globs)
        {
            s.Append("g ").Append(Quote(glob.Directory)).Append(' ').Append(Quote(glob.Suffix)).Append('\n');
        }
        foreach (var name in LinuxFactCatalog.CryptoPolicyBackEndNames)
        {
            var path = $"{LinuxFactCatalog.CryptoPolicyBackEnds}/{name}.config";
            s.Append("l ").Append(Quote(path)).Append('\n');
        }
        s.Append("f ").Append(Quote(LinuxFactCatalog.CryptoPolicyBackEnds + "/nss.config")).Append('\n');
        foreach (var dir in LinuxFactCatalog.OpenSslModuleDirs)
        {
            s.Append("e ").Append(Quote(dir + "/fips.so")).Append('\n');
        }
        foreach (var cnf in LinuxFactCatalog.OpenSslConfigs)
        {
            s.Append("cnf ").Append(Quote(cnf)).Append(" 0\n");
        }
        s.Append("if command -v openssl >/dev/null 2>&1; then od=$(openssl version -d 2>/dev/null | sed -n 's/^OPENSSLDIR: \"\\(.*\\)\"$/\\1/p'); [ -n \"$od\" ] && cnf \"$od/openssl.cnf\" 0;\n");
        s.Append(CultureInfo.InvariantCulture, $"  md=$(openssl version -m 2>/dev/null | sed -n 's/^MODULESDIR: \"\\(.*\\)\"$/\\1/p'); [ -n \"$md\" ] && e \"$md/fips.so\"; fi\n");
        s.Append("[ -n \"${OPENSSL_CONF:-}\" ] && cnf \"$OPENSSL_CONF\" 0\n");
        foreach (var command in LinuxFactCatalog.Commands)
        {
            s.Append("c ").Append(command.Id).Append(' ').Append(command.Probe).Append(' ').Append(Quote(command.ShellText)).Append('\n');
        }
        s.Append("echo '").Append(Marker).Append(" end'\n");
        return s.ToString();
    }

    /// <summary>Single-quotes a string for sh.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Parses the script's output into facts. Lines before the first section (login banners, shell noise) are
    /// ignored; a missing end marker means the output was cut short, which is recorded as a collection error.
    /// </summary>
    public static NodeFacts Parse(string output, NodeTransport transport)
    {
        var facts = new NodeFacts(transport, offline: false);
        string? header = null;
        var body = new StringBuilder();
        var ended = false;
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.StartsWith(Marker + " ", StringComparison.Ordinal))
            {
                if (header is not null)
                {
                    Apply(facts, header, body.ToString());
                }
                header = line[(Marker.Length + 1)..];
                body.Clear();
                if (header == "end")
                {
                    ended = true;
                    header = null;
                }
            }
            else if (header is not null)
            {
                body.Append(line);
            }
        }
        if (header is not null)
        {
            Apply(facts, header, body.ToString());
        }
        if (!ended)
        {
            facts.Complete = false;
            facts.CollectionErrors.Add("The fact-gathering script's output ended early; some facts are missing.");
        }
        NormalizePackages(facts);
        return facts;
    }

    private static void Apply(NodeFacts facts, string header, string base64)
    {
        var bytes = Decode(base64);
        switch (header[0])
        {
            case 'f':
            {
                // f <state> <mtime> <dev> <path>
                var parts = header.Split(' ', 5);
                if (parts.Length < 5)
                {
                    return;
                }
                var state = parts[1] switch
                {
                    "present" => FileFactState.Present,
                    "unreadable" => FileFactState.Unreadable,
                    _ => FileFactState.Absent,
                };
                facts.AddFile(new FileFact(parts[4], state, bytes, ParseLong(parts[2]), ParseLong(parts[3])));
                if (state is FileFactState.Unreadable)
                {
                    facts.CollectionErrors.Add($"{parts[4]} is not readable by the probing user.");
                }
                break;
            }
            case 'd':
            {
                var parts = header.Split(' ', 3);
                if (parts.Length == 3)
                {
                    facts.AddDirectory(parts[2], ParseLong(parts[1]));
                }
                break;
            }
            case 'e':
                facts.AddFile(new FileFact(header[2..], FileFactState.Present, Array.Empty<byte>()));
                break;
            case 'l':
                facts.AddLink(header[2..], Encoding.UTF8.GetString(bytes).TrimEnd('\n'));
                break;
            case 'c':
            {
                var parts = header.Split(' ', 3);
                if (parts.Length < 3)
                {
                    return;
                }
                var available = parts[1] != "missing";
                var exit = available && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rc) ? rc : -1;
                facts.AddCommand(new CommandFact(parts[2], available, exit, Encoding.UTF8.GetString(bytes)));
                break;
            }
        }
    }

    /// <summary>Turns dpkg-query / rpm output into the package facts the checks read.</summary>
    internal static void NormalizePackages(NodeFacts facts)
    {
        foreach (var id in new[] { "dpkg", "rpm" })
        {
            if (facts.Command(id) is not { Available: true } command)
            {
                continue;
            }
            facts.PackagesKnown = true;
            foreach (var line in command.Output.Split('\n'))
            {
                var parts = line.Trim().Split(' ');
                if (parts.Length >= 3 && parts[2] == "installed")
                {
                    facts.AddPackage(parts[0], parts[1]);
                }
            }
        }
    }

    private static byte[] Decode(string base64)
    {
        if (base64.Length == 0)
        {
            return Array.Empty<byte>();
        }
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return Array.Empty<byte>();
        }
    }

    private static long? ParseLong(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
