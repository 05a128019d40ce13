using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Core.Files;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// Judges a node's component binaries, certificates and keys with the artifact analyzers (Test-FipsBinary,
/// Test-FipsCertificate, Test-FipsPrivateKey use the same code) and adds the reports to its facts: from the files
/// for the local machine and mounted roots, from what the node sent for SSH nodes.
/// </summary>
public static class NodeArtifactReader
{
    /// <summary>
    /// Adds the artifact reports: from <paramref name="image"/>'s files (the local machine is the image "/"), or when it
    /// is null from what the node sent. A file that cannot be judged is that file's collection error, never the node's.
    /// </summary>
    public static void Enrich(NodeFacts facts, ComplianceProfile profile, ImageRoot? image, CancellationToken cancellation)
    {
        var scope = NodeCheckCatalog.ScopeOf(profile);
        if ((scope & FactScope.Artifacts) == 0 || facts.Platform != "linux")
        {
            return;
        }
        var certificateOptions = new CertificateCheckOptions { Profile = profile };
        if (image is null)
        {
            // The node sent only what the scope's script gathers: nothing to filter here.
            foreach (var binary in facts.RemoteBinaries.Values.OrderBy(b => b.Path, StringComparer.Ordinal))
            {
                Try(facts, binary.Path, () => facts.BinaryReports.Add(RemoteGoBinary.Judge(binary)));
            }
            foreach (var file in facts.Files.Values.Where(f => f.Exists && IsCertificate(f.Path)).OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                Try(facts, file.Path, () => facts.CertificateReports.AddRange(CertificateAnalyzer.AnalyzeContent(file.Path, file.Content, certificateOptions)));
            }
            foreach (var key in facts.KeyFiles.Values.Where(k => k.PemSkeleton.Contains("PRIVATE KEY-----", StringComparison.Ordinal)).OrderBy(k => k.Path, StringComparer.Ordinal))
            {
                var mode = key.Mode is { } text && TryOctal(text, out var bits) ? (UnixFileMode?)bits : null;
                Try(facts, key.Path, () => facts.KeyReports.Add(PrivateKeyAnalyzer.AnalyzeContent(key.Path, System.Text.Encoding.UTF8.GetBytes(key.PemSkeleton), mode, profile)));
            }
            return;
        }
        if (scope.HasFlag(FactScope.KubeEncryption))
        {
            Try(facts, KubeEncryptionAtRest.ApiServerManifest, () => facts.KubeEncryption = KubeEncryptionAtRest.Read(image));
        }
        if (scope.HasFlag(FactScope.Binaries))
        {
            ReadBinaries(facts, image, cancellation);
        }
        if (scope.HasFlag(FactScope.Pki))
        {
            ReadPki(facts, profile, certificateOptions, image, cancellation);
        }
    }

    private static void ReadBinaries(NodeFacts facts, ImageRoot image, CancellationToken cancellation)
    {
        // Every catalogue path that exists is reported, links included (/usr/bin/runc → /usr/sbin/runc), exactly as
        // the remote scan reports them, so local and SSH reports of the same node agree.
        foreach (var nodePath in LinuxFactCatalog.ComponentBinaries)
        {
            cancellation.ThrowIfCancellationRequested();
            var entry = image.Resolve(nodePath);
            if (entry.Problem is { } problem)
            {
                facts.CollectionErrors.Add($"{nodePath} could not be read: {problem}");
                continue;
            }
            switch (entry.Kind)
            {
                case FileKind.Missing or FileKind.Directory:
                    continue;
                case not FileKind.Regular:
                    facts.CollectionErrors.Add($"{nodePath} could not be read: {UnixFile.Describe(entry.Kind)}, not a regular file: not read");
                    continue;
            }
            // The resolved path runs through no link of the image: the analyzer reads exactly that file, without blocking.
            var report = GoBinaryAnalyzer.Analyze(entry.HostPath, cancellation);
            facts.BinaryReports.Add(Renamed(report, nodePath));
        }
    }

    private static void ReadPki(NodeFacts facts, ComplianceProfile profile, CertificateCheckOptions certificateOptions, ImageRoot image, CancellationToken cancellation)
    {
        foreach (var dir in LinuxFactCatalog.PkiDirectories)
        {
            cancellation.ThrowIfCancellationRequested();
            foreach (var name in image.Names(dir))
            {
                var nodePath = dir + "/" + name;
                var certificate = IsCertificate(nodePath);
                if (!certificate && !nodePath.EndsWith(".key", StringComparison.Ordinal) && !nodePath.EndsWith(".pem", StringComparison.Ordinal))
                {
                    continue;
                }
                var file = image.Read(nodePath, NodeReadLimits.ImagePkiFileBytes);
                if (file.State is FileFactState.Absent)
                {
                    continue; // a subdirectory (pki/etcd is read on its own)
                }
                if (file.Problem is not null || file.Truncated)
                {
                    facts.CollectionErrors.Add($"{nodePath} could not be read: {file.Problem ?? $"larger than {NodeReadLimits.ImagePkiFileBytes / 1024} KiB"}");
                    continue;
                }
                if (certificate)
                {
                    Try(facts, nodePath, () => facts.CertificateReports.AddRange(CertificateAnalyzer.AnalyzeContent(nodePath, file.Content, certificateOptions)));
                }
                else if (nodePath.EndsWith(".key", StringComparison.Ordinal) || System.Text.Encoding.UTF8.GetString(file.Content).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
                {
                    Try(facts, nodePath, () => facts.KeyReports.Add(PrivateKeyAnalyzer.AnalyzeContent(nodePath, file.Content, file.Mode, profile)));
                }
            }
        }
    }

    private static bool IsCertificate(string path) =>
        path.EndsWith(".crt", StringComparison.Ordinal) && LinuxFactCatalog.PkiDirectories.Any(d => path.StartsWith(d + "/", StringComparison.Ordinal) && path.LastIndexOf('/') == d.Length);

    private static void Try(NodeFacts facts, string path, Action read)
    {
        try
        {
            read();
        }
        catch (FipsClusterException ex) when (ex.ErrorId != ErrorIds.NodeOutputTooLarge)
        {
            facts.CollectionErrors.Add($"{path}: {ex.Message}");
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException or FipsClusterException))
        {
            // Content the node or image controls: whatever an analyzer makes of it is that file's problem only.
            facts.CollectionErrors.Add($"{path} could not be judged: {(ex is IOException or UnauthorizedAccessException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}")}");
        }
    }

    private static GoBinaryReport Renamed(GoBinaryReport report, string nodePath) => new()
    {
        Path = nodePath,
        Format = report.Format,
        IsGo = report.IsGo,
        GoVersion = report.GoVersion,
        MainPath = report.MainPath,
        MainModule = report.MainModule,
        Modules = report.Modules,
        BuildSettings = report.BuildSettings,
        CryptoModule = report.CryptoModule,
        Fips140ModuleVersion = report.Fips140ModuleVersion,
        Markers = report.Markers,
        BoringSymbols = report.BoringSymbols,
        Evidence = report.Evidence,
        Status = report.Status,
        Reason = report.Reason,
    };

    private static bool TryOctal(string text, out UnixFileMode mode)
    {
        mode = 0;
        try
        {
            mode = (UnixFileMode)Convert.ToInt32(text, 8);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
