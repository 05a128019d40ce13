using System.Globalization;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// How much the module reads from one node, in one place. What a node, an image or the Kubernetes API sends is
/// controlled by whoever controls them: every read is bounded, and a node that sends more is that node's
/// <see cref="ErrorIds.NodeOutputTooLarge"/>, never the scanner's memory.
/// </summary>
public static class NodeReadLimits
{
    /// <summary>
    /// One node's facts, whatever the transport: its SSH output (stdout and stderr together), its pod log, or the
    /// files read from an image. A real node's facts run is ~916 KiB with the build-info windows; the largest
    /// legitimate one (all 60 component binary paths present, each with its 64 KiB window in base64, plus PKI and
    /// package lists) stays near 6 MiB, so 16 MiB leaves headroom without letting one node take the scanner's memory.
    /// </summary>
    public const int FactsBytes = 16 * 1024 * 1024;

    /// <summary>A kubelet's configz (a real one is ~5 KiB).</summary>
    public const int ConfigzBytes = 1024 * 1024;

    /// <summary>One configuration file read from an image (longer ones are read up to this size, as before).</summary>
    public const int ImageFileBytes = 256 * 1024;

    /// <summary>One certificate or key file in an image's PKI directories (the key reader's own limit).</summary>
    public const int ImagePkiFileBytes = 1024 * 1024;

    /// <summary>dpkg's status file of an image (streamed; a large server's is ~10 MiB).</summary>
    public const long PackageDatabaseBytes = 64L * 1024 * 1024;

    /// <summary>
    /// Bytes read from an image's RPM database (page by page; only the packages of interest are kept). A large RHEL 8
    /// server's Berkeley DB Packages file is 100-200 MiB; rpmdb.sqlite is smaller.
    /// </summary>
    public const long RpmDatabaseBytes = 1024L * 1024 * 1024;

    /// <summary>Symbolic links followed while resolving one path inside an image (Linux's MAXSYMLINKS).</summary>
    public const int SymlinkHops = 40;

    /// <summary>The error of a node (or image) that sent more than <paramref name="limit"/> bytes of <paramref name="what"/>.</summary>
    public static FipsClusterException TooLarge(string node, string what, long limit) =>
        new(ErrorIds.NodeOutputTooLarge, FipsErrorCategory.LimitsExceeded,
            $"{node}: {what} exceeded {Size(limit)}, the most the module reads from one node; it was not judged and the read was stopped.", node);

    private static string Size(long bytes) => bytes % (1024 * 1024) == 0
        ? (bytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MiB"
        : (bytes / 1024).ToString(CultureInfo.InvariantCulture) + " KiB";
}
