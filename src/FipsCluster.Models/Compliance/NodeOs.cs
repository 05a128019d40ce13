namespace FipsCluster;

/// <summary>The operating system of a node as its own files describe it (/etc/os-release, uname, the registry).</summary>
public sealed class NodeOs
{
    /// <summary>os-release ID, e.g. "rhel", "ubuntu", "debian"; "windows" on Windows.</summary>
    public string Id { get; init; } = "";

    /// <summary>os-release VERSION_ID, e.g. "9.4", "22.04".</summary>
    public string VersionId { get; init; } = "";

    public string PrettyName { get; init; } = "";

    /// <summary>The family the checks key on: Rhel, Ubuntu, Debian, Suse, Windows or Other.</summary>
    public string Family { get; init; } = "";

    /// <summary>Major version as a number (0 when unknown), e.g. 8 for RHEL 8.10, 22 for Ubuntu 22.04.</summary>
    public int MajorVersion { get; init; }

    /// <summary>The running kernel release (uname -r); empty for an offline image.</summary>
    public string Kernel { get; init; } = "";

    public string Architecture { get; init; } = "";

    public override string ToString() => string.IsNullOrEmpty(PrettyName) ? $"{Id} {VersionId}".Trim() : PrettyName;
}
