using System.Text;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>A file as read on the node: present or not, its content (bounded), and where relevant its mtime, device and link target.</summary>
public sealed record FileFact(string Path, FileFactState State, byte[] Content, long? ModifiedUnixSeconds = null, long? Device = null)
{
    public bool Exists => State is FileFactState.Present;

    public string Text => Encoding.UTF8.GetString(Content);
}

public enum FileFactState
{
    Present,
    Absent,
    Unreadable,
}

/// <summary>
/// What the node sent about a binary instead of the binary: the .go.buildinfo window, the offsets of the amd64
/// crypto sig markers (by kind) and how many _Cfunc__goboringcrypto_ names it holds.
/// </summary>
public sealed record RemoteBinaryFact(string Path, long? BuildInfoOffset, byte[] BuildInfo, IReadOnlyList<(long Offset, string Marker)> Markers, int BoringSymbols);

/// <summary>A private key file as the node describes it: PEM labels and headers only (bodies only when encrypted), and its mode.</summary>
public sealed record KeyFileFact(string Path, string PemSkeleton, string? Mode, string? Owner);

/// <summary>A command's combined output and exit code; Available is false when the command does not exist on the node.</summary>
public sealed record CommandFact(string Id, bool Available, int ExitCode, string Output);

/// <summary>
/// Everything the node checks look at, read once per node. Checks are pure functions of this snapshot, so a
/// node read over SSH, locally or from a mounted image is judged by exactly the same code.
/// </summary>
public sealed class NodeFacts
{
    private readonly Dictionary<string, FileFact> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CommandFact> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long?> _directories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _registry = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _packages = new(StringComparer.Ordinal);

    public NodeFacts(NodeTransport transport, bool offline)
    {
        Transport = transport;
        Offline = offline;
    }

    public NodeTransport Transport { get; }

    /// <summary>True for a mounted image: no running kernel, no commands; runtime checks do not apply.</summary>
    public bool Offline { get; }

    /// <summary>"linux" or "windows".</summary>
    public string Platform { get; set; } = "linux";

    /// <summary>False when gathering was cut short (e.g. the script's output ended early): such facts never prove compliance.</summary>
    public bool Complete { get; set; } = true;

    /// <summary>Facts that could not be gathered (the checks that need them report Error).</summary>
    public List<string> CollectionErrors { get; } = new();

    public IReadOnlyDictionary<string, FileFact> Files => _files;

    public IReadOnlyDictionary<string, CommandFact> Commands => _commands;

    public IReadOnlyDictionary<string, string?> Registry => _registry;

    /// <summary>Installed packages of interest (name → version), from dpkg or rpm; empty when <see cref="PackagesKnown"/> is false.</summary>
    public IReadOnlyDictionary<string, string> Packages => _packages;

    /// <summary>Whether a package database could be read at all.</summary>
    public bool PackagesKnown { get; set; }

    public void AddPackage(string name, string version)
    {
        _packages[name] = version;
        PackagesKnown = true;
    }

    private readonly Dictionary<string, RemoteBinaryFact> _binaries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyFileFact> _keys = new(StringComparer.Ordinal);

    /// <summary>Component binaries found on the node, as the remote script described them.</summary>
    public IReadOnlyDictionary<string, RemoteBinaryFact> RemoteBinaries => _binaries;

    /// <summary>Private key files found in the PKI directories (never their unencrypted content).</summary>
    public IReadOnlyDictionary<string, KeyFileFact> KeyFiles => _keys;

    public void AddRemoteBinary(RemoteBinaryFact binary) => _binaries[binary.Path] = binary;

    /// <summary>Build-info windows the node sent, with the SHA-256 it offered each under (empty when it could not hash), or, sent without an offer, their SHA-256.</summary>
    public List<(string Digest, byte[] Bytes)> ReceivedWindows { get; } = new();

    /// <summary>
    /// Build-info windows the node offered by digest but neither sent nor found among the windows already known: the
    /// binary at <c>Path</c> cannot be judged until its window is fetched (the digest is empty when it was not a SHA-256).
    /// </summary>
    public List<(long Offset, string Digest, string Path)> MissingWindows { get; } = new();

    public void AddKeyFile(KeyFileFact key) => _keys[key.Path] = key;

    /// <summary>Artifact verdicts computed from the files (local, root) or from the remote parts (SSH), by the artifact analyzers.</summary>
    /// <summary>The kube-apiserver's encryption-at-rest configuration (structure only) on a control-plane node; null elsewhere.</summary>
    public KubeEncryptionFact? KubeEncryption { get; set; }

    public List<GoBinaryReport> BinaryReports { get; } = new();

    public List<CertificateReport> CertificateReports { get; } = new();

    public List<PrivateKeyReport> KeyReports { get; } = new();

    public void AddFile(FileFact file) => _files[file.Path] = file;

    public void AddCommand(CommandFact command) => _commands[command.Id] = command;

    public void AddLink(string path, string target) => _links[path] = target;

    public void AddDirectory(string path, long? device = null) => _directories[NormalizeDirectory(path)] = device;

    private static string NormalizeDirectory(string path) => path.Length > 1 ? path.TrimEnd('/') : path;

    public void SetRegistryValue(string path, string? value) => _registry[path] = value;

    private readonly HashSet<string> _unreadableRegistry = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registry values that exist but could not be read (access denied): their checks report Error, not Fail.</summary>
    public IReadOnlySet<string> UnreadableRegistryValues => _unreadableRegistry;

    public void MarkRegistryUnreadable(string path) => _unreadableRegistry.Add(path);

    /// <summary>The file if it was read, whatever its state; null if the catalogue never asked for it.</summary>
    public FileFact? File(string path) => _files.GetValueOrDefault(path);

    /// <summary>The file's text when present, else null.</summary>
    public string? Text(string path) => _files.TryGetValue(path, out var f) && f.Exists ? f.Text : null;

    public bool Exists(string path) => _files.TryGetValue(path, out var f) && f.Exists;

    public bool DirectoryExists(string path) => _directories.ContainsKey(NormalizeDirectory(path));

    /// <summary>The device number of a directory (stat %d), when known: /boot on its own device is a separate filesystem.</summary>
    public long? DirectoryDevice(string path) => _directories.GetValueOrDefault(NormalizeDirectory(path));

    public string? LinkTarget(string path) => _links.GetValueOrDefault(path);

    public CommandFact? Command(string id) => _commands.GetValueOrDefault(id);

    /// <summary>The present files directly inside <paramref name="directory"/> whose names end with <paramref name="suffix"/>, in name order.</summary>
    public IEnumerable<FileFact> FilesIn(string directory, string suffix = "")
    {
        var prefix = directory.TrimEnd('/') + "/";
        return _files.Values
            .Where(f => f.Exists && f.Path.StartsWith(prefix, StringComparison.Ordinal) && f.Path.IndexOf('/', prefix.Length) < 0
                        && f.Path.EndsWith(suffix, StringComparison.Ordinal))
            .OrderBy(f => f.Path, StringComparer.Ordinal);
    }
}
