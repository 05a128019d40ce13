using System.Management.Automation;
using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Infrastructure.ParameterBlocks;

namespace FipsCluster.Infrastructure;

/// <summary>The cmdlets that talk to a Docker engine: the engine-addressing parameters (<see cref="DockerEngineParameters"/>) and -AllowInsecureTransport.</summary>
public abstract class DockerEngineCmdlet : FipsCmdlet, IInsecureTransportOptIn
{
    private readonly DockerEngineParameters _engine;

    /// <param name="sets">The parameter sets the engine parameters belong to (none: every set).</param>
    private protected DockerEngineCmdlet(params string[] sets) => _engine = Blocks.Add<DockerEngineParameters>(() => EngineParametersOffered, sets);

    /// <summary>Whether the engine parameters are offered now (New-FipsCluster: not for -Provider AWS).</summary>
    private protected virtual bool EngineParametersOffered => true;

    /// <summary>Accept an engine on tcp:// without TLS (and, where the cmdlet has them, the other plaintext transports), with a warning.</summary>
    [Parameter]
    public SwitchParameter AllowInsecureTransport { get; set; }

    private protected string? DockerHost => _engine.DockerHost;

    private protected string? DockerCertPath => _engine.DockerCertPath;

    private protected bool DockerTlsVerify => _engine.DockerTlsVerify.IsPresent;

    private protected DockerEndpoint ResolveEndpoint() => _engine.ToEndpoint(this);
}
