
namespace FipsCluster.Module.Tests.Harness;

/// <summary>
/// The whole tests/Pester suite, run once per test run in real pwsh + Pester, Integration examples included, against
/// real services started here: the simulated FIPS node over SSH (NodeCompliance), a dockerd swarm manager (SwarmTokens)
/// and the Kubernetes API stub (ClusterCompliance). The examples read their targets from the environment, as a user's
/// fleet suite would. A second run points the NodeCompliance example at this (non-FIPS) host, where it must fail.
/// Services are stopped as soon as the runs end.
/// </summary>
public sealed class PesterSuiteRun
{
    private static readonly Lazy<PesterSuiteRun> Shared = new(() => new PesterSuiteRun(), LazyThreadSafetyMode.ExecutionAndPublication);

    public static PesterSuiteRun Instance => Shared.Value;

    /// <summary>The profile the NodeCompliance example is given: what a Debian-based simulated FIPS node can prove.</summary>
    public static string SimulatedNodeProfile => Path.Combine(PesterRunner.SuiteDirectory, "Examples", "simulated-fips-node.profile.yaml");

    private static string NodeExample => Path.Combine(PesterRunner.SuiteDirectory, "Examples", "NodeCompliance.Tests.ps1");

    /// <summary>Every Pester test of the suite, or the reason the run could not happen.</summary>
    public PesterRunResult Suite { get; }

    /// <summary>The NodeCompliance example pointed at this host (plain sshd on loopback), with the same profile.</summary>
    public PesterRunResult? NodeExampleOnThisHost { get; }

    /// <summary>Why the Integration examples could not run (services missing), or null.</summary>
    public string? ServicesUnavailable { get; }

    private PesterSuiteRun()
    {
        var environment = new Dictionary<string, string?>
        {
            // The examples must never fall back to this host or the default Docker socket by accident.
            ["FIPS_NODES"] = null, ["FIPS_SSH_USER"] = null, ["FIPS_SSH_KEY"] = null, ["FIPS_KNOWN_HOSTS"] = null,
            ["FIPS_PROFILE"] = null, ["FIPS_KUBECONFIG"] = null, ["FIPS_KUBE_CONTEXT"] = null, ["FIPS_NODE_CHECK"] = null,
            ["DOCKER_HOST"] = null, ["FIPS_OPENSSL_CONF"] = null, ["FIPS_OPENSSL_MODULES"] = null,
        };
        SshNodesFixture? ssh = null;
        DockerSwarmFixture? docker = null;
        using var kubernetes = new KubernetesApiStub();
        var kubeconfig = Path.Combine(Path.GetTempPath(), "fc-pester-kubeconfig-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            ssh = new SshNodesFixture();
            docker = DockerSwarmFixture.ManagerOnly();
            ServicesUnavailable = ssh.Unavailable ?? docker.Unavailable;
            var excluded = new List<string>();
            if (ServicesUnavailable is null)
            {
                File.WriteAllText(kubeconfig, kubernetes.Kubeconfig());
                environment["FIPS_NODES"] = ssh.FipsNode;
                environment["FIPS_SSH_USER"] = ssh.UserName;
                environment["FIPS_SSH_KEY"] = ssh.KeyFile;
                environment["FIPS_KNOWN_HOSTS"] = ssh.KnownHosts;
                environment["FIPS_PROFILE"] = SimulatedNodeProfile;
                environment["DOCKER_HOST"] = docker.ManagerHost;
                environment["FIPS_KUBECONFIG"] = kubeconfig;
                // The simulated node's OpenSSL configuration (FIPS provider only), for tests that give it to this host's OpenSSL.
                environment["FIPS_OPENSSL_CONF"] = Path.Combine(ssh.WorkDirectory, "fips", "openssl.cnf");
                environment["FIPS_OPENSSL_MODULES"] = Path.Combine(ssh.WorkDirectory, "fips", "mods");
            }
            else
            {
                excluded.Add("Integration");
            }
            Suite = PesterRunner.Run(new[] { PesterRunner.SuiteDirectory }, environment, excluded);
            // .ci/run prints this beside its closing line, so the Pester share of the count is visible.
            if (Environment.GetEnvironmentVariable("FC_PESTER_SUMMARY") is { Length: > 0 } summary)
            {
                File.WriteAllText(summary, Suite.Summary + "\n");
            }
            if (ServicesUnavailable is null)
            {
                environment["FIPS_NODES"] = ssh.PlainNode;
                NodeExampleOnThisHost = PesterRunner.Run(new[] { NodeExample }, environment);
            }
        }
        finally
        {
            docker?.Dispose();
            ssh?.Dispose();
            File.Delete(kubeconfig);
        }
    }
}
