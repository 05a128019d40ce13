using System.Globalization;
using System.Text;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// Gathers all facts of a live Linux node in one process tree: a POSIX sh script rendered from
/// <see cref="LinuxFactCatalog"/>, and the parser of its output. Over SSH this is the single exec per node.
/// On a fleet the node's CPU is the limit, so the script forks as little as it can: existence tests, globs,
/// .include chasing and the environment use shell builtins; every file's content comes from one
/// <c>grep -aH ''</c>, every mtime from one <c>stat</c>, every link from one <c>find</c>; commands run once each.
/// Output sections start with a line <c>@@FC &lt;kind&gt; …</c>; the content lines that follow are raw.
/// </summary>
public static class ShellFactScript
{
    private const string Marker = "@@FC";

    private static readonly Lazy<string> Rendered = new(Render);

    /// <summary>The script text (rendered once).</summary>
    public static string Script => Rendered.Value;

    private static string Render()
    {
        var s = new StringBuilder();
        s.Append("LC_ALL=C; export LC_ALL; set -f\n");
        s.Append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n");
        s.Append("NL='\n'; P=''; S=''\n");
        // f <path>...: record state; readable files join P (contents later, all in one grep).
        s.Append(CultureInfo.InvariantCulture, $"f() {{ for p; do if [ -f \"$p\" ]; then if [ -r \"$p\" ]; then case \"$NL$P$NL\" in *\"$NL$p$NL\"*) ;; *) echo \"{Marker} p $p\"; P=\"$P$NL$p\";; esac; else echo \"{Marker} u $p\"; fi; else echo \"{Marker} a $p\"; fi; done; }}\n");
        // e <path>: existence only (a module binary is evidence by presence; its bytes are not needed).
        s.Append(CultureInfo.InvariantCulture, $"e() {{ [ -f \"$1\" ] && echo \"{Marker} e $1\"; return 0; }}\n");
        s.Append(CultureInfo.InvariantCulture, $"d() {{ [ -d \"$1\" ] && {{ echo \"{Marker} d $1\"; S=\"$S$NL$1\"; }}; return 0; }}\n");
        s.Append("g() { [ -d \"$1\" ] || return 0; set +f; for x in \"$1\"/*\"$2\" \"$1\"/.*\"$2\"; do [ -f \"$x\" ] && f \"$x\"; done; set -f; }\n");
        // cnf <file> <depth>: an OpenSSL config and, recursively, what it .includes (a directory: its *.cnf).
        s.Append("cnf() { if [ -d \"$1\" ]; then set +f; for y in \"$1\"/*.cnf; do [ -f \"$y\" ] && cnf \"$y\" \"$2\"; done; set -f; return 0; fi; [ -f \"$1\" ] || return 0; "
            + "case \"$NL$P$NL\" in *\"$NL$1$NL\"*) return 0;; esac; f \"$1\"; [ -r \"$1\" ] && [ \"$2\" -lt 4 ] || return 0; "
            + "while IFS= read -r l || [ -n \"$l\" ]; do l=${l#\"${l%%[![:space:]]*}\"}; case $l in .include*|include*) i=${l#.}; i=${i#include}; "
            + "i=${i#\"${i%%[![:space:]=]*}\"}; i=${i%\"${i##*[![:space:]]}\"}; i=${i#\\\"}; i=${i%\\\"}; [ -n \"$i\" ] || continue; "
            + "case $i in /*) cnf \"$i\" $(($2+1));; *) cnf \"${1%/*}/$i\" $(($2+1));; esac;; esac; done < \"$1\"; }\n");
        // c <id> <probe> <command>: raw output, then the exit code; cm when the command is not installed.
        s.Append(CultureInfo.InvariantCulture, $"c() {{ if command -v \"$2\" >/dev/null 2>&1; then echo \"{Marker} c $1\"; eval \"$3\" 2>&1 </dev/null; r=$?; echo; echo \"{Marker} rc $r $1\"; else echo \"{Marker} cm $1\"; fi; }}\n");

        s.Append("f");
        foreach (var file in LinuxFactCatalog.Files.Concat(new[] { LinuxFactCatalog.CryptoPolicyBackEnds + "/nss.config" }))
        {
            s.Append(' ').Append(Quote(file));
        }
        s.Append('\n');
        foreach (var dir in LinuxFactCatalog.StatDirectories.Concat(LinuxFactCatalog.Directories).Distinct())
        {
            s.Append("d ").Append(Quote(dir)).Append('\n');
        }
        foreach (var glob in LinuxFactCatalog.Globs)
        {
            s.Append("g ").Append(Quote(glob.Directory)).Append(' ').Append(Quote(glob.Suffix)).Append('\n');
        }
        foreach (var dir in LinuxFactCatalog.OpenSslModuleDirs)
        {
            s.Append("e ").Append(Quote(dir + "/fips.so")).Append('\n');
        }
        foreach (var cnf in LinuxFactCatalog.OpenSslConfigs)
        {
            s.Append("cnf ").Append(Quote(cnf)).Append(" 0\n");
        }
        s.Append("[ -n \"${OPENSSL_CONF:-}\" ] && cnf \"$OPENSSL_CONF\" 0\n");
        foreach (var command in LinuxFactCatalog.Commands)
        {
            s.Append("c ").Append(command.Id).Append(' ').Append(command.Probe).Append(' ').Append(Quote(command.ShellText)).Append('\n');
        }
        // `openssl version -a` once: its output is a fact, and its OPENSSLDIR and MODULESDIR lead to the
        // openssl.cnf and fips.so of a non-distribution build.
        s.Append($$"""
            if command -v openssl >/dev/null 2>&1; then v=$(openssl version -a 2>&1); r=$?; echo '{{Marker}} c {{LinuxFactCatalog.OpenSslVersionCommand}}'; printf '%s\n\n' "$v"; echo "{{Marker}} rc $r {{LinuxFactCatalog.OpenSslVersionCommand}}"
            while IFS= read -r l; do case $l in OPENSSLDIR:*) o=${l#*\"}; cnf "${o%\"}/openssl.cnf" 0;; MODULESDIR:*) m=${l#*\"}; e "${m%\"}/fips.so";; esac; done <<EOV
            $v
            EOV
            else echo '{{Marker}} cm {{LinuxFactCatalog.OpenSslVersionCommand}}'; fi

            """);
        // One process each for all mtimes/devices, all crypto-policy links and all file contents.
        s.Append(CultureInfo.InvariantCulture, $"echo '{Marker} stat'; IFS=$NL; stat -L -c '%Y %d %n'");
        foreach (var file in LinuxFactCatalog.StatFiles)
        {
            s.Append(' ').Append(Quote(file));
        }
        s.Append(" $S 2>/dev/null; unset IFS\n");
        s.Append(CultureInfo.InvariantCulture, $"[ -d {Quote(LinuxFactCatalog.CryptoPolicyBackEnds)} ] && {{ echo '{Marker} links'; find {Quote(LinuxFactCatalog.CryptoPolicyBackEnds)} -maxdepth 1 -type l -printf '%p\\t%l\\n' 2>/dev/null; }}\n");
        s.Append(CultureInfo.InvariantCulture, $"echo '{Marker} grep'; if [ -n \"$P\" ]; then IFS=$NL; grep -aH '' $P 2>/dev/null; unset IFS; fi\n");
        s.Append("echo '").Append(Marker).Append(" end'\n");
        return s.ToString();
    }

    /// <summary>Single-quotes a string for sh.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Parses the script's output into facts. Lines before the first section (login banners, shell noise) are
    /// ignored; a missing end marker means the output was cut short: the facts are then marked incomplete and
    /// can never prove compliance.
    /// </summary>
    public static NodeFacts Parse(string output, NodeTransport transport)
    {
        var facts = new NodeFacts(transport, offline: false);
        var present = new List<string>();
        var contents = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        var stats = new Dictionary<string, (long? Mtime, long? Device)>(StringComparer.Ordinal);
        var section = "";
        string? commandId = null;
        var commandOutput = new StringBuilder();
        var ended = false;
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            if (line.StartsWith(Marker + " ", StringComparison.Ordinal))
            {
                var header = line[(Marker.Length + 1)..];
                var space = header.IndexOf(' ', StringComparison.Ordinal);
                var kind = space < 0 ? header : header[..space];
                var rest = space < 0 ? "" : header[(space + 1)..];
                section = kind;
                switch (kind)
                {
                    case "p":
                        present.Add(rest);
                        contents[rest] = new StringBuilder();
                        break;
                    case "u":
                        facts.AddFile(new FileFact(rest, FileFactState.Unreadable, Array.Empty<byte>()));
                        break;
                    case "a":
                        facts.AddFile(new FileFact(rest, FileFactState.Absent, Array.Empty<byte>()));
                        break;
                    case "e":
                        facts.AddFile(new FileFact(rest, FileFactState.Present, Array.Empty<byte>()));
                        break;
                    case "d":
                        facts.AddDirectory(rest);
                        break;
                    case "c":
                        commandId = rest;
                        commandOutput.Clear();
                        break;
                    case "rc" when commandId is not null:
                    {
                        var parts = rest.Split(' ', 2);
                        var code = int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rc) ? rc : -1;
                        // The script adds one newline after the output so the marker starts a line.
                        var text = commandOutput.ToString();
                        facts.AddCommand(new CommandFact(commandId, true, code, text.EndsWith('\n') ? text[..^1] : text));
                        commandId = null;
                        break;
                    }
                    case "cm":
                        facts.AddCommand(new CommandFact(rest, false, -1, ""));
                        break;
                    case "end":
                        ended = true;
                        break;
                }
                continue;
            }
            switch (section)
            {
                case "c" when commandId is not null:
                    commandOutput.Append(line).Append('\n');
                    break;
                case "stat":
                {
                    var parts = line.Split(' ', 3);
                    if (parts.Length == 3)
                    {
                        stats[parts[2]] = (ParseLong(parts[0]), ParseLong(parts[1]));
                    }
                    break;
                }
                case "links":
                {
                    var tab = line.IndexOf('\t', StringComparison.Ordinal);
                    if (tab > 0)
                    {
                        var path = line[..tab];
                        var target = line[(tab + 1)..];
                        facts.AddLink(path, target.StartsWith('/') ? target : NormalizePath(path[..path.LastIndexOf('/')] + "/" + target));
                    }
                    break;
                }
                case "grep":
                    AppendGrepLine(line, present, contents);
                    break;
            }
        }
        foreach (var path in present)
        {
            var (mtime, device) = stats.TryGetValue(path, out var stat) ? stat : (null, null);
            facts.AddFile(new FileFact(path, FileFactState.Present, Encoding.UTF8.GetBytes(contents[path].ToString()), mtime, device));
        }
        foreach (var (path, stat) in stats)
        {
            if (facts.DirectoryExists(path))
            {
                facts.AddDirectory(path, stat.Device);
            }
        }
        if (!ended)
        {
            facts.Complete = false;
            facts.CollectionErrors.Add("The fact-gathering script's output ended early; some facts are missing.");
        }
        NormalizePackages(facts);
        return facts;
    }

    /// <summary>A grep -H line is "path:content"; the path is the longest present file that prefixes it.</summary>
    private static void AppendGrepLine(string line, List<string> present, Dictionary<string, StringBuilder> contents)
    {
        string? owner = null;
        foreach (var path in present)
        {
            if (line.Length > path.Length && line[path.Length] == ':' && line.StartsWith(path, StringComparison.Ordinal) && (owner is null || path.Length > owner.Length))
            {
                owner = path;
            }
        }
        if (owner is not null)
        {
            contents[owner].Append(line, owner.Length + 1, line.Length - owner.Length - 1).Append('\n');
        }
    }

    private static string NormalizePath(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }
        return "/" + string.Join('/', parts);
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

    private static long? ParseLong(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
