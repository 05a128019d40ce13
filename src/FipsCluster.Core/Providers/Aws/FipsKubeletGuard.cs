namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The seed's "refuse to start outside FIPS mode", for Kubernetes, in the renderings of a FIPS spec only: a check at the
/// top of the bootstrap commands that stops a host outside FIPS mode before kubeadm runs, and a kubelet systemd drop-in
/// whose ExecStartPre runs a gate (fips-kubelet-check.sh, shipped as an embedded resource) that refuses unless the
/// kernel is in FIPS mode, the program kubelet.service starts is a FIPS build by the same judgement as
/// Test-FipsBinary, and the unit's environment does not turn Go's FIPS mode off. FIPS_ROOT lets the gate be exercised
/// against a directory tree.
/// </summary>
public static class FipsKubeletGuard
{
    public const string ScriptPath = "/usr/local/bin/fips-kubelet-check";
    public const string DropInPath = "/etc/systemd/system/kubelet.service.d/10-fips.conf";

    public const string DropIn = "# FipsCluster: kubelet refuses to start on a host that is not in FIPS mode.\n[Service]\nExecStartPre=" + ScriptPath + "\n";

    /// <summary>The gate, exactly as it is written to <see cref="ScriptPath"/>.</summary>
    public static string Script { get; } = LoadScript();

    /// <summary>
    /// The first bootstrap command of a FIPS node (cloud-init runcmd; CAPI preKubeadmCommands, which CABPK writes into
    /// runcmd). cloud-init joins runcmd into one /bin/sh script without set -e, inserting a string item verbatim
    /// (util.shellify): so this is a string, not an argument list, and its exit ends that whole script — nothing after it
    /// runs, and cloud-init reports the failure that New-FipsCluster reads over SSH.
    /// </summary>
    public const string EarlyCheck =
        "test \"$(cat /proc/sys/crypto/fips_enabled 2>/dev/null)\" = 1 || { echo 'FipsCluster: this host is not in FIPS mode (/proc/sys/crypto/fips_enabled is not 1): stopping the bootstrap before kubeadm' >&2; exit 1; }";

    /// <summary>
    /// What the gate lets start, in Test-FipsBinary's terms: an ELF file whose crypto module is BoringCrypto (with or
    /// without fipsonly), OpenSSL-backed, or Go's FIPS 140-3 module frozen as a v1.x release (GOFIPS140=v1.…) — not the
    /// in-tree module (GOFIPS140=latest, or fips140=on without GOFIPS140), which is no validated or frozen module.
    /// </summary>
    public static bool Accepts(GoBinaryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Format == "ELF" && report.CryptoModule switch
        {
            GoCryptoModule.BoringCrypto or GoCryptoModule.BoringCryptoFipsOnly or GoCryptoModule.OpenSSLBacked => true,
            GoCryptoModule.GoFips140 => report.Fips140ModuleVersion?.StartsWith("v1.", StringComparison.Ordinal) == true,
            _ => false,
        };
    }

    private static string LoadScript()
    {
        using var stream = typeof(FipsKubeletGuard).Assembly.GetManifestResourceStream("FipsCluster.fips-kubelet-check.sh")
            ?? throw new InvalidOperationException("The kubelet FIPS gate is missing from FipsCluster.Core (embedded resource FipsCluster.fips-kubelet-check.sh).");
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().ReplaceLineEndings("\n").Split('\n');
        // Nodes get the script without its comment lines (the source keeps them): the Cluster API CRDs cap a bootstrap
        // file at 10,240 characters, and the whole user data must stay under EC2's 16 KB. Every test runs this text.
        return string.Join('\n', lines.Take(1)
            .Append("# FipsCluster kubelet FIPS gate: refuses to start kubelet outside FIPS mode or on a non-FIPS build (Get-Help about_FipsCluster_Kubernetes).")
            .Concat(lines.Skip(1).Where(line => !line.TrimStart().StartsWith('#'))));
    }
}
