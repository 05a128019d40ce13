using System.Diagnostics;
using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Node;
using Xunit;

namespace FipsCluster.Core.Tests.Compliance;

/// <summary>The script's @@FC output, read back into facts, and the script itself run by /bin/sh.</summary>
public sealed class ShellFactScriptTests
{
    private const string Kernel = "5.14.0-427.13.1.el9_4.x86_64";

    private const string Providers = "Providers:\n  base\n    name: OpenSSL Base Provider\n    version: 3.0.7\n    status: active\n  fips\n    name: Red Hat Enterprise Linux 9 - OpenSSL FIPS Provider\n    version: 3.0.7-395c1a240fbfffd8\n    status: active\n";

    private const string Md5Refused = "Error setting digest\n40F7A1B2C37F0000:error:0308010C:digital envelope routines:inner_evp_generic_fetch:unsupported:crypto/evp/evp_fetch.c:349:Global default library context, Algorithm (MD5 : 100), Properties (<null>)\n";

    /// <summary>
    /// The script's output format: state lines (@@FC p|a|u|e|d), commands (@@FC c id, raw output, a blank
    /// line, @@FC rc N id; or @@FC cm id), then @@FC stat ("%Y %d %n"), @@FC links ("path\ttarget"),
    /// @@FC grep ("path:line" for every present file) and @@FC end.
    /// </summary>
    private sealed class Output
    {
        private readonly StringBuilder _state = new();
        private readonly StringBuilder _commands = new();
        private readonly StringBuilder _stat = new();
        private readonly StringBuilder _links = new();
        private readonly StringBuilder _grep = new();

        public Output Present(string path, string content)
        {
            _state.Append("@@FC p ").Append(path).Append('\n');
            var lines = content.Length == 0 ? Array.Empty<string>() : (content.EndsWith('\n') ? content[..^1] : content).Split('\n');
            foreach (var line in lines)
            {
                _grep.Append(path).Append(':').Append(line).Append('\n');
            }
            return this;
        }

        public Output State(string kind, string path)
        {
            _state.Append("@@FC ").Append(kind).Append(' ').Append(path).Append('\n');
            return this;
        }

        public Output Stat(string path, long mtime, long device)
        {
            _stat.Append(mtime).Append(' ').Append(device).Append(' ').Append(path).Append('\n');
            return this;
        }

        public Output Link(string path, string target)
        {
            _links.Append(path).Append('\t').Append(target).Append('\n');
            return this;
        }

        public Output Command(string id, int rc, string output)
        {
            _commands.Append("@@FC c ").Append(id).Append('\n').Append(output).Append('\n').Append("@@FC rc ").Append(rc).Append(' ').Append(id).Append('\n');
            return this;
        }

        public Output Missing(string id)
        {
            _commands.Append("@@FC cm ").Append(id).Append('\n');
            return this;
        }

        public string Text(bool end = true) =>
            _state.ToString() + _commands + "@@FC stat\n" + _stat + "@@FC links\n" + _links + "@@FC grep\n" + _grep + (end ? "@@FC end\n" : "");
    }

    /// <summary>What the script prints on the rhel9-fips node: the fixture root's files plus the command outputs of a live RHEL 9.4 in FIPS mode.</summary>
    private static Output LiveRhel9(FixtureRoot root, long rootDevice = 64768, long bootDevice = 64768, int md5Exit = 1)
    {
        var o = new Output();
        void File(string path)
        {
            var local = root.Local(path);
            if (System.IO.File.Exists(local))
            {
                o.Present(path, System.IO.File.ReadAllText(local));
            }
            else
            {
                o.State("a", path);
            }
        }
        foreach (var path in LinuxFactCatalog.Files.Append(LinuxFactCatalog.CryptoPolicyBackEnds + "/nss.config"))
        {
            File(path);
        }
        foreach (var dir in new[] { "/", "/boot", "/boot/loader/entries", "/etc/crypto-policies/back-ends", "/etc/dracut.conf.d" })
        {
            o.State("d", dir);
        }
        foreach (var glob in LinuxFactCatalog.Globs)
        {
            var dir = root.Local(glob.Directory);
            if (Directory.Exists(dir))
            {
                foreach (var f in Directory.EnumerateFiles(dir).Where(f => f.EndsWith(glob.Suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                {
                    File(glob.Directory + "/" + Path.GetFileName(f));
                }
            }
        }
        o.State("e", "/usr/lib64/ossl-modules/fips.so");
        File("/etc/pki/tls/openssl.cnf");
        File("/etc/crypto-policies/back-ends/opensslcnf.config");
        o.Command("uname", 0, Kernel + " x86_64\n");
        o.Command("openssl-providers", 0, Providers);
        o.Command("openssl-md5", md5Exit, md5Exit == 0 ? "MD5(stdin)= d41d8cd98f00b204e9800998ecf8427e\n" : Md5Refused);
        o.Command("lsinitrd", 0, "bash\nsystemd\nfips\nkernel-modules\nlvm\nrootfs-block\nudev-rules\nusrmount\nbase\nfs-lib\nshutdown\n");
        o.Missing("dpkg");
        o.Command("rpm", 18, "package ubuntu-fips is not installed\nopenssl 3.0.7-27.el9 installed\nopenssl-libs 3.0.7-27.el9 installed\nlibgcrypt 1.10.0-10.el9_2 installed\ngnutls 3.7.6-23.el9 installed\ncrypto-policies 20240202-1.git283706d.el9 installed\n");
        o.Command("env", 0, "export HOME='/root'\nexport LANG='C.UTF-8'\nexport LC_ALL='C'\nexport PATH='/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'\n");
        o.Command(LinuxFactCatalog.OpenSslVersionCommand, 0, "OpenSSL 3.0.7 1 Nov 2022 (Library: OpenSSL 3.0.7 1 Nov 2022)\nbuilt on: Tue Feb 13 00:00:00 2024 UTC\nplatform: linux-x86_64\nOPENSSLDIR: \"/etc/pki/tls\"\nMODULESDIR: \"/usr/lib64/ossl-modules\"\n");
        o.Stat("/etc/crypto-policies/config", 1715000000, rootDevice).Stat("/etc/crypto-policies/state/current", 1715000060, rootDevice);
        o.Stat("/", 1715000000, rootDevice).Stat("/boot", 1715000000, bootDevice).Stat("/boot/loader/entries", 1715000000, bootDevice);
        return o;
    }

    private static NodeComplianceReport Judge(NodeFacts facts) =>
        NodeComplianceEvaluator.Evaluate(facts, ComplianceProfiles.Default, "node1", TimeSpan.Zero);

    [Fact]
    public void Live_rhel9_fips_output_parses_and_is_compliant()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var facts = ShellFactScript.Parse(LiveRhel9(root).Text(), NodeTransport.Ssh);
        Assert.True(facts.Complete);
        Assert.Empty(facts.CollectionErrors);
        Assert.False(facts.Offline);
        Assert.Equal("1\n", facts.Text("/proc/sys/crypto/fips_enabled"));
        Assert.Equal(root.Read("/etc/pki/tls/openssl.cnf"), facts.Text("/etc/pki/tls/openssl.cnf"));
        // grubenv has no final newline; grep -H ends every line with one.
        Assert.Equal(root.Read("/boot/grub2/grubenv") + "\n", facts.Text("/boot/grub2/grubenv"));
        Assert.Equal(FileFactState.Absent, facts.File("/etc/system-fips")!.State);
        Assert.Equal((1715000000L, 1715000060L), (facts.File("/etc/crypto-policies/config")!.ModifiedUnixSeconds, facts.File("/etc/crypto-policies/state/current")!.ModifiedUnixSeconds));
        Assert.Equal(64768L, facts.DirectoryDevice("/boot"));
        Assert.True(facts.PackagesKnown);
        Assert.Equal("3.0.7-27.el9", facts.Packages["openssl-libs"]);
        Assert.DoesNotContain("ubuntu-fips", facts.Packages.Keys);
        Assert.Equal(Providers.TrimEnd('\n'), facts.Command("openssl-providers")!.Output.TrimEnd('\n'));
        var report = Judge(facts);
        Assert.True(report.Compliant, report.Describe());
        Assert.Equal(Kernel, report.Os!.Kernel);
        Assert.Equal("x86_64", report.Os.Architecture);
        Assert.Equal(CheckStatus.Pass, report.StatusOf("LNX-SSL-01"));
        Assert.Equal(CheckStatus.Pass, report.StatusOf("LNX-FIPS-05")); // /boot/.vmlinuz-$(uname -r).hmac
        Assert.Equal(CheckStatus.Pass, report.StatusOf("LNX-FIPS-06")); // lsinitrd -m lists fips
        Assert.Equal(CheckStatus.NotApplicable, report.StatusOf("LNX-FIPS-03")); // same device
        Assert.Equal(NodeTransport.Ssh, report.Transport);
    }

    [Fact]
    public void Separate_boot_by_device_number_without_boot_token_fails_LNX_FIPS_03()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var report = Judge(ShellFactScript.Parse(LiveRhel9(root, bootDevice: 2049).Text(), NodeTransport.Ssh));
        Assert.Equal(CheckStatus.Fail, report.StatusOf("LNX-FIPS-03"));
        Assert.False(report.Compliant);
    }

    [Fact]
    public void Md5_still_working_means_the_fips_provider_is_not_the_default()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var report = Judge(ShellFactScript.Parse(LiveRhel9(root, md5Exit: 0).Text(), NodeTransport.Ssh));
        Assert.Equal(CheckStatus.Fail, report.StatusOf("LNX-SSL-01"));
    }

    [Fact]
    public void Config_newer_than_the_applied_policy_by_stat_fails_LNX_FIPS_09()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var report = Judge(ShellFactScript.Parse(LiveRhel9(root).Stat("/etc/crypto-policies/config", 1715009999, 64768).Text(), NodeTransport.Ssh));
        Assert.Equal(CheckStatus.Fail, report.StatusOf("LNX-FIPS-09"));
    }

    [Fact]
    public void Noise_before_the_first_marker_is_ignored()
    {
        var output = "Last login: Mon Nov 23 10:02:11 2026 from 10.0.0.5\n"
                     + "Register this system with Red Hat Insights: insights-client --register\n"
                     + "/proc/sys/crypto/fips_enabled:0\n" // looks like a grep line, but comes before any section
                     + "not a marker: @@FC p /etc/os-release\n"
                     + new Output().Present("/proc/sys/crypto/fips_enabled", "1\n").Text();
        var facts = ShellFactScript.Parse(output, NodeTransport.Ssh);
        Assert.True(facts.Complete);
        Assert.Equal(new[] { "/proc/sys/crypto/fips_enabled" }, facts.Files.Keys.ToArray());
        Assert.Equal("1\n", facts.Text("/proc/sys/crypto/fips_enabled"));
    }

    [Fact]
    public void Crlf_line_endings_from_a_pty_are_tolerated()
    {
        var output = new Output().Present("/proc/cmdline", "BOOT_IMAGE=(hd0,gpt3)/boot/vmlinuz root=/dev/vda3 ro fips=1\n").Command("uname", 0, Kernel + " x86_64").Text()
            .Replace("\n", "\r\n", StringComparison.Ordinal);
        var facts = ShellFactScript.Parse(output, NodeTransport.Ssh);
        Assert.True(facts.Complete);
        Assert.Equal("BOOT_IMAGE=(hd0,gpt3)/boot/vmlinuz root=/dev/vda3 ro fips=1\n", facts.Text("/proc/cmdline"));
        Assert.Equal(Kernel, NodeOsReader.Read(facts).Kernel);
    }

    [Fact]
    public void Output_cut_short_is_incomplete_and_never_compliant()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var facts = ShellFactScript.Parse(LiveRhel9(root).Text(end: false), NodeTransport.Ssh); // no "@@FC end"
        Assert.False(facts.Complete);
        Assert.NotEmpty(facts.CollectionErrors);
        var report = Judge(facts);
        Assert.Empty(report.Findings); // every check that ran passed …
        Assert.False(report.Compliant, report.Describe()); // … and still nothing is proven
        Assert.Equal(ComplianceStatus.NonCompliant, report.Status);
        Assert.NotEmpty(report.Errors);
    }

    [Fact]
    public void Output_cut_before_the_contents_never_proves_anything()
    {
        using var root = FixtureRoot.Copy("rhel9-fips");
        var full = LiveRhel9(root).Text();
        var facts = ShellFactScript.Parse(full[..full.IndexOf("@@FC grep", StringComparison.Ordinal)], NodeTransport.Ssh);
        Assert.False(facts.Complete);
        var report = Judge(facts);
        Assert.False(report.Compliant);
        Assert.NotEqual(CheckStatus.Pass, report.StatusOf("LNX-FIPS-01"));
    }

    [Fact]
    public void Nul_bytes_survive_and_the_environ_of_pid_1_is_read()
    {
        const string environ = "HOME=/\0TERM=linux\0GNUTLS_FORCE_FIPS_MODE=0\0";
        var facts = ShellFactScript.Parse(new Output().Present("/proc/sys/crypto/fips_enabled", "1\n").Present("/proc/1/environ", environ).Text(), NodeTransport.Ssh);
        // grep ends the (newline-less) environ with a newline; the bytes before it are intact.
        Assert.Equal(Encoding.ASCII.GetBytes(environ), facts.File("/proc/1/environ")!.Content.AsSpan().TrimEnd((byte)'\n').ToArray());
        Assert.Equal(CheckStatus.Fail, Judge(facts).StatusOf("LNX-GNUTLS-01"));
    }

    [Fact]
    public void Gnutls_override_exported_in_the_probe_session_fails()
    {
        var facts = ShellFactScript.Parse(new Output().Present("/proc/sys/crypto/fips_enabled", "1\n")
            .Command("env", 0, "export GNUTLS_SKIP_FIPS_INTEGRITY_CHECKS='1'\nexport HOME='/root'").Text(), NodeTransport.Ssh);
        Assert.Equal(CheckStatus.Fail, Judge(facts).StatusOf("LNX-GNUTLS-01"));
    }

    [Fact]
    public void Unreadable_kernel_flag_is_an_error_and_never_compliant()
    {
        var facts = ShellFactScript.Parse(new Output().State("u", "/proc/sys/crypto/fips_enabled").Text(), NodeTransport.Ssh);
        Assert.Equal(FileFactState.Unreadable, facts.File("/proc/sys/crypto/fips_enabled")!.State);
        var profile = ComplianceProfiles.Parse("name: kernel-only\nchecks:\n  - { id: LNX-FIPS-01, severity: High }\n", "test");
        var report = NodeComplianceEvaluator.Evaluate(facts, profile, "node1", TimeSpan.Zero);
        Assert.Equal(CheckStatus.Error, report.StatusOf("LNX-FIPS-01"));
        Assert.False(report.Compliant);
        Assert.Null(report.FipsModeEnabled);
    }

    [Fact]
    public void Links_and_missing_commands_are_recorded()
    {
        var facts = ShellFactScript.Parse(new Output()
            .Link("/etc/crypto-policies/back-ends/openssh.config", "/usr/share/crypto-policies/FIPS/openssh.txt")
            .Link("/etc/crypto-policies/back-ends/gnutls.config", "../../../usr/share/crypto-policies/FIPS/gnutls.txt")
            .Missing("lsinitrd").Command("rpm", 2, "package openssl is not installed").Text(), NodeTransport.Ssh);
        Assert.Equal("/usr/share/crypto-policies/FIPS/openssh.txt", facts.LinkTarget("/etc/crypto-policies/back-ends/openssh.config"));
        Assert.Equal("/usr/share/crypto-policies/FIPS/gnutls.txt", facts.LinkTarget("/etc/crypto-policies/back-ends/gnutls.config"));
        Assert.False(facts.Command("lsinitrd")!.Available);
        Assert.Equal((true, 2), (facts.Command("rpm")!.Available, facts.Command("rpm")!.ExitCode));
        Assert.True(facts.PackagesKnown);
        Assert.Empty(facts.Packages);
    }

    [Fact]
    public async Task The_script_run_by_bin_sh_on_this_machine_parses_and_ends_with_the_end_marker()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/bin/sh"))
        {
            return;
        }
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ShellFactScript.Script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var errors = await stderr;
        Assert.Equal("@@FC end", output.TrimEnd('\n').Split('\n')[^1]);
        var facts = ShellFactScript.Parse(output, NodeTransport.Local);
        Assert.True(facts.Complete, errors);
        Assert.Equal(FileFactState.Present, facts.File("/proc/cmdline")!.State);
        Assert.Equal(System.IO.File.ReadAllBytes("/proc/cmdline"), facts.File("/proc/cmdline")!.Content);
        var osRelease = System.IO.File.Exists("/etc/os-release") ? "/etc/os-release" : "/usr/lib/os-release";
        Assert.Equal(System.IO.File.ReadAllText(osRelease), facts.Text(osRelease));
        Assert.True(facts.DirectoryExists("/"));
        Assert.NotNull(facts.DirectoryDevice("/"));
        Assert.Equal(Environment.OSVersion.Version.Major, int.Parse(facts.Command("uname")!.Output.Split('.')[0]));
        // Every catalogued file is reported, one way or another.
        Assert.All(LinuxFactCatalog.Files, f => Assert.NotNull(facts.File(f)));
        var report = NodeComplianceEvaluator.Evaluate(facts, ComplianceProfiles.Default, "localhost", TimeSpan.Zero);
        Assert.NotEqual("", report.Os!.Id);
        Assert.DoesNotContain(report.Checks, c => c.Status is CheckStatus.Error && c.CheckId != "LNX-FIPS-01");
    }
}
