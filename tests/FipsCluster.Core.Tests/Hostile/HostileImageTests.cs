using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using FipsCluster.Core.Files;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tests.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Hostile;

/// <summary>
/// Issue 13, finding 2: an image is written by whoever built it. Its links must resolve inside it as chroot(2) would
/// (the proof put a host file's first 400 characters into a report through /x -> host dir, /etc/os-release -> /x/secret),
/// and its FIFOs must never hang the scan (the proof's Test-FipsNode -Root … -TimeoutSeconds 3 never returned).
/// </summary>
public sealed class HostileImageTests : IDisposable
{
    private const string Secret = "HOSTSECRET-7c1f-root:$6$never-in-a-report";
    private const string ImageOwn = "IMAGE-OWN-a41d";
    private readonly string _host = Directory.CreateTempSubdirectory("fc-hostside-").FullName;
    private readonly List<FixtureRoot> _roots = new();

    public void Dispose()
    {
        Directory.Delete(_host, recursive: true);
        foreach (var root in _roots)
        {
            root.Dispose();
        }
    }

    private FixtureRoot Image(string fixture = "rhel9-fips")
    {
        var root = FixtureRoot.Copy(fixture);
        _roots.Add(root);
        return root;
    }

    private static void Link(FixtureRoot root, string nodePath, string target)
    {
        var local = root.Local(nodePath);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        if (File.Exists(local) || Directory.Exists(local) || new FileInfo(local).LinkTarget is not null)
        {
            if (Directory.Exists(local) && new DirectoryInfo(local).LinkTarget is null)
            {
                Directory.Delete(local, recursive: true);
            }
            else
            {
                File.Delete(local);
            }
        }
        File.CreateSymbolicLink(local, target);
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(file, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private static void Fifo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        Run("mkfifo", path);
    }

    private static async Task<NodeScanResult> Scan(string root, TimeSpan timeout)
    {
        var scanner = new NodeScanner(ComplianceProfiles.Default, 1, timeout, OperationContext.None);
        scanner.AddRoot(root);
        scanner.Complete();
        return await scanner.Results.ReadAsync();
    }

    /// <summary>Everything a report can show: every field, every check's evidence, the error.</summary>
    private static string Everything(NodeScanResult result) => JsonSerializer.Serialize(result.Report) + "\n" + result.Error?.Message;

    /// <summary>A host directory outside the image holding what an image must never read: a shadow-like line, a config, a certificate, an encryption config, a dpkg database, a "binary".</summary>
    private void HostSecrets()
    {
        File.WriteAllText(Path.Combine(_host, "secret"), $"{Secret}\nID=rhel\n");
        File.WriteAllText(Path.Combine(_host, "config"), Secret + "\n");
        File.WriteAllText(Path.Combine(_host, "grub"), $"GRUB_CMDLINE_LINUX=\"fips=1 {Secret}\"\n");
        File.WriteAllText(Path.Combine(_host, "enc.yaml"), $"resources:\n  - resources:\n    - {Secret.Split(':')[0]}\n    providers:\n    - aesgcm:\n");
        File.WriteAllText(Path.Combine(_host, "status"), $"Package: openssl\nStatus: install ok installed\nVersion: {Secret.Split(':')[0]}\n\n");
        File.WriteAllText(Path.Combine(_host, "kubelet"), Secret);
        var pki = Directory.CreateDirectory(Path.Combine(_host, "pki")).FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Secret.Split(':')[0]}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.WriteAllText(Path.Combine(pki, "ca.crt"), certificate.ExportCertificatePem());
    }

    [SkippableFact]
    public async Task Links_through_directories_absolute_targets_and_dotdot_stay_inside_the_image_and_no_host_file_reaches_the_report()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "symbolic links of a Linux image");
        HostSecrets();
        var root = Image();
        var hostName = _host.TrimStart('/');
        // The proof: /x -> <host dir>, /etc/os-release -> /x/secret.
        Link(root, "/x", _host);
        Link(root, "/etc/os-release", "/x/secret");
        // ".." past the root, from a file link and from a directory link.
        Link(root, "/usr/lib/os-release", "../../../../../../../../../" + hostName + "/secret");
        Link(root, "/etc/default", "../../../../../../../../" + hostName);
        // An intermediate directory that is an absolute link to the host.
        Link(root, "/etc/crypto-policies", _host);
        Link(root, "/etc/kubernetes/pki", _host + "/pki");
        Link(root, "/var/lib/dpkg/status", _host + "/status");
        Link(root, "/usr/local/bin/kubelet", _host + "/kubelet");
        // KubeEncryptionAtRest takes the config path from the manifest: "..", then a link.
        root.Write("/etc/kubernetes/manifests/kube-apiserver.yaml",
            $"spec:\n  containers:\n  - command:\n    - kube-apiserver\n    - --encryption-provider-config=/../../../../../../{hostName}/enc.yaml\n");
        // A link loop where the kernel flag should be.
        Link(root, "/proc/sys/crypto/fips_enabled", "/proc/sys/crypto/fips_enabled");
        // The image's own copy of what the links name, re-rooted: this is what chroot reads, and what the report may show.
        root.Write("/" + hostName + "/secret", $"NAME=\"{ImageOwn}\"\nID=rhel\nVERSION_ID=9.4\n");

        var result = await Scan(root.Path, TimeSpan.FromSeconds(30));

        Assert.Null(result.Error);
        var everything = Everything(result);
        Assert.DoesNotContain(Secret.Split(':')[0], everything);
        Assert.DoesNotContain("never-in-a-report", everything);
        // Re-rooted, the links were followed inside the image: its own file is what /etc/os-release and /usr/lib/os-release are.
        var image = RootFactReader.Open(root.Path);
        var facts = RootFactReader.Read(image);
        Assert.Contains(ImageOwn, facts.Text("/etc/os-release"));
        Assert.Contains(ImageOwn, facts.Text("/usr/lib/os-release"));
        Assert.Equal(FileFactState.Absent, facts.File("/etc/default/grub")!.State);
        Assert.Equal(FileFactState.Absent, facts.File("/etc/crypto-policies/config")!.State);
        Assert.Equal(FileFactState.Unreadable, facts.File("/proc/sys/crypto/fips_enabled")!.State);
        Assert.Contains(facts.CollectionErrors, e => e.Contains("too many levels of symbolic links", StringComparison.Ordinal));
        // The dpkg status link to the host is not followed out; the image's own RPM database is what package facts come from.
        Assert.DoesNotContain(facts.Packages.Values, v => v.Contains(Secret.Split(':')[0], StringComparison.Ordinal));
        NodeArtifactReader.Enrich(facts, ComplianceProfiles.Default, image, CancellationToken.None);
        Assert.DoesNotContain(facts.BinaryReports, b => b.Path == "/usr/local/bin/kubelet");
        Assert.Empty(facts.CertificateReports);
        Assert.False(facts.KubeEncryption!.ConfigReadable); // the config is missing inside the image
    }

    [Fact]
    public void The_resolver_walks_like_chroot()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var root = Image("rhel9-nonfips");
        Link(root, "/lib", "usr/lib");
        Link(root, "/etc/abs", "/usr/lib");
        Link(root, "/etc/up", "../../../../..");
        root.Write("/usr/lib/os-release", "ID=rhel\n");
        var image = new ImageRoot(root.Path);

        Assert.Equal("/usr/lib/os-release", image.Resolve("/lib/os-release").NodePath);
        Assert.Equal(FileKind.Regular, image.Resolve("/lib/os-release").Kind);
        Assert.Equal("/usr/lib/os-release", image.Resolve("/etc/abs/os-release").NodePath);
        Assert.Equal("/usr/lib/os-release", image.Resolve("/../../etc/up/usr/lib/../lib/os-release").NodePath);
        Assert.Equal("/", image.Resolve("/etc/up").NodePath);
        Assert.StartsWith(Path.GetFullPath(root.Path), image.Resolve("/etc/up/../../x").HostPath);
        Assert.Equal(FileKind.Missing, image.Resolve("/usr/lib/os-release/x").Kind); // ENOTDIR
        Assert.Equal("/usr/lib", image.LinkTarget("/lib"));
        Assert.Equal("/usr/lib", image.LinkTarget("/etc/abs"));
        Assert.Null(image.LinkTarget("/usr/lib/os-release"));
    }

    [SkippableFact]
    public async Task A_FIFO_socket_or_device_anywhere_the_scan_reads_is_refused_without_being_opened_and_the_scan_answers_at_once()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "FIFOs");
        var root = Image();
        foreach (var path in new[] { "/etc/os-release", "/etc/dracut.conf.d/zz-fips.conf", "/etc/kubernetes/pki/ca.crt", "/etc/kubernetes/manifests/kube-apiserver.yaml",
                     "/var/lib/dpkg/status", "/usr/bin/kubelet", "/etc/ssl/openssl.cnf", "/boot/loader/entries/evil.conf", "/var/lib/rpm/rpmdb.sqlite" })
        {
            Fifo(root.Local(path));
        }
        // A link to a FIFO: resolved, then refused.
        Link(root, "/usr/lib/os-release", "/etc/os-release");
        // A listening socket (.NET removes its file when it is closed: it stays open for the scan).
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        File.Delete(root.Local("/etc/crypto-policies/config"));
        socket.Bind(new UnixDomainSocketEndPoint(root.Local("/etc/crypto-policies/config")));
        socket.Listen();
        var device = Environment.UserName == "root";
        if (device)
        {
            File.Delete(root.Local("/etc/system-fips"));
            Run("mknod", root.Local("/etc/system-fips"), "c", "1", "5"); // /dev/zero: read, it would never end
        }

        var clock = Stopwatch.StartNew();
        var result = await Scan(root.Path, TimeSpan.FromSeconds(3));
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Null(result.Error);
        Assert.NotEqual(ComplianceStatus.Error, result.Report.Status);
        Assert.False(result.Report.Compliant);
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/etc/os-release could not be read: a FIFO", StringComparison.Ordinal));
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/usr/lib/os-release could not be read: a FIFO", StringComparison.Ordinal));
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/etc/crypto-policies/config could not be read: a socket", StringComparison.Ordinal));
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/etc/kubernetes/pki/ca.crt could not be read: a FIFO", StringComparison.Ordinal));
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/var/lib/dpkg/status could not be read: a FIFO", StringComparison.Ordinal));
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/usr/bin/kubelet could not be read: a FIFO", StringComparison.Ordinal));
        Assert.Contains(result.Report.Errors, e => e.StartsWith("/var/lib/rpm/rpmdb.sqlite could not be read: a FIFO", StringComparison.Ordinal));
        if (device)
        {
            Assert.Contains(result.Report.Errors, e => e.StartsWith("/etc/system-fips could not be read: a character device", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_read_that_blocks_in_the_kernel_cannot_hold_the_caller_past_the_timeout()
    {
        // What no check can prevent (a hung NFS or FUSE mount): the worker blocks and ignores its token.
        using var stuck = new ManualResetEventSlim();
        try
        {
            var scanner = new NodeScanner(ComplianceProfiles.Default, 1, TimeSpan.FromSeconds(2), OperationContext.None);
            scanner.AddRoot("/mnt/hung", _ =>
            {
                stuck.Wait();
                return new NodeFacts(NodeTransport.Root, offline: true);
            });
            scanner.Complete();
            var clock = Stopwatch.StartNew();
            var result = await scanner.Results.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.InRange(clock.Elapsed.TotalSeconds, 1.5, 5);
            Assert.Equal(ErrorIds.NodeTimedOut, result.Error?.ErrorId);
            Assert.Equal(ComplianceStatus.Error, result.Report.Status);
            Assert.Equal("/mnt/hung", result.Report.ComputerName);
        }
        finally
        {
            stuck.Set();
        }
    }

    [Fact]
    public async Task An_image_holding_more_than_one_nodes_facts_is_NodeOutputTooLarge()
    {
        var root = Image();
        var chunk = new string('#', NodeReadLimits.ImageFileBytes - 1) + "\n";
        for (var i = 0; i < NodeReadLimits.FactsBytes / NodeReadLimits.ImageFileBytes + 4; i++)
        {
            root.Write($"/etc/dracut.conf.d/{i:000}.conf", chunk);
        }
        var result = await Scan(root.Path, TimeSpan.FromSeconds(30));
        Assert.Equal(ErrorIds.NodeOutputTooLarge, result.Error?.ErrorId);
        Assert.Equal(ErrorIds.NodeOutputTooLarge, result.Report.ErrorId);
        Assert.Equal(FipsErrorCategory.LimitsExceeded, result.Error!.Category);
        Assert.Contains("16 MiB", result.Error.Message);
    }
}
