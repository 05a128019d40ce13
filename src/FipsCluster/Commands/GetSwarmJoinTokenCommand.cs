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

    protected override void ProcessRecord()
    {
        try
        {
            var endpoint = ResolveEndpoint();
            var roles = Role.Distinct().ToArray();
            foreach (var token in RunCore(context => EngineJoinTokens.GetAsync(endpoint, roles, context)))
            {
                WriteObject(AsPlainText ? SecretText.Reveal(token.Token) : token);
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
