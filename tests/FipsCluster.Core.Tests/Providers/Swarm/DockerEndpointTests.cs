using FipsCluster.Core.Providers.Swarm;
using Xunit;

namespace FipsCluster.Core.Tests.Docker;

public sealed class DockerEndpointTests
{
    [Theory]
    [InlineData("unix:///var/run/docker.sock", DockerTransport.Unix, "/var/run/docker.sock", 0, false)]
    [InlineData("tcp://10.0.0.5:2376", DockerTransport.Tcp, "10.0.0.5", 2376, false)]
    [InlineData("tcp://manager1", DockerTransport.Tcp, "manager1", 2375, false)]
    [InlineData("https://manager1", DockerTransport.Tcp, "manager1", 2376, true)]
    [InlineData("npipe:////./pipe/docker_engine", DockerTransport.NamedPipe, "docker_engine", 0, false)]
    public void Resolves_docker_host_addresses(string address, DockerTransport transport, string target, int port, bool tls)
    {
        var endpoint = DockerEndpoint.Resolve(address);
        Assert.Equal((transport, target, port, tls), (endpoint.Transport, endpoint.Target, endpoint.Port, endpoint.UseTls));
    }

    [Theory]
    [InlineData("ssh://user@host")]
    [InlineData("ftp://host")]
    [InlineData("not a uri")]
    [InlineData("unix://")]
    public void Refuses_unusable_addresses(string address)
    {
        var ex = Assert.Throws<FipsClusterException>(() => DockerEndpoint.Resolve(address));
        Assert.Equal(ErrorIds.InvalidDockerHost, ex.ErrorId);
    }

    [Fact]
    public void Tls_requires_the_three_pem_files()
    {
        var empty = Directory.CreateTempSubdirectory("fc-certs");
        try
        {
            var endpoint = DockerEndpoint.Resolve("tcp://127.0.0.1:2376", empty.FullName, tlsVerify: true);
            var ex = Assert.Throws<FipsClusterException>(() => new DockerEngineClient(endpoint));
            Assert.Equal(ErrorIds.DockerTlsConfigurationInvalid, ex.ErrorId);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_engine_that_is_not_there_is_unreachable_not_a_hang()
    {
        var socket = Path.Combine(Path.GetTempPath(), "fc-no-such-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var client = new DockerEngineClient(DockerEndpoint.Resolve("unix://" + socket));
        var ex = await Assert.ThrowsAsync<FipsClusterException>(client.InspectSwarmAsync);
        Assert.Equal(ErrorIds.DockerEngineUnreachable, ex.ErrorId);
    }
}
