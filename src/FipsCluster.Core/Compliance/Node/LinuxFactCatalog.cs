namespace FipsCluster.Core.Compliance.Node;

/// <summary>A file set: every entry of <see cref="Directory"/> whose name ends with <see cref="Suffix"/> (hidden files included).</summary>
public sealed record FactGlob(string Directory, string Suffix);

/// <summary>A command run on a live node; <see cref="Probe"/> is the executable whose absence means "not installed".</summary>
public sealed record FactCommand(string Id, string Probe, string ShellText);

/// <summary>
/// What is read from a Linux node, in one place: the shell script sent over SSH (or run locally) and the
/// reader of a mounted image both work from this list, so every transport produces the same facts.
/// </summary>
public static class LinuxFactCatalog
{
    public const string FipsEnabled = "/proc/sys/crypto/fips_enabled";
    public const string FipsName = "/proc/sys/crypto/fips_name";
    public const string FipsVersion = "/proc/sys/crypto/fips_version";
    public const string Cmdline = "/proc/cmdline";
    public const string MountInfo = "/proc/self/mountinfo";
    public const string OsRelease = "/etc/os-release";
    public const string UsrOsRelease = "/usr/lib/os-release";
    public const string SystemFips = "/etc/system-fips";
    public const string GrubEnv = "/boot/grub2/grubenv";
    public const string DefaultGrub = "/etc/default/grub";
    public const string DefaultGrubD = "/etc/default/grub.d";
    public const string LoaderEntries = "/boot/loader/entries";
    public const string BootcKargs = "/usr/lib/bootc/kargs.d";
    public const string Boot = "/boot";
    public const string DracutConfD = "/etc/dracut.conf.d";

    /// <summary>dracut's main configuration file, sourced before the conf.d directories.</summary>
    public const string DracutConf = "/etc/dracut.conf";
    public const string CryptoPolicyConfig = "/etc/crypto-policies/config";
    public const string CryptoPolicyCurrent = "/etc/crypto-policies/state/current";
    public const string CryptoPolicyBackEnds = "/etc/crypto-policies/back-ends";

    /// <summary>update-crypto-policies' dump of the applied policy; its first line is "# Policy NAME[:SUB...] dump".</summary>
    public const string CryptoPolicyDump = "/etc/crypto-policies/state/CURRENT.pol";

    /// <summary>dracut's distribution configuration directory (bootc images put their 40-fips.conf here).</summary>
    public const string DracutLibConfD = "/usr/lib/dracut/dracut.conf.d";

    /// <summary>The RPM database of RHEL 9+ (SQLite); /var/lib/rpm is a link to /usr/lib/sysimage/rpm on RHEL 10 and Fedora 36+.</summary>
    public const string RpmSqliteDatabase = "/var/lib/rpm/rpmdb.sqlite";

    /// <summary>Where rpm keeps its database on RHEL 10 and Fedora 36+ (an image may lack the /var/lib/rpm link).</summary>
    public const string RpmSysimageSqliteDatabase = "/usr/lib/sysimage/rpm/rpmdb.sqlite";

    /// <summary>The RPM database of RHEL 7 and 8 (Berkeley DB hash).</summary>
    public const string RpmBerkeleyDatabase = "/var/lib/rpm/Packages";
    public const string GcryptFipsFile = "/etc/gcrypt/fips_enabled";
    public const string EtcEnvironment = "/etc/environment";
    public const string InitEnviron = "/proc/1/environ";
    public const string InitCgroup = "/proc/1/cgroup";
    public const string DockerEnv = "/.dockerenv";
    public const string ContainerEnv = "/run/.containerenv";
    public const string UbuntuAdvantageStatus = "/var/lib/ubuntu-advantage/status.json";
    public const string DpkgStatus = "/var/lib/dpkg/status";

    /// <summary>The OpenSSL configuration files distributions use; includes are followed from each.</summary>
    public static readonly string[] OpenSslConfigs = { "/etc/ssl/openssl.cnf", "/etc/pki/tls/openssl.cnf", "/usr/lib/ssl/openssl.cnf", "/usr/local/ssl/openssl.cnf" };

    /// <summary>Where distributions install OpenSSL 3 provider modules (fips.so).</summary>
    public static readonly string[] OpenSslModuleDirs =
    {
        "/usr/lib64/ossl-modules", "/usr/lib/x86_64-linux-gnu/ossl-modules", "/usr/lib/aarch64-linux-gnu/ossl-modules",
        "/usr/lib/ossl-modules", "/usr/local/lib64/ossl-modules", "/usr/local/lib/ossl-modules",
    };

    /// <summary>The crypto-policies back-ends CaC's fips_crypto_policy_symlinks rule expects to point at the FIPS policy.</summary>
    public static readonly string[] CryptoPolicyBackEndNames =
    {
        "bind", "gnutls", "java", "javasystem", "krb5", "libreswan", "libssh", "openssh", "opensshserver", "opensslcnf", "openssl", "openssl_fips",
    };

    /// <summary>
    /// Every crypto-policies back-end file, read with its mtime whatever its form: update-crypto-policies links
    /// &lt;name&gt;.config to /usr/share/crypto-policies/&lt;policy&gt;/&lt;name&gt;.txt only when that pre-built directory
    /// exists and no local.d file applies; for a policy with sub-policies (FIPS:OSPP) it writes regular files.
    /// </summary>
    public static readonly string[] CryptoPolicyBackEndFiles =
        CryptoPolicyBackEndNames.Append("nss").Select(name => $"{CryptoPolicyBackEnds}/{name}.config").ToArray();

    /// <summary>Packages whose presence is evidence (FIPS meta-packages, FIPS modules, HMAC files).</summary>
    public static readonly string[] Packages =
    {
        "ubuntu-fips", "ubuntu-aws-fips", "ubuntu-azure-fips", "ubuntu-gcp-fips", "ubuntu-fips-userspace", "linux-fips", "fips-initramfs",
        "openssl-fips-module-3", "libssl1.1-hmac", "libgcrypt20-hmac", "openssh-server-hmac", "openssh-client-hmac",
        "openssl", "libssl3", "libgcrypt20", "libgnutls30", "dracut-fips", "dracut-fips-aesni", "crypto-policies", "openssl-libs", "libgcrypt", "gnutls",
    };

    /// <summary>Cluster component binaries whose Go crypto module is checked, by name.</summary>
    public static readonly string[] ComponentBinaryNames =
    {
        "kubelet", "kubeadm", "kubectl", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy", "etcd",
        "containerd", "containerd-shim-runc-v2", "ctr", "crictl", "runc", "dockerd", "docker",
    };

    /// <summary>Where the component binaries are looked for.</summary>
    public static readonly string[] ComponentBinaryDirectories = { "/usr/bin", "/usr/sbin", "/usr/local/bin", "/var/lib/rancher/rke2/bin" };

    /// <summary>Every component binary path: each name in each directory.</summary>
    public static readonly string[] ComponentBinaries =
        ComponentBinaryNames.SelectMany(name => ComponentBinaryDirectories.Select(dir => dir + "/" + name)).ToArray();

    /// <summary>Where cluster certificates and private keys live (kubeadm, kubelet, Docker Swarm, RKE2).</summary>
    public static readonly string[] PkiDirectories =
    {
        "/etc/kubernetes/pki", "/etc/kubernetes/pki/etcd", "/var/lib/kubelet/pki", "/var/lib/docker/swarm/certificates",
        "/var/lib/rancher/rke2/server/tls", "/var/lib/rancher/rke2/server/tls/etcd",
    };

    /// <summary>
    /// How much of a remote binary is sent from its buildinfo header on when the node cannot measure the blob (no od):
    /// enough for the inline version and modinfo strings of any component binary seen.
    /// </summary>
    public const int BuildInfoFallbackWindow = 65536;

    /// <summary>The largest build-info blob a node sends by its measured bounds (a larger length is a corrupt header).</summary>
    public const int BuildInfoLimit = 1 << 20;

    /// <summary>Single files read verbatim (bounded).</summary>
    public static readonly string[] Files = new[]
    {
        FipsEnabled, FipsName, FipsVersion, Cmdline, MountInfo, OsRelease, UsrOsRelease, SystemFips, GrubEnv, DefaultGrub,
        CryptoPolicyConfig, CryptoPolicyCurrent, GcryptFipsFile, EtcEnvironment, InitEnviron, InitCgroup, DockerEnv, ContainerEnv,
        UbuntuAdvantageStatus, CryptoPolicyDump, DracutConf,
    }.Concat(CryptoPolicyBackEndFiles).ToArray();

    /// <summary>Files whose mtime and device number matter (crypto policy freshness).</summary>
    public static readonly string[] StatFiles = new[] { CryptoPolicyConfig, CryptoPolicyCurrent, CryptoPolicyDump }.Concat(CryptoPolicyBackEndFiles).ToArray();

    /// <summary>Directories whose device number tells whether they are separate filesystems.</summary>
    public static readonly string[] StatDirectories = { "/", Boot };

    public static readonly FactGlob[] Globs =
    {
        new(LoaderEntries, ".conf"),
        new(DefaultGrubD, ".cfg"),
        new(BootcKargs, ".toml"),
        new(DracutConfD, ".conf"),
        new(DracutLibConfD, ".conf"),
        new(Boot, ".hmac"),
    };

    public static readonly string[] Directories = { LoaderEntries, Boot, CryptoPolicyBackEnds, DracutConfD };

    /// <summary>
    /// Commands run on live nodes only; an offline image is never executed. Each costs a process on every node
    /// of a fleet, so only what no file can tell is here (update-crypto-policies --is-applied, a Python
    /// program, is left out: LNX-FIPS-09 applies its logic to the files directly).
    /// </summary>
    /// <summary>`openssl version -a`: the script runs it first and also reads OPENSSLDIR/MODULESDIR from it.</summary>
    public const string OpenSslVersionCommand = "openssl-version";

    public static readonly FactCommand[] Commands =
    {
        new("uname", "uname", "uname -r -m"),
        new("openssl-providers", "openssl", "openssl list -providers"),
        // The negative test of fips_module(7): with only FIPS algorithms available, MD5 must be refused.
        new("openssl-md5", "openssl", "openssl md5 </dev/null"),
        new("lsinitrd", "lsinitrd", "lsinitrd -m"),
        new("dpkg", "dpkg-query", "dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\\n' " + string.Join(' ', Packages)),
        new("rpm", "rpm", "rpm -q --qf '%{NAME} %{VERSION}-%{RELEASE} installed\\n' " + string.Join(' ', Packages)),
        // The probe session's exported environment (a shell builtin: no process).
        new("env", "export", "export -p"),
    };
}

/// <summary>
/// Which facts a run needs: the OS facts always; each kind of artifact only when a check of the profile judges it. On
/// a fleet the node's CPU is the limit, and scanning every component binary costs a node far more than the OS facts.
/// </summary>
[Flags]
public enum FactScope
{
    Os = 1,
    Binaries = 2,
    Pki = 4,
    KubeEncryption = 8,
    Artifacts = Binaries | Pki | KubeEncryption,
    All = Os | Artifacts,
}
