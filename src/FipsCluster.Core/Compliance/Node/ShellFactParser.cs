using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using static FipsCluster.Core.Compliance.Node.ShellFactScript;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// Reads the output of <see cref="ShellFactScript"/> into <see cref="NodeFacts"/>: its sections (files, stats, links,
/// commands, the binary scan and its build-info windows), in one pass.
/// </summary>
internal static class ShellFactParser
{
    /// <summary>See <see cref="ShellFactScript.Parse(string, NodeTransport, string, Func{string, byte[]}, CancellationToken)"/>.</summary>
    internal static NodeFacts Parse(string output, NodeTransport transport, string node, Func<string, byte[]?>? knownWindow, CancellationToken cancellation)
    {
        var offered = new List<(long Offset, string Digest, string Path)>();
        var aliases = new List<(string Path, string Same)>();
        string? aliasPath = null;
        var facts = new NodeFacts(transport, offline: false);
        var present = new GrepOwners();
        var stats = new Dictionary<string, (long? Mtime, long? Device)>(StringComparer.Ordinal);
        var section = "";
        string? commandId = null;
        var commandOutput = new StringBuilder();
        var ended = false;
        var binaryLines = new List<string>();
        var buildInfos = new Dictionary<string, List<(long Offset, byte[] Bytes)>>(StringComparer.Ordinal);
        long buildInfoOffset = 0;
        string? buildInfoPath = null;
        var buildInfo = new StringBuilder();
        string? keyPath = null;
        var keySkeletons = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        string? kencManifest = null;
        var kencLines = new List<string>();
        var keyModes = new Dictionary<string, (string Mode, string Owner)>(StringComparer.Ordinal);
        void FlushBuildInfo()
        {
            if (buildInfoPath is not null)
            {
                if (!buildInfos.TryGetValue(buildInfoPath, out var list))
                {
                    buildInfos[buildInfoPath] = list = new List<(long, byte[])>();
                }
                list.Add((buildInfoOffset, Decode(buildInfo.ToString())));
                buildInfoPath = null;
            }
        }
        var lineNumber = 0;
        for (var start = 0; start <= output.Length; lineNumber++)
        {
            if ((lineNumber & 4095) == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }
            var newline = output.IndexOf('\n', start);
            var end = newline < 0 ? output.Length : newline;
            var line = output.AsSpan(start, end - start);
            start = end + 1;
            if (line.EndsWith("\r", StringComparison.Ordinal))
            {
                line = line[..^1];
            }
            if (line.StartsWith(Marker + " ", StringComparison.Ordinal))
            {
                FlushBuildInfo();
                var header = line[(Marker.Length + 1)..];
                var space = header.IndexOf(' ');
                var kind = (space < 0 ? header : header[..space]).ToString();
                var rest = space < 0 ? "" : header[(space + 1)..].ToString();
                section = kind;
                switch (kind)
                {
                    case "p":
                        present.Add(rest);
                        break;
                    case "s":
                        aliasPath = rest;
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
                    case "bi":
                    {
                        var parts = rest.Split(' ', 2);
                        if (parts.Length == 2 && ParseLong(parts[0]) is { } offset)
                        {
                            buildInfoOffset = offset - 2; // the match starts after "\xff "
                            buildInfoPath = parts[1];
                            buildInfo.Clear();
                        }
                        break;
                    }
                    case "bh" when Offer(rest) is { } offer:
                        offered.Add(offer);
                        break;
                    case "key":
                        keyPath = rest;
                        keySkeletons[rest] = new StringBuilder();
                        break;
                    case "kenc":
                        kencManifest = rest;
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
                    var parts = line.ToString().Split(' ', 3);
                    if (parts.Length == 3)
                    {
                        stats[parts[2]] = (ParseLong(parts[0]), ParseLong(parts[1]));
                    }
                    break;
                }
                case "links" when line.Length > 0:
                {
                    // find -printf '%p\t%l\n' under an absolute directory: "/abs/path<TAB>target", nothing else.
                    var tab = line.IndexOf('\t');
                    if (tab <= 0 || line[0] != '/')
                    {
                        throw Malformed(node, lineNumber + 1, section);
                    }
                    var path = line[..tab].ToString();
                    var target = line[(tab + 1)..].ToString();
                    facts.AddLink(path, target.StartsWith('/') ? target : Remoting.LexicalPath.Normalize(path[..path.LastIndexOf('/')] + "/" + target));
                    break;
                }
                case "grep":
                    present.Append(line);
                    break;
                case "s" when aliasPath is not null:
                    aliases.Add((aliasPath, line.ToString()));
                    aliasPath = null;
                    break;
                case "bins":
                    binaryLines.Add(line.ToString());
                    break;
                case "bi":
                    buildInfo.Append(line);
                    break;
                case "kstat":
                {
                    var parts = line.ToString().Split(' ', 3);
                    if (parts.Length == 3)
                    {
                        keyModes[parts[2]] = (parts[0].PadLeft(4, '0'), parts[1]);
                    }
                    break;
                }
                case "key" when keyPath is not null:
                    keySkeletons[keyPath].Append(line).Append('\n');
                    break;
                case "kenc":
                    kencLines.Add(line.ToString());
                    break;
            }
        }
        FlushBuildInfo();
        // "bh"/"bi" name the match (2 bytes into the header); the window starts at the header.
        var offeredAt = offered.Select(o => (o.Offset - 2, o.Path)).ToHashSet();
        foreach (var (path, windows) in buildInfos)
        {
            // Sent without an offer (the sending script, or a node that could not hash): hashed here, so the window can serve other nodes.
            facts.ReceivedWindows.AddRange(windows.Where(w => !offeredAt.Contains((w.Offset, path))).Select(w => (Convert.ToHexString(SHA256.HashData(w.Bytes)).ToLowerInvariant(), w.Bytes)));
        }
        foreach (var (offset, digest, path) in offered)
        {
            var sent = buildInfos.GetValueOrDefault(path)?.FirstOrDefault(w => w.Offset == offset - 2).Bytes;
            if (sent is not null)
            {
                facts.ReceivedWindows.Add((digest, sent));
            }
            else if (digest.Length > 0 && knownWindow?.Invoke(digest) is { } known)
            {
                if (!buildInfos.TryGetValue(path, out var list))
                {
                    buildInfos[path] = list = new List<(long, byte[])>();
                }
                list.Add((offset - 2, known));
            }
            else
            {
                facts.MissingWindows.Add((offset, IsDigest(digest) ? digest : "", path));
            }
        }
        AddBinaries(facts, binaryLines, buildInfos);
        if (kencManifest is not null)
        {
            // "config <path>" first (empty path: no flag), then "unreadable" or the structural lines.
            var config = kencLines.FirstOrDefault(l => l.StartsWith("config", StringComparison.Ordinal))?["config".Length..].Trim();
            var body = kencLines.Where(l => !l.StartsWith("config", StringComparison.Ordinal)).ToList();
            facts.KubeEncryption = new KubeEncryptionFact(kencManifest, string.IsNullOrEmpty(config) ? null : config,
                !string.IsNullOrEmpty(config) && !body.Contains("unreadable"), body.Where(l => l != "unreadable").ToList());
        }
        foreach (var (path, (mode, owner)) in keyModes)
        {
            facts.AddKeyFile(new KeyFileFact(path, keySkeletons.TryGetValue(path, out var skeleton) ? skeleton.ToString() : "", mode, owner));
        }
        foreach (var (path, content) in present.Files)
        {
            var (mtime, device) = stats.TryGetValue(path, out var stat) ? stat : (null, null);
            facts.AddFile(new FileFact(path, FileFactState.Present, content, mtime, device));
        }
        foreach (var (path, same) in aliases)
        {
            if (facts.File(same) is { State: FileFactState.Present } original)
            {
                var (mtime, device) = stats.TryGetValue(path, out var stat) ? stat : (original.ModifiedUnixSeconds, original.Device);
                facts.AddFile(original with { Path = path, ModifiedUnixSeconds = mtime, Device = device });
            }
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

    private static FipsClusterException Malformed(string node, int line, string section) =>
        new(ErrorIds.NodeFactsMalformed, FipsErrorCategory.InvalidData,
            $"{node}: line {line} of its facts output (section {section}) is not what the fact script writes: the node's facts cannot be judged.", node);

    /// <summary>Groups the scan's "path:offset:match" lines by binary; the buildinfo window used is the first 16-byte-aligned header.</summary>
    private static void AddBinaries(NodeFacts facts, List<string> lines, Dictionary<string, List<(long Offset, byte[] Bytes)>> buildInfos)
    {
        var byPath = new Dictionary<string, (List<(long, string)> Markers, int Symbols)>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var last = line.LastIndexOf(':');
            var middle = last > 0 ? line.LastIndexOf(':', last - 1) : -1;
            if (middle <= 0 || ParseLong(line[(middle + 1)..last]) is not { } offset)
            {
                continue;
            }
            var path = line[..middle];
            var match = line[(last + 1)..];
            if (!byPath.TryGetValue(path, out var entry))
            {
                entry = (new List<(long, string)>(), 0);
            }
            var marker = match switch { "P" => "BoringCrypto", "/" => "StandardCrypto", "\u001b" => "FIPSOnly", _ => null };
            if (marker is not null)
            {
                entry.Markers.Add((offset - 30, marker));
            }
            else if (match == "_Cfunc__goboringcrypto_")
            {
                entry.Symbols++;
            }
            byPath[path] = entry;
        }
        foreach (var path in byPath.Keys.Concat(buildInfos.Keys).Distinct(StringComparer.Ordinal))
        {
            var (markers, symbols) = byPath.TryGetValue(path, out var found) ? found : (new List<(long, string)>(), 0);
            var windows = buildInfos.GetValueOrDefault(path);
            var window = windows?.FirstOrDefault(w => w.Offset % 16 == 0) ?? windows?.FirstOrDefault();
            facts.AddRemoteBinary(new RemoteBinaryFact(path, window?.Offset, window?.Bytes ?? Array.Empty<byte>(), markers, symbols));
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
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return Array.Empty<byte>();
        }
    }
}
