using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests.Artifacts;

/// <summary>Test-FipsBinary through the engine, and the node checks that use it: locally, over SSH (byte ranges only) and on a root tree.</summary>
[Collection("ssh")]
public sealed class TestFipsBinaryAndNodeArtifactTests : IClassFixture<ModuleFixture>, IDisposable
{
    private const string BinaryReport = "FipsCluster.GoBinaryReport";
    private readonly SshNodesFixture _nodes;
    private readonly PsSession _ps;
    private readonly string _temp = Path.Combine("/tmp", "fc-art-" + Guid.NewGuid().ToString("N")[..8]);

    public TestFipsBinaryAndNodeArtifactTests(SshNodesFixture nodes, ModuleFixture module)
    {
        _nodes = nodes;
        _ps = module.Session;
        Directory.CreateDirectory(_temp);
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string[] InstalledGoBinaries() =>
        new[] { "/usr/sbin/dockerd", "/usr/bin/containerd", "/usr/sbin/runc", "/usr/bin/etcd" }.Where(File.Exists).ToArray();

    private static void RequireBinaries()
    {
        if (InstalledGoBinaries().Length < 2)
        {
            if (TestPaths.InCi)
            {
                Assert.Fail("CI=true and docker.io/etcd-server binaries are missing");
            }
            Skip.If(true, "docker.io/etcd-server binaries are missing");
        }
    }

    [SkippableFact]
    public void Package_binaries_are_standard_Go_crypto_from_paths_the_pipeline_and_directories()
    {
        RequireBinaries();
        var binaries = InstalledGoBinaries();
        var reports = _ps.Run("Test-FipsBinary -Path $args[0]", (object)binaries).Of(BinaryReport);
        Assert.Equal(binaries.Length, reports.Count);
        Assert.All(reports, r =>
        {
            Assert.True((bool)r.IsGo);
            Assert.Equal("Standard", r.CryptoModule.ToString());
            Assert.Equal("Fail", r.Status.ToString());
            Assert.StartsWith("go1.", (string)r.GoVersion);
            Assert.Equal("1", (string)r.BuildSettings["CGO_ENABLED"]);
        });

        // By property name, as Get-ChildItem emits, and a directory lists only its Go binaries.
        var byProperty = _ps.Run("[pscustomobject]@{ FullName = $args[0] } | Test-FipsBinary", binaries[0]).SingleOf(BinaryReport);
        Assert.Equal(binaries[0], (string)byProperty.Path);
        var dir = Path.Combine(_temp, "bin");
        Directory.CreateDirectory(dir);
        File.Copy(binaries[0], Path.Combine(dir, Path.GetFileName(binaries[0])));
        File.WriteAllText(Path.Combine(dir, "README"), "not a binary");
        File.Copy("/bin/sh", Path.Combine(dir, "sh"));
        var listed = _ps.Run("Test-FipsBinary $args[0]", dir).Of(BinaryReport);
        Assert.Equal(Path.GetFileName(binaries[0]), Path.GetFileName((string)Assert.Single(listed).Path));
        // A file named explicitly always gets a report.
        Assert.Equal("NotGo", _ps.Run("Test-FipsBinary $args[0]", Path.Combine(dir, "sh")).SingleOf(BinaryReport).CryptoModule.ToString());
        var missing = _ps.Run("Test-FipsBinary $args[0]", Path.Combine(dir, "nope"));
        Assert.StartsWith("BinaryNotFound,", Assert.Single(missing.ErrorIds));
        Assert.False(_ps.Run("Test-FipsBinary $args[0] -Quiet", dir).Single<bool>());
    }

    [SkippableFact]
    public void Default_views_show_the_verdicts_at_a_glance()
    {
        RequireBinaries();
        var binary = _ps.Run("Test-FipsBinary $args[0] | Out-Default", InstalledGoBinaries()[0]).HostText;
        Assert.Contains("CryptoModule", binary);
        Assert.Contains("Standard", binary);
        var key = Path.Combine(_temp, "view.key");
        Run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key);
        var keyView = _ps.Run("Test-FipsPrivateKey $args[0] | Out-Default", key).HostText;
        Assert.Contains("Format", keyView);
        Assert.Contains("Pkcs8", keyView);
        Assert.DoesNotContain(File.ReadAllLines(key)[1], keyView);
    }

    [SkippableFact]
    public void Over_SSH_the_node_sends_only_byte_ranges_and_the_verdicts_equal_the_local_analysis()
    {
        _nodes.Require();
        RequireBinaries();
        var local = _ps.Run("Test-FipsNode").SingleOf("FipsCluster.NodeComplianceReport");
        var remote = _ps.Run("Test-FipsNode -ComputerName $args[0] -UserName $args[1] -KeyFilePath $args[2] -KnownHostsPath $args[3]",
            _nodes.PlainNode, _nodes.UserName, _nodes.KeyFile, _nodes.KnownHosts).SingleOf("FipsCluster.NodeComplianceReport");
        dynamic Check(dynamic report) => ((IEnumerable<dynamic>)report.Checks).Single(c => (string)c.CheckId == "NODE-GO-01");
        var localCheck = Check(local);
        var remoteCheck = Check(remote);
        Assert.Equal("Fail", localCheck.Status.ToString());
        Assert.Equal("Fail", remoteCheck.Status.ToString());
        // Same binaries, same verdicts (path: module (version)), whether read from the file or from the node's byte ranges.
        static HashSet<string> Verdicts(dynamic check) => ((IEnumerable<dynamic>)check.Evidence)
            .Select(e => (string)e.Source + " " + ((string)e.Excerpt).Split(':')[0]).ToHashSet();
        var localVerdicts = Verdicts(localCheck);
        var remoteVerdicts = Verdicts(remoteCheck);
        foreach (var binary in InstalledGoBinaries())
        {
            Assert.Contains(localVerdicts, v => v.StartsWith(binary + " Standard (go1.", StringComparison.Ordinal));
        }
        Assert.Equal(localVerdicts, remoteVerdicts);
    }

    [SkippableFact]
    public void A_root_trees_PKI_is_judged_key_by_key_and_certificate_by_certificate()
    {
        RequireBinaries();
        var pki = Path.Combine(_temp, "root", "etc", "kubernetes", "pki");
        Directory.CreateDirectory(pki);
        Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-nodes", "-keyout", Path.Combine(pki, "ca.key"), "-out", Path.Combine(pki, "ca.crt"), "-days", "365", "-subj", "/CN=kubernetes");
        Run("openssl", "genrsa", "-aes256", "-traditional", "-passout", "pass:x-legacy-1", "-out", Path.Combine(pki, "sa.key"), "2048");
        File.SetUnixFileMode(Path.Combine(pki, "ca.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.Combine(pki, "sa.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.Combine(_temp, "root", "etc"));
        File.WriteAllText(Path.Combine(_temp, "root", "etc", "os-release"), "ID=rhel\nVERSION_ID=\"9.4\"\n");
        var report = _ps.Run("Test-FipsNode -Root $args[0]", Path.Combine(_temp, "root")).SingleOf("FipsCluster.NodeComplianceReport");
        var checks = ((IEnumerable<dynamic>)report.Checks).ToDictionary(c => (string)c.CheckId);
        Assert.Equal("Pass", checks["NODE-CRT-01"].Status.ToString());
        Assert.Equal("Fail", checks["NODE-KEY-01"].Status.ToString());
        Assert.Contains("/etc/kubernetes/pki/sa.key: LegacyPemEncrypted", (string)checks["NODE-KEY-01"].Actual);
        Assert.DoesNotContain("ca.key", (string)checks["NODE-KEY-01"].Actual);
        Assert.Equal("NotApplicable", checks["NODE-GO-01"].Status.ToString());
    }

    private static void Run(string file, params string[] args) => ProcessRunner.RunChecked(file, args);
}
