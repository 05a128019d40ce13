using System.Globalization;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>What a node check sees: the facts, the OS they describe, and the profile's settings for the check.</summary>
public sealed class NodeCheckInput
{
    public NodeCheckInput(NodeFacts facts, ComplianceProfile profile)
    {
        Facts = facts;
        Profile = profile;
        Os = NodeOsReader.Read(facts);
        KernelTokens = facts.Text(LinuxFactCatalog.Cmdline) is { } cmdline
            ? cmdline.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : Array.Empty<string>();
        Container = ContainerDetector.Detect(facts);
    }

    public NodeFacts Facts { get; }

    public ComplianceProfile Profile { get; }

    public NodeOs Os { get; }

    /// <summary>Tokens of the running kernel's command line; empty when unknown (offline image).</summary>
    public IReadOnlyList<string> KernelTokens { get; }

    /// <summary>The container runtime the probe runs in ("docker", "podman", "kubepods", "lxc"), or null on a host.</summary>
    public string? Container { get; }

    public IReadOnlyDictionary<string, string> Settings { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// The kernel flag: true/false when read; false on a running kernel without the sysctl (no FIPS support, so it
    /// cannot be in FIPS mode); null when it cannot be known (an offline image, an unreadable or unexpected value).
    /// </summary>
    public bool? KernelFipsFlag =>
        Facts.Offline ? null : Facts.File(LinuxFactCatalog.FipsEnabled) switch
        {
            { State: FileFactState.Absent } => false,
            { State: FileFactState.Present } file => file.Text.Trim() switch
            {
                "1" => true,
                "0" => false,
                _ => null,
            },
            _ => null,
        };

    public bool IsRhelFamily => Os.Family == "Rhel";

    public string? Setting(string name) => Settings.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Reads the OS identity from os-release and uname.</summary>
public static class NodeOsReader
{
    private static readonly Dictionary<string, string> Families = new(StringComparer.OrdinalIgnoreCase)
    {
        ["rhel"] = "Rhel", ["centos"] = "Rhel", ["rocky"] = "Rhel", ["almalinux"] = "Rhel", ["ol"] = "Rhel", ["rhcos"] = "Rhel",
        ["fedora"] = "Fedora", ["ubuntu"] = "Ubuntu", ["debian"] = "Debian", ["sles"] = "Suse", ["sled"] = "Suse",
        ["sl-micro"] = "Suse", ["opensuse-leap"] = "Suse", ["amzn"] = "Amazon", ["windows"] = "Windows",
    };

    public static NodeOs Read(NodeFacts facts)
    {
        if (facts.Platform == "windows")
        {
            return new NodeOs
            {
                Id = "windows",
                Family = "Windows",
                PrettyName = facts.Registry.GetValueOrDefault(WindowsFactCatalog.ProductName) ?? "Windows",
                VersionId = facts.Registry.GetValueOrDefault(WindowsFactCatalog.CurrentBuild) ?? "",
            };
        }
        var release = ParseOsRelease(facts.Text(LinuxFactCatalog.OsRelease) ?? facts.Text(LinuxFactCatalog.UsrOsRelease) ?? "");
        var id = release.GetValueOrDefault("ID", "");
        var family = Families.GetValueOrDefault(id);
        if (family is null)
        {
            foreach (var like in release.GetValueOrDefault("ID_LIKE", "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (Families.TryGetValue(like, out family))
                {
                    break;
                }
            }
        }
        var versionId = release.GetValueOrDefault("VERSION_ID", "");
        // `uname -r -m`: "<release> <machine>".
        var uname = facts.Command("uname") is { Available: true, ExitCode: 0 } u ? u.Output.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
        return new NodeOs
        {
            Id = id,
            VersionId = versionId,
            PrettyName = release.GetValueOrDefault("PRETTY_NAME", ""),
            Family = family ?? (id.Length == 0 ? "" : "Other"),
            MajorVersion = int.TryParse(versionId.Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var major) ? major : 0,
            Kernel = uname.Length > 0 ? uname[0] : "",
            Architecture = uname.Length > 1 ? uname[1] : "",
        };
    }

    /// <summary>os-release(5): KEY=value lines, values optionally quoted.</summary>
    public static Dictionary<string, string> ParseOsRelease(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith('#') || eq <= 0)
            {
                continue;
            }
            var value = line[(eq + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }
            values[line[..eq]] = value;
        }
        return values;
    }
}

/// <summary>Whether the probe runs inside a container, where the kernel flag and boot line are the host's.</summary>
public static class ContainerDetector
{
    public static string? Detect(NodeFacts facts)
    {
        if (facts.Offline)
        {
            return null;
        }
        if (facts.Exists(LinuxFactCatalog.DockerEnv))
        {
            return "docker";
        }
        if (facts.Exists(LinuxFactCatalog.ContainerEnv))
        {
            return "podman";
        }
        var cgroup = facts.Text(LinuxFactCatalog.InitCgroup) ?? "";
        foreach (var runtime in new[] { "kubepods", "docker", "lxc", "libpod" })
        {
            if (cgroup.Contains(runtime, StringComparison.Ordinal))
            {
                return runtime == "libpod" ? "podman" : runtime;
            }
        }
        return null;
    }
}
