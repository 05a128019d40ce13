using System.Text;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Core.Tests.Artifacts.GoBinaries;
using Xunit;
using static FipsCluster.Core.Tests.Artifacts.GoBinaries.SyntheticBinaries;

namespace FipsCluster.Core.Tests.Providers;

/// <summary>
/// The kubelet FIPS gate (fips-kubelet-check.sh) run for real — by dash and by busybox sh, with PATH holding only the
/// tools a minimal RHEL image has — against real Go builds, doctored files and synthetic ELFs: it lets start exactly
/// what Test-FipsBinary's analyzer calls a FIPS module (FipsKubeletGuard.Accepts), file by file; it takes the
/// program from kubelet.service as systemd merges it, and refuses a unit environment that turns FIPS off.
/// </summary>
[Collection(GoToolchainCollection.Name)]
public sealed class KubeletGateTests(GoToolchainFixture go, KubeletGateFixture gate) : IClassFixture<KubeletGateFixture>
{
    private string Shell(string name) => name == "busybox" ? gate.Busybox! : "/bin/sh";

    /// <summary>Every file the gate is judged on, and whether it must be let through.</summary>
    private IEnumerable<(string Name, string Path, bool FipsModule)> Files()
    {
        // Real builds: Go 1.19 (Debian bookworm's golang, GOEXPERIMENT=boringcrypto) and Go 1.24 (GOFIPS140).
        foreach (var (name, fips) in new[]
        {
            ("std", false), ("boring", true), ("boring-nocgo", false), ("boring-stripped", true), ("fipsonly", true),
            ("fipsonly-nocgo", false), ("nocrypto", false), ("nocrypto-stripped", false), ("linux-arm64", false),
            ("linux-arm64-stripped", false), ("linux-ppc64", false), ("linux-386", false), ("windows-amd64", false),
            ("darwin-amd64", false),
        })
        {
            yield return (name, go[name], fips);
        }
        foreach (var (name, fips) in new[]
        {
            ("go1.24-std", false), ("go1.24-gofips140-v1.0.0", true), ("go1.24-gofips140-v1.0.0-arm64", true),
            ("go1.24-gofips140-v1.0.0-debug-off", false), ("go1.24-gofips140-latest", false), ("go1.24-boring-pie", true),
            ("go1.24-boring-arm64", true), ("go1.24-boring-arm64-stripped", true),
        })
        {
            yield return (name, gate.Binaries[name], fips);
        }

        // Doctored: what the old grep-the-whole-file gate let through.
        var std = File.ReadAllBytes(go["std"]);
        yield return Doctored("std+GOFIPS140-text", std.Concat(KubeletGateFixture.Text("\nbuild\tGOFIPS140=v1.0.0\nbuild\tCGO_ENABLED=1\ngo1.22.5 X:boringcrypto\n")).ToArray(), false);
        var padding = new byte[(16 - std.Length % 16) % 16];
        yield return Doctored("std+boring-marker-and-names", std.Concat(padding).Concat(BoringMarker).Concat(KubeletGateFixture.Text("\0_Cfunc__goboringcrypto_SHA256\0crypto/internal/boring/sig.BoringCrypto\0")).ToArray(), false);
        yield return Doctored("wrapper-script", KubeletGateFixture.Text("#!/bin/sh\n# _Cfunc__goboringcrypto_ X:boringcrypto GOFIPS140=v1.0.0 CGO_ENABLED=1 ").Concat(Magic).Concat(KubeletGateFixture.Text("\n"))
            .Concat(BoringMarker).Concat(KubeletGateFixture.Text("\nexec /usr/bin/kubelet.real \"$@\"\n")).ToArray(), false);
        yield return Doctored("elf-magic-then-markers", new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }.Concat(new byte[60]).Concat(BoringMarker)
            .Concat(KubeletGateFixture.Text("_Cfunc__goboringcrypto_ build\tGOFIPS140=v1.0.0\n")).ToArray(), false);

        // Synthetic ELFs for what no toolchain here builds: Red Hat's OpenSSL-backed Go, other module versions,
        // the pre-1.18 pointer form, big-endian and 32-bit files.
        yield return Doctored("redhat-strictfipsruntime", ElfWithInline("go1.23.10 (Red Hat 1.23.10-10.el9) X:strictfipsruntime", Settings("CGO_ENABLED=1", "GOARCH=amd64", "GOEXPERIMENT=strictfipsruntime")), true);
        yield return Doctored("systemcrypto", ElfWithInline("go1.25.1", Settings("CGO_ENABLED=1", "GOEXPERIMENT=systemcrypto")), true);
        yield return Doctored("gofips140-v1.0.0-c2097c7c", ElfWithInline("go1.26.1", Settings("CGO_ENABLED=0", "DefaultGODEBUG=fips140=on", "GOFIPS140=v1.0.0-c2097c7c")), true);
        yield return Doctored("gofips140-v1.26.0", ElfWithInline("go1.26.1", Settings("DefaultGODEBUG=fips140=on", "GOFIPS140=v1.26.0")), true);
        yield return Doctored("gofips140-quoted-godebug-off", ElfWithInline("go1.26.1", Settings("\"DefaultGODEBUG\"=\"tlsrsakex=1,fips140=off\"", "GOFIPS140=v1.0.0")), false);
        yield return Doctored("fips140-on-without-gofips140", ElfWithInline("go1.24.1", Settings("DefaultGODEBUG=fips140=on")), false);
        yield return Doctored("gofips140-with-boringcrypto", ElfWithInline("go1.24.1 X:boringcrypto", Settings("CGO_ENABLED=1", "GOFIPS140=v1.0.0")), false);
        yield return Doctored("boringcrypto-noboringcrypto", ElfWithInline("go1.22.5", Settings("CGO_ENABLED=1", "GOEXPERIMENT=boringcrypto,noboringcrypto"), new[] { StandardMarker }), false);
        yield return Doctored("pointer-form-go1.16b7-boring", ElfWithPointerForm("go1.16.15b7", ModInfo("path\texample.com/cmd\nmod\texample.com/cmd\t(devel)\t\n"), markers: new[] { BoringMarker }), true);
        yield return Doctored("pointer-form-go1.16-standard", ElfWithPointerForm("go1.16.15", ModInfo("path\texample.com/cmd\nmod\texample.com/cmd\t(devel)\t\n"), markers: new[] { StandardMarker }), false);
        yield return Doctored("s390x-boring-names", ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=s390x"),
            symbols: new[] { "_Cfunc__goboringcrypto_SHA256_Init", "crypto/internal/boring/sig.BoringCrypto.abi0", "crypto/sha256.Sum256" }, bigEndian: true, machine: 22), true);
        yield return Doctored("elf32-386-gofips140", ElfWithInline("go1.24.1", Settings("GOARCH=386", "GOFIPS140=v1.0.0"), is64: false, machine: 3), true);
        yield return Doctored("arm64-boring-claim-unconfirmable", ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=arm64"), machine: 183), true);
        yield return Doctored("amd64-boring-claim-without-marker", ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=amd64")), false);
        yield return Doctored("arm64-boring-claim-standard-names", ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1", "GOARCH=arm64"),
            symbols: new[] { "crypto/internal/boring/sig.StandardCrypto", "crypto/sha256.Sum256" }, machine: 183), false);
    }

    private (string Name, string Path, bool FipsModule) Doctored(string name, byte[] content, bool fipsModule) => (name, Write(name, content), fipsModule);

    private string Write(string name, byte[] content)
    {
        var dir = Path.Combine(gate.Root, "doctored");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private void Require()
    {
        go.RequireGo();
        gate.Require();
    }

    [SkippableTheory]
    [InlineData("dash")]
    [InlineData("busybox")]
    public void The_gate_lets_start_exactly_what_Test_FipsBinary_calls_a_FIPS_module_file_by_file(string shell)
    {
        Require();
        var rows = new System.Collections.Concurrent.ConcurrentBag<string>();
        var disagreements = new System.Collections.Concurrent.ConcurrentBag<string>();
        var files = Files().ToList();
        Assert.True(files.Count >= 40, $"{files.Count} files");
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, file =>
        {
            var report = GoBinaryAnalyzer.Analyze(file.Path);
            var analyzer = FipsKubeletGuard.Accepts(report);
            using var root = new GateRoot(gate.Root);
            root.Unit().Binary("/usr/bin/kubelet", file.Path);
            var run = root.Run(Shell(shell), toolsPath: gate.ToolsPath);
            var message = (run.Output + run.Error).Trim();
            rows.Add($"{file.Name}: {report.CryptoModule}{(report.Fips140ModuleVersion is { } v ? " " + v : "")} ({report.Status}) → gate exit {run.Exit}: {message}");
            if (analyzer != file.FipsModule)
            {
                disagreements.Add($"{file.Name}: the analyzer says {report.CryptoModule} {report.Fips140ModuleVersion} ({report.Reason}); the truth table says {(file.FipsModule ? "FIPS" : "not FIPS")}");
            }
            if ((run.Exit == 0) != analyzer)
            {
                disagreements.Add($"{file.Name}: the gate {(run.Exit == 0 ? "accepts" : "refuses")} ({message}) what the analyzer calls {report.CryptoModule} {report.Fips140ModuleVersion} ({report.Reason})");
            }
            // The gate always says why, on the right stream, and nothing else happens on failure: exit 1, not a crash.
            Assert.True(run.Exit is 0 or 1, $"{file.Name}: exit {run.Exit}: {message}");
            Assert.StartsWith("fips-kubelet-check: ", run.Exit == 0 ? run.Output : run.Error);
            Assert.True(run.Exit != 0 || run.Error.Length == 0, $"{file.Name}: stderr on success: {run.Error}");
        });
        Assert.True(disagreements.IsEmpty, string.Join("\n", disagreements.Concat(new[] { "--- all:" }).Concat(rows.OrderBy(r => r, StringComparer.Ordinal))));
    }

    [SkippableFact]
    public void Refusals_name_the_reason()
    {
        Require();
        string Refusal(string binary, string? fipsEnabled = "1")
        {
            using var root = new GateRoot(gate.Root, fipsEnabled);
            root.Unit().Binary("/usr/bin/kubelet", binary);
            var run = root.Run("/bin/sh");
            Assert.Equal(1, run.Exit);
            Assert.Empty(run.Output);
            return run.Error;
        }
        // The kernel first: a FIPS kubelet on a non-FIPS kernel does not start.
        Assert.Contains("the kernel is not in FIPS mode (fips_enabled=0)", Refusal(go["boring"], "0"));
        Assert.Contains("fips_enabled=missing", Refusal(go["boring"], null));
        Assert.Contains("CGO_ENABLED=0", Refusal(go["boring-nocgo"]));
        Assert.Contains("DefaultGODEBUG sets fips140=off", Refusal(gate.Binaries["go1.24-gofips140-v1.0.0-debug-off"]));
        Assert.Contains("GOFIPS140=latest, which is not a frozen v1", Refusal(gate.Binaries["go1.24-gofips140-latest"]));
        Assert.Contains("is not a FIPS build", Refusal(go["std"]));
        Assert.Contains("is not an ELF executable", Refusal(Write("plain-text", KubeletGateFixture.Text("_Cfunc__goboringcrypto_ GOFIPS140=v1.0.0\n"))));
        Assert.Contains("not an executable (e_type 1)", Refusal(Write("relocatable", ElfWithInline("go1.22.5 X:boringcrypto", Settings("CGO_ENABLED=1")).Select((b, i) => i == 16 ? (byte)1 : b).ToArray())));

        using var accepted = new GateRoot(gate.Root);
        accepted.Unit().Binary("/usr/bin/kubelet", go["fipsonly"]);
        var ok = accepted.Run("/bin/sh");
        Assert.Equal(0, ok.Exit);
        Assert.Contains("/usr/bin/kubelet: Go+BoringCrypto with crypto/tls/fipsonly", ok.Output);
    }

    [SkippableFact]
    public void The_program_is_the_one_kubelet_service_starts_with_its_drop_ins_merged_as_systemd_does()
    {
        Require();
        var fips = go["boring"];
        var standard = go["std"];
        (int Exit, string Error) Gate(Action<GateRoot> arrange)
        {
            using var root = new GateRoot(gate.Root);
            arrange(root);
            var run = root.Run("/bin/sh");
            return (run.Exit, run.Output + run.Error);
        }

        // kubeadm's drop-in resets ExecStart and starts another path: that program is judged, not /usr/bin/kubelet.
        var kubeadmDropIn = "[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"\n"
            + "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nExecStart=\nExecStart=/opt/fips/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_KUBEADM_ARGS\n";
        var viaDropIn = Gate(r => r.Unit().Binary("/usr/bin/kubelet", standard).Binary("/opt/fips/bin/kubelet", fips)
            .File("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", kubeadmDropIn));
        Assert.Equal(0, viaDropIn.Exit);
        Assert.Contains("/opt/fips/bin/kubelet: Go+BoringCrypto", viaDropIn.Error);
        var standardViaDropIn = Gate(r => r.Unit().Binary("/usr/bin/kubelet", fips).Binary("/opt/fips/bin/kubelet", standard)
            .File("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", kubeadmDropIn));
        Assert.Equal(1, standardViaDropIn.Exit);
        Assert.Contains("/opt/fips/bin/kubelet is not a FIPS build", standardViaDropIn.Error);

        // A drop-in in /etc replaces the one of the same name in /usr/lib; later names apply later; continuation lines;
        // systemd's prefixes and a bare name looked up in systemd's search path.
        var overridden = Gate(r => r.Unit().Binary("/usr/bin/kubelet", standard).Binary("/usr/local/bin/kubelet", fips)
            .File("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet\n")
            .File("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "[Service]\nExecStart=\nExecStart=-/usr/local/bin/kubelet \\\n  --v=2\n"));
        Assert.Equal(0, overridden.Exit);
        Assert.Contains("/usr/local/bin/kubelet: Go+BoringCrypto", overridden.Error);
        var later = Gate(r => r.Unit().Binary("/usr/bin/kubelet", standard).Binary("/opt/fips/bin/kubelet", fips)
            .File("/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", "[Service]\nExecStart=\nExecStart=/opt/fips/bin/kubelet\n")
            .File("/etc/systemd/system/kubelet.service.d/20-local.conf", "[Service]\nExecStart=\nExecStart=@kubelet kubelet-alias --v=2\n"));
        Assert.Equal(1, later.Exit);
        Assert.Contains("/usr/bin/kubelet is not a FIPS build", later.Error);
        // Settings outside [Service] are not the service's; /etc/systemd/system/kubelet.service replaces the packaged unit.
        var ownUnit = Gate(r => r.Unit("/usr/bin/kubelet").Binary("/usr/bin/kubelet", standard).Binary("/opt/kubelet", fips)
            .File("/etc/systemd/system/kubelet.service", "[Unit]\nExecStart=/usr/bin/kubelet\n[Service]\n  ExecStart = /opt/kubelet\n"));
        Assert.Equal(0, ownUnit.Exit);
        Assert.Contains("/opt/kubelet: Go+BoringCrypto", ownUnit.Error);

        var quoted = Gate(r => r.Binary("/opt/my kubelet/kubelet", fips)
            .File("/usr/lib/systemd/system/kubelet.service", "[Service]\nExecStart=-\"/opt/my kubelet/kubelet\" --v=2\n"));
        Assert.Equal(0, quoted.Exit);
        Assert.Contains("/opt/my kubelet/kubelet: Go+BoringCrypto", quoted.Error);

        Assert.Contains("has no ExecStart", Gate(r => r.Unit().File("/etc/systemd/system/kubelet.service.d/90-off.conf", "[Service]\nExecStart=\n")).Error);
        Assert.Contains("no kubelet.service unit file", Gate(_ => { }).Error);
        Assert.Contains("is not a readable file", Gate(r => r.Unit("/usr/bin/missing")).Error);
    }

    [SkippableFact]
    public void A_unit_environment_that_turns_FIPS_off_is_refused()
    {
        Require();
        var fips = gate.Binaries["go1.24-gofips140-v1.0.0"];
        (int Exit, string Message) Gate(string dropIn, (string Path, string Content)? file = null, Dictionary<string, string>? env = null)
        {
            using var root = new GateRoot(gate.Root);
            root.Unit().Binary("/usr/bin/kubelet", fips).File("/etc/systemd/system/kubelet.service.d/20-env.conf", dropIn);
            if (file is { } f)
            {
                root.File(f.Path, f.Content);
            }
            var run = root.Run("/bin/sh", env);
            return (run.Exit, run.Output + run.Error);
        }

        Assert.Equal(0, Gate("[Service]\nEnvironment=\"GODEBUG=x509sha1=1\" KUBELET_EXTRA_ARGS=--v=2\n").Exit);
        var quoted = Gate("[Service]\nEnvironment=\"KUBELET_EXTRA_ARGS=--v=2 --max-pods=50\" \"GODEBUG=tlsrsakex=1,fips140=off\"\n");
        Assert.Equal(1, quoted.Exit);
        Assert.Contains("kubelet.service sets GODEBUG=tlsrsakex=1,fips140=off (Environment=), which turns Go's FIPS 140-3 mode off", quoted.Message);
        Assert.Equal(1, Gate("[Service]\nEnvironment=GODEBUG=fips140=off\n").Exit);
        // The last fips140 in the list counts, as in Go; an empty Environment= clears what came before.
        Assert.Equal(0, Gate("[Service]\nEnvironment=GODEBUG=fips140=off,fips140=on\n").Exit);
        Assert.Equal(0, Gate("[Service]\nEnvironment=GODEBUG=fips140=off\nEnvironment=\n").Exit);
        // Environment files, read after Environment= and overriding it (a leading '-' only means "may be missing").
        var fromFile = Gate("[Service]\nEnvironmentFile=-/etc/default/kubelet\n", ("/etc/default/kubelet", "# kubelet\nKUBELET_EXTRA_ARGS=--v=2\nGODEBUG=\"fips140=off\"\n"));
        Assert.Equal(1, fromFile.Exit);
        Assert.Contains("(EnvironmentFile=/etc/default/kubelet)", fromFile.Message);
        Assert.Equal(0, Gate("[Service]\nEnvironment=GODEBUG=fips140=off\nEnvironmentFile=/etc/default/kubelet\n", ("/etc/default/kubelet", "GODEBUG=fips140=on\n")).Exit);
        Assert.Equal(0, Gate("[Service]\nEnvironmentFile=-/etc/default/missing\n").Exit);
        // Under systemd the gate runs with the unit's environment (DefaultEnvironment= included): its own GODEBUG counts too.
        var own = Gate("[Service]\n", env: new() { ["GODEBUG"] = "fips140=off" });
        Assert.Equal(1, own.Exit);
        Assert.Contains("the environment sets GODEBUG=fips140=off", own.Message);
    }

    [SkippableFact]
    public void On_a_host_the_unit_comes_from_systemctl_show()
    {
        Require();
        FipsFlagNamespace.Require();
        var dir = Path.Combine(gate.Root, "systemctl-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(dir);
        var script = Path.Combine(dir, "fips-kubelet-check");
        File.WriteAllText(script, FipsKubeletGuard.Script);
        var envFile = Path.Combine(dir, "kubeadm-flags.env");
        var calls = Path.Combine(dir, "systemctl.log");
        // A stand-in for systemctl that prints what systemd 252 prints for `systemctl show -p X kubelet.service`.
        var bin = Path.Combine(dir, "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "systemctl"), $$"""
            #!/bin/sh
            echo "$*" >> '{{calls}}'
            [ "$1 $2" = "show -p" ] && [ "$4" = kubelet.service ] || exit 1
            case $3 in
              ExecStart) echo "ExecStart={ path=$FC_KUBELET ; argv[]=$FC_KUBELET \$KUBELET_KUBECONFIG_ARGS \$KUBELET_CONFIG_ARGS ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }" ;;
              Environment) echo "Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf" KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml $FC_ENVIRONMENT" ;;
              EnvironmentFiles) echo "EnvironmentFiles={{envFile}} (ignore_errors=yes)"; echo "EnvironmentFiles=/etc/sysconfig/kubelet (ignore_errors=yes)" ;;
            esac
            """.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, "systemctl"), (UnixFileMode)0x1ED);

        (int Exit, string Message) Gate(string kubelet, string environment = "", string envFileContent = "")
        {
            File.WriteAllText(envFile, envFileContent);
            var run = FipsFlagNamespace.Run("1", "", new[] { "/bin/sh", script }, new Dictionary<string, string>
            {
                ["PATH"] = bin + ":" + gate.ToolsPath, ["FC_KUBELET"] = kubelet, ["FC_ENVIRONMENT"] = environment, ["FIPS_ROOT"] = "",
            });
            return (run.Exit, run.Output + run.Error);
        }

        var accepted = Gate(go["boring"]);
        Assert.Equal(0, accepted.Exit);
        Assert.Contains($"{go["boring"]}: Go+BoringCrypto", accepted.Message);
        Assert.Contains("show -p ExecStart kubelet.service", File.ReadAllText(calls));
        Assert.Contains($"{go["std"]} is not a FIPS build", Gate(go["std"]).Message);
        var environment = Gate(go["boring"], "GODEBUG=fips140=off");
        Assert.Equal(1, environment.Exit);
        Assert.Contains("(Environment=)", environment.Message);
        var file = Gate(go["boring"], "", "KUBELET_KUBEADM_ARGS=--container-runtime-endpoint=unix:///run/containerd/containerd.sock\nGODEBUG=fips140=off\n");
        Assert.Equal(1, file.Exit);
        Assert.Contains($"(EnvironmentFile={envFile})", file.Message);
        // The kernel flag is the host's own /proc here (the namespace's): 0 refuses before anything else is read.
        File.Delete(calls);
        var kernel = FipsFlagNamespace.Run("0", "", new[] { "/bin/sh", script }, new Dictionary<string, string> { ["PATH"] = bin + ":" + gate.ToolsPath, ["FC_KUBELET"] = go["boring"] });
        Assert.Equal(1, kernel.Exit);
        Assert.Contains("not in FIPS mode (fips_enabled=0)", kernel.Error);
        Assert.False(File.Exists(calls));
    }

    [SkippableFact]
    public void The_gate_is_POSIX_sh_that_shellcheck_passes()
    {
        gate.Require();
        Assert.StartsWith("#!/bin/sh\n", FipsKubeletGuard.Script);
        var path = Path.Combine(gate.Root, "fips-kubelet-check.sh");
        File.WriteAllText(path, FipsKubeletGuard.Script);
        var output = KubeletGateFixture.Run(gate.Shellcheck!, gate.Root, null, "-s", "sh", "-S", "warning", "-f", "gcc", path);
        Assert.Equal("", output);
        // The same call does find what sh lacks: [[ ]] and substrings are bash.
        File.WriteAllText(path + ".bad", "#!/bin/sh\nif [[ -n \"$x\" ]]; then echo \"${x:1}\"; fi\n");
        var bad = KubeletGateFixture.Run("/bin/sh", gate.Root, null, "-c", "\"$0\" -s sh -S warning -f gcc \"$1\"; echo \"exit=$?\"", gate.Shellcheck!, path + ".bad");
        Assert.Contains("SC3010", bad);
        Assert.Contains("exit=1", bad);
    }
}
