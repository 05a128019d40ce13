using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>How a fact script's binary scan hands over the build-info blob (its "window") of each Go binary it finds.</summary>
public enum BuildInfoWindows
{
    /// <summary>Every window, base64 (local runs, and a node that must be judged on its own); the reader hashes what arrived.</summary>
    Send,

    /// <summary>Each window's SHA-256 first (<c>@@FC bh</c>), then only the windows the collector asks for on stdin (an SSH session).</summary>
    Ask,

    /// <summary>
    /// Each window's SHA-256 only, never the window (a node-check pod: nobody can answer it, and one node of the scan
    /// sends each distinct window); a node that cannot hash sends its window instead.
    /// </summary>
    Offer,
}

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
    internal const string Marker = "@@FC";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(FactScope, BuildInfoWindows), string> Scripts = new();

    /// <summary>The script that gathers every fact (rendered once).</summary>
    public static string Script => ScriptFor(FactScope.All);

    /// <summary>The script for a scope (rendered once each): a profile without NODE-GO-01 never scans a binary, one without PKI checks never lists a PKI directory.</summary>
    public static string ScriptFor(FactScope scope) => ScriptFor(scope, BuildInfoWindows.Send);

    /// <summary>
    /// The script for a scope whose binary scan handles the build-info windows as <paramref name="windows"/> says
    /// (see <see cref="BuildInfoWindows"/>); without a binary scan in the scope every mode is the same script.
    /// </summary>
    public static string ScriptFor(FactScope scope, BuildInfoWindows windows) =>
        Scripts.GetOrAdd((scope | FactScope.Os, scope.HasFlag(FactScope.Binaries) ? windows : BuildInfoWindows.Send), key => Render(key.Item1, key.Item2));

    /// <summary>The answer that asks for every window (when the question could not be read in time).</summary>
    public const string AskForAllWindows = "*\n\n";

    /// <summary>The line that asks for windows (the collector answers when it has read it).</summary>
    public static readonly byte[] AskLine = Encoding.ASCII.GetBytes("\n" + Marker + " ask\n");

    /// <summary>
    /// The windows a node offers before it asks: (offset, digest, path) of each "@@FC bh" line in <paramref name="output"/>,
    /// for catalogued component binaries only (a node names no other file to be read). A digest that is not 64 lower-case
    /// hex digits (no sha256sum on the node) is returned empty: that window is always asked for.
    /// </summary>
    public static IReadOnlyList<(long Offset, string Digest, string Path)> OfferedWindows(string output)
    {
        var offered = new List<(long, string, string)>();
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith(Marker + " bh ", StringComparison.Ordinal) && Offer(line[(Marker.Length + 4)..]) is { } offer && Catalogue.Contains(offer.Path))
            {
                offered.Add((offer.Offset, IsDigest(offer.Digest) ? offer.Digest : "", offer.Path));
            }
        }
        return offered;
    }

    private static readonly HashSet<string> Catalogue = new(LinuxFactCatalog.ComponentBinaries, StringComparer.Ordinal);

    /// <summary>The "offset digest path" of a "@@FC bh" line, as the script writes it; null for anything else.</summary>
    internal static (long Offset, string Digest, string Path)? Offer(string rest)
    {
        var parts = rest.Split(' ', 3);
        return parts.Length == 3 && ParseLong(parts[0]) is { } offset && offset > 1 ? (offset, parts[1], parts[2]) : null;
    }

    internal static bool IsDigest(string text) => text.Length == 64 && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static string Render(FactScope scope, BuildInfoWindows windows)
    {
        var s = new StringBuilder();
        s.Append("LC_ALL=C; export LC_ALL; set -f\n");
        s.Append("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH\n");
        s.Append("NL='\n'; P=''; S=''; A=''\n");
        // f <path>...: record state; readable files join P (contents later, all in one grep).
        // A file that is another one already read (openssl.cnf under /usr/lib/ssl links to /etc/ssl's) is sent as an alias
        // ("s", then the other path on the next line), not twice: no word splitting, so no globbing whatever set -f is.
        s.Append($"f() {{ for p; do if [ -f \"$p\" ]; then if [ -r \"$p\" ]; then case \"$NL$P$NL$A$NL\" in *\"$NL$p$NL\"*) ;; *) a=''; r=$P; "
            // test -ef is not POSIX but dash, bash, busybox and ksh have it; where it fails the file is simply sent again.
            + "while [ -n \"$r\" ]; do r=${r#\"$NL\"}; q=${r%%\"$NL\"*}; r=${r#\"$q\"}; [ -n \"$q\" ] && [ \"$p\" -ef \"$q\" ] 2>/dev/null && { a=$q; break; }; done; "
            + $"if [ -n \"$a\" ]; then echo \"{Marker} s $p\"; printf '%s\\n' \"$a\"; A=\"$A$NL$p\"; else echo \"{Marker} p $p\"; P=\"$P$NL$p\"; fi;; esac; else echo \"{Marker} u $p\"; fi; else echo \"{Marker} a $p\"; fi; done; }}\n");
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
        foreach (var file in LinuxFactCatalog.Files)
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
        RenderArtifacts(s, scope, windows);
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

    private static void RenderArtifacts(StringBuilder s, FactScope scope, BuildInfoWindows windows)
    {
        if (scope.HasFlag(FactScope.Binaries))
        {
            RenderBinaries(s, windows);
        }
        if (scope.HasFlag(FactScope.KubeEncryption))
        {
            RenderKubeEncryption(s);
        }
        if (scope.HasFlag(FactScope.Pki))
        {
            RenderPki(s);
        }
    }

    // bw <offset> <path>: the build-info blob by its real bounds — the 32-byte header and, in the inline form, the two
    // uvarint-prefixed strings after it (Go's debug/buildinfo layout) — so the same build sends and hashes the same
    // bytes everywhere. Where od is missing or the lengths do not parse, a fixed window is sent; the reader then
    // reads the strings from it or says they do not fit.
    internal static readonly string BuildInfoBlobFunction =
        $$"""
        bw() { ws=$(($1-2)); wp=$2; wn={{LinuxFactCatalog.BuildInfoFallbackWindow}}; wf=$(od -An -tu1 -j$((ws+15)) -N1 "$wp" 2>/dev/null); if [ -n "$wf" ]; then if [ $((wf & 2)) -eq 0 ]; then wn=32; else wk=$((ws+32)); wd=1; for _ in 1 2; do set -- $(od -An -tu1 -j$wk -N10 "$wp" 2>/dev/null); wv=0; wt=0; wu=0; wd=0; for wb; do wu=$((wu+1)); wv=$((wv | ((wb & 127) << wt))); wt=$((wt+7)); [ "$wb" -lt 128 ] && { wd=1; break; }; done; [ $wd -eq 1 ] || break; wk=$((wk+wu+wv)); done; [ $wd -eq 1 ] && [ $((wk-ws)) -le {{LinuxFactCatalog.BuildInfoLimit}} ] && wn=$((wk-ws)); fi; fi; tail -c +$((ws+1)) "$wp" | head -c $wn; }
        """;

    private static void RenderBinaries(StringBuilder s, BuildInfoWindows windows)
    {
        // Component binaries: one grep finds, in all of them, the .go.buildinfo header, the amd64 crypto sig markers
        // and _Cfunc__goboringcrypto_ names; only the buildinfo window is then sent, never the binary.
        s.Append(BuildInfoBlobFunction).Append('\n');
        s.Append("BIN=''; for b in");
        foreach (var binary in LinuxFactCatalog.ComponentBinaries)
        {
            s.Append(' ').Append(Quote(binary));
        }
        s.Append("; do [ -f \"$b\" ] && [ -r \"$b\" ] && BIN=\"$BIN$NL$b\"; done\n");
        s.Append($$"""
            if [ -n "$BIN" ]; then IFS=$NL; G=$(LC_ALL=C grep -obUaHP {{Quote(GoBinaryScanPattern)}} $BIN 2>/dev/null); unset IFS; echo '{{Marker}} bins'; printf '%s\n' "$G"

            """);
        if (windows == BuildInfoWindows.Offer)
        {
            // Digests only: another node sends each distinct window. A node that cannot hash sends its window instead.
            s.Append($$"""
                printf '%s\n' "$G" | while IFS= read -r l; do case $l in *':Go buildinf:') x=${l%:Go buildinf:}; o=${x##*:}; p=${x%:*}; h=$(bw $o "$p" | sha256sum 2>/dev/null); h=${h%% *}; if [ ${#h} -eq 64 ]; then echo "{{Marker}} bh $o $h $p"; else echo "{{Marker}} bi $o $p"; bw $o "$p" | base64; fi;; esac; done; fi

                """);
            return;
        }
        if (windows == BuildInfoWindows.Send)
        {
            s.Append($$"""
                printf '%s\n' "$G" | while IFS= read -r l; do case $l in *':Go buildinf:') x=${l%:Go buildinf:}; o=${x##*:}; p=${x%:*}; echo "{{Marker}} bi $o $p"; bw $o "$p" | base64;; esac; done; fi

                """);
            return;
        }
        // Digests first (one small line per window), then only the windows the collector has not seen in this run. The
        // node serves only windows it offered (an answer names nothing else to read).
        s.Append($$"""
            O=$(printf '%s\n' "$G" | while IFS= read -r l; do case $l in *':Go buildinf:') x=${l%:Go buildinf:}; o=${x##*:}; p=${x%:*}; h=$(bw $o "$p" | sha256sum 2>/dev/null); echo "{{Marker}} bh $o ${h%% *} $p";; esac; done); [ -n "$O" ] && printf '%s\n' "$O"
            echo '{{Marker}} ask'; while IFS= read -r q && [ -n "$q" ]; do [ "$q" = '*' ] && { printf '%s\n' "$O" | while read -r _ _ o h p; do [ -n "$p" ] || p=$h; [ -n "$p" ] && echo "{{Marker}} bi $o $p" && bw $o "$p" | base64; done; continue; }; case "$NL$O$NL" in *"$NL{{Marker}} bh ${q%% *} "*" ${q#* }$NL"*) o=${q%% *}; p=${q#* }; echo "{{Marker}} bi $o $p"; bw $o "$p" | base64;; esac; done; fi

            """);
    }

    private static void RenderKubeEncryption(StringBuilder s)
    {
        // Encryption at rest on a control plane: the config holds the keys, so only its structural lines are sent.
        s.Append(CultureInfo.InvariantCulture, $$"""
            KM={{Quote(KubeEncryptionAtRest.ApiServerManifest)}}; if [ -r "$KM" ]; then echo "{{Marker}} kenc $KM"; E=$(sed -n "s/.*--encryption-provider-config=\([^\"' ]*\).*/\1/p" "$KM" | head -n 1); echo "config $E"; if [ -n "$E" ]; then if [ -r "$E" ]; then grep -E {{Quote(KubeEncryptionAtRest.StructurePattern)}} "$E"; else echo unreadable; fi; fi; fi

            """);
    }

    private static void RenderPki(StringBuilder s)
    {
        // PKI: certificates are public (read whole); of key files only PEM labels and headers leave the node, and the
        // body only when it is encrypted — an unencrypted private key is never transferred.
        s.Append("KEYS=''; for d in");
        foreach (var dir in LinuxFactCatalog.PkiDirectories)
        {
            s.Append(' ').Append(Quote(dir));
        }
        s.Append("; do [ -d \"$d\" ] || continue; set +f; for x in \"$d\"/*.key \"$d\"/*.pem; do [ -f \"$x\" ] && KEYS=\"$KEYS$NL$x\"; done; for x in \"$d\"/*.crt; do [ -f \"$x\" ] && f \"$x\"; done; set -f; done\n");
        s.Append($$"""
            if [ -n "$KEYS" ]; then echo '{{Marker}} kstat'; IFS=$NL; stat -L -c '%a %U %n' $KEYS 2>/dev/null
            awk 'FNR==1 { print "{{Marker}} key " FILENAME } /^-----BEGIN ENCRYPTED PRIVATE KEY-----/ { e=1 } e { print; if ($0 ~ /^-----END/) e=0; next } /^-----(BEGIN|END) / || /^(Proc-Type|DEK-Info):/ { print }' $KEYS 2>/dev/null; unset IFS; fi

            """);
    }

    /// <summary>
    /// One PCRE for grep -obUaP over all binaries. Lookarounds keep every printed match ASCII: "Go buildinf:" (the
    /// header starts 2 bytes earlier), and for each 32-byte sig marker only its 31st byte — P (BoringCrypto),
    /// / (StandardCrypto), ESC (FIPSOnly); the marker starts 30 bytes earlier.
    /// </summary>
    internal const string GoBinaryScanPattern =
        @"(?<=\xff )Go buildinf:"
        + @"|(?<=\xeb\x1d\xf4\x48\xf4\x4b\xf4\xb3\x32\xf5\x28\x13\xa3\xb4\x50\xd4\x41\xcc\x24\x85\xf0\x01\x45\x4e\x92\x10\x1b\x1d\x2f\x19)\x50(?=\xc3)"
        + @"|(?<=\xeb\x1d\xf4\x48\xf4\x4b\xf4\xba\xee\x4d\xfa\x98\x51\xca\x56\xa9\x11\x45\xe8\x3e\x99\xc5\x9c\xf9\x11\xcb\x8e\x80\xda\xf1)\x2f(?=\xc3)"
        + @"|(?<=\xeb\x1d\xf4\x48\xf4\x4b\xf4\x36\x3c\xb9\xce\x9d\x68\x04\x7d\x31\xf2\x8d\x32\x5d\x5c\xa5\x87\x3f\x5d\x80\xca\xf6\xd6\x15)\x1b(?=\xc3)"
        + "|_Cfunc__goboringcrypto_";

    /// <summary>Single-quotes a string for sh.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Whether the output holds the script's end marker (a pod log is read while it is still being written).</summary>
    public static bool IsComplete(string output) => output.Contains("\n" + Marker + " end\n", StringComparison.Ordinal);

    private static readonly byte[] EndLine = Encoding.ASCII.GetBytes("\n" + Marker + " end\n");

    /// <summary>
    /// Whether the end marker lies in the last <paramref name="read"/> bytes of <paramref name="buffer"/>[..<paramref name="length"/>]
    /// (or straddles them): a log followed chunk by chunk is checked in constant time per chunk.
    /// </summary>
    public static bool EndsInChunk(byte[] buffer, int length, int read) => Remoting.NodeOutput.InLastChunk(buffer, length, read, EndLine);

    /// <summary>
    /// Parses the script's output into facts, in one pass (time linear in the output; the cancellation token is
    /// checked as it goes). Lines before the first section (login banners, shell noise) are ignored; a missing end
    /// marker means the output was cut short: the facts are then marked incomplete and can never prove compliance.
    /// A line the script never writes where it matters throws <see cref="ErrorIds.NodeFactsMalformed"/>: that node's
    /// facts cannot be judged, and no other exception escapes.
    /// </summary>
    public static NodeFacts Parse(string output, NodeTransport transport, string node = "node", CancellationToken cancellation = default) =>
        Parse(output, transport, node, knownWindow: null, cancellation);

    /// <summary>
    /// As <see cref="Parse(string, NodeTransport, string, CancellationToken)"/>, for output of the asking script: a window the
    /// node offered but did not send (the collector did not ask) comes from <paramref name="knownWindow"/> by its digest.
    /// Windows the node did send are in <see cref="NodeFacts.ReceivedWindows"/> with the digest it offered them under.
    /// </summary>
    public static NodeFacts Parse(string output, NodeTransport transport, string node, Func<string, byte[]?>? knownWindow, CancellationToken cancellation) =>
        ShellFactParser.Parse(output, transport, node, knownWindow, cancellation);

    internal static long? ParseLong(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
