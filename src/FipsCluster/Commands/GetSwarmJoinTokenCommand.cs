using System.Management.Automation;
using FipsCluster.Core.Tokens;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Reads the current join tokens of a swarm from one of its managers through the Engine API.</summary>
[Cmdlet(VerbsCommon.Get, "SwarmJoinToken")]
[OutputType(typeof(SwarmJoinToken), typeof(string))]
public sealed class GetSwarmJoinTokenCommand : DockerEngineCmdlet
{
    [Parameter(Position = 0)]
    [ValidateSet(nameof(SwarmNodeRole.Worker), nameof(SwarmNodeRole.Manager))]
    public SwarmNodeRole[] Role { get; set; } = { SwarmNodeRole.Worker, SwarmNodeRole.Manager };

    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <summary>A FipsCluster cluster: its manager is asked, and a FIPS cluster's tokens come in the SWMTKN-2-1 form.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var record = Cluster is null ? null : ClusterStoreAccess.Store.Get(Cluster);
            var endpoint = record is null ? ResolveEndpoint() : Core.Providers.Swarm.DockerEndpoint.Resolve(record.Endpoints[0], DockerCertPath, DockerTlsVerify);
            var roles = Role.Distinct().ToArray();
            foreach (var engineToken in RunCore(context => EngineJoinTokens.GetAsync(endpoint, roles, context)))
            {
                var token = record is { Fips: true } ? JoinTokenService.AsFips(engineToken) : engineToken;
                WriteObject(AsPlainText ? SecretText.Reveal(token.Token) : token);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
