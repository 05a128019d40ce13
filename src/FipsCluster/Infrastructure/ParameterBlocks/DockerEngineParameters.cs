using System.Management.Automation;
using FipsCluster.Core.Providers.Swarm;

namespace FipsCluster.Infrastructure.ParameterBlocks;

/// <summary>How every cmdlet that talks to a Docker engine addresses it, as the docker CLI does (DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_TLS_VERIFY).</summary>
public sealed class DockerEngineParameters : ParameterBlock
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

    /// <summary>The engine these parameters name.</summary>
    public DockerEndpoint ToEndpoint(PSCmdlet cmdlet)
    {
        var certPath = DockerCertPath is null ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(DockerCertPath);
        return DockerEndpoint.Resolve(DockerHost, certPath, DockerTlsVerify.IsPresent);
    }
}
