namespace FipsCluster.Module.Tests.Harness;

/// <summary>
/// What the swarm tests on the simulated FIPS node share: real engines, the SSH nodes, the module session, and a cluster
/// store of their own (FIPSCLUSTER_HOME in a temporary folder, deleted with everything in it afterwards), with the
/// tailored profile a simulated FIPS node passes. The derived class carries [Collection("dockerd")] and the class fixtures.
/// </summary>
public abstract class SwarmNodeTestBase : IDisposable
{
    protected SwarmNodeTestBase(DockerSwarmFixture docker, SshNodesFixture nodes, ModuleFixture module)
    {
        Docker = docker;
        Nodes = nodes;
        Ps = module.Session;
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", Home);
    }

    protected DockerSwarmFixture Docker { get; }

    protected SshNodesFixture Nodes { get; }

    protected PsSession Ps { get; }

    /// <summary>The cluster store's folder (FIPSCLUSTER_HOME); created by whoever writes into it first.</summary>
    protected string Home { get; } = Path.Combine("/tmp", "fc-home-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>
    /// Requires the engines and the SSH nodes (a skip, or a failure under CI=true), and names what a test's engines on
    /// the simulated FIPS node use: a suffix for their names and a trust key file, which gives them the node's engine ID
    /// (pass it to DockerSwarmFixture.StartDaemon with the node's namespace, and to SshNodesFixture.UseDockerTrustKey).
    /// </summary>
    protected (string Suffix, string NodeKey) PrepareFipsNode()
    {
        Docker.RequireEngines();
        Nodes.Require();
        var suffix = Guid.NewGuid().ToString("N")[..4];
        return (suffix, Path.Combine(Nodes.WorkDirectory, $"fips-node-key-{suffix}.json"));
    }

    /// <summary>
    /// Writes the profile a simulated FIPS node passes into <see cref="Home"/> and returns its path: what such a node proves
    /// about itself (the node is Debian, whose dockerd is standard Go crypto, so the binary and OS-provenance checks are
    /// left out), plus <paramref name="extraChecks"/> (profile lines such as "- { id: LNX-GCRY-01 }").
    /// </summary>
    protected string SimFipsProfile(params string[] extraChecks)
    {
        Directory.CreateDirectory(Home);
        var profile = Path.Combine(Home, "sim-fips.yaml");
        File.WriteAllText(profile, "name: Sim-FIPS\nstandard: FIPS 140-3\nchecks:\n  - { id: LNX-FIPS-01, severity: High }\n  - { id: LNX-FIPS-02, severity: High }\n  - { id: LNX-SSL-01, severity: High }\n"
            + string.Concat(extraChecks.Select(c => "  " + c + "\n")));
        return profile;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("FIPSCLUSTER_HOME", null);
        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
        GC.SuppressFinalize(this);
    }
}
