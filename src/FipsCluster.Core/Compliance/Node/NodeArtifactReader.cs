using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Compliance.Artifacts.Keys;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// Judges a node's component binaries, certificates and keys with the artifact analyzers (Test-FipsBinary,
/// Test-FipsCertificate, Test-FipsPrivateKey use the same code) and adds the reports to its facts: from the files
/// for the local machine and mounted roots, from what the node sent for SSH nodes.
/// </summary>
public static class NodeArtifactReader
{
    public static void Enrich(NodeFacts facts, ComplianceProfile profile, string? localRoot, CancellationToken cancellation)
    {
        if (NodeCheckCatalog.ScopeOf(profile) is not FactScope.All || facts.Platform != "linux")
        {
            return;
        }
        var certificateOptions = new CertificateCheckOptions { Profile = profile };
        if (localRoot is null)
        {
            foreach (var binary in facts.RemoteBinaries.Values.OrderBy(b => b.Path, StringComparer.Ordinal))
            {
                facts.BinaryReports.Add(RemoteGoBinary.Judge(binary));
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
        facts.KubeEncryption = KubeEncryptionAtRest.Read(localRoot);
        // Every catalogue path that exists is reported, links included (/usr/bin/runc → /usr/sbin/runc), exactly as
        // the remote scan reports them, so local and SSH reports of the same node agree.
        foreach (var nodePath in LinuxFactCatalog.ComponentBinaries)
        {
            cancellation.ThrowIfCancellationRequested();
            var local = Under(localRoot, nodePath);
            if (!File.Exists(local))
            {
                continue;
            }
            var report = GoBinaryAnalyzer.Analyze(local, cancellation);
            facts.BinaryReports.Add(Renamed(report, nodePath));
        }
        foreach (var dir in LinuxFactCatalog.PkiDirectories)
        {
            var local = Under(localRoot, dir);
            if (!Directory.Exists(local))
            {
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(local).Order(StringComparer.Ordinal))
            {
                var nodePath = dir + "/" + Path.GetFileName(file);
                if (IsCertificate(nodePath))
                {
                    Try(facts, nodePath, () => facts.CertificateReports.AddRange(
                        CertificateAnalyzer.AnalyzeContent(nodePath, File.ReadAllBytes(file), certificateOptions)));
                }
                else if (nodePath.EndsWith(".key", StringComparison.Ordinal) || nodePath.EndsWith(".pem", StringComparison.Ordinal))
                {
                    if (nodePath.EndsWith(".pem", StringComparison.Ordinal) && !File.ReadAllText(file).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
                    {
                        continue;
                    }
                    Try(facts, nodePath, () =>
                    {
                        var report = PrivateKeyAnalyzer.Analyze(file, profile);
                        facts.KeyReports.Add(report);
                    });
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
        catch (FipsClusterException ex)
        {
            facts.CollectionErrors.Add($"{path}: {ex.Message}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            facts.CollectionErrors.Add($"{path} could not be read: {ex.Message}");
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

    private static string Under(string root, string nodePath) => root == "/" ? nodePath : Path.Combine(root, nodePath.TrimStart('/'));

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
