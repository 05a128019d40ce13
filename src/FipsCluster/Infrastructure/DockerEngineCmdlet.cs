using System.Management.Automation;
using FipsCluster.Core.Providers.Swarm;

namespace FipsCluster.Infrastructure;

/// <summary>The engine-addressing parameters shared by the cmdlets that talk to a Docker engine.</summary>
public abstract class DockerEngineCmdlet : FipsCmdlet, IInsecureTransportOptIn
{
    /// <summary>
    /// unix:///path, npipe:////./pipe/name or tcp://host:port; default DOCKER_HOST, then the local socket.
    /// No not-empty validation: tokens piped by property name carry a null DockerHost when they did not
    /// come from an engine, and that means "none given".
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? DockerHost { get; set; }

    /// <summary>Folder with ca.pem, cert.pem and key.pem for TLS; default DOCKER_CERT_PATH, then ~/.docker.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DockerCertPath { get; set; }

    /// <summary>Use TLS and verify the engine's certificate against ca.pem (as docker --tlsverify); default DOCKER_TLS_VERIFY.</summary>
    [Parameter]
    public SwitchParameter DockerTlsVerify { get; set; }

    /// <summary>Accept an engine on tcp:// without TLS (and, where the cmdlet has them, the other plaintext transports), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }

    private protected DockerEndpoint ResolveEndpoint()
    {
        var certPath = DockerCertPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(DockerCertPath);
        return DockerEndpoint.Resolve(DockerHost, certPath, DockerTlsVerify.IsPresent);
    }
}
