using System.Management.Automation;
using FipsCluster.Core.Tokens;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Parses swarm join tokens (v1, v2-0, v2-1) into SwarmJoinToken objects.</summary>
[Cmdlet(VerbsData.ConvertFrom, "SwarmJoinToken")]
[OutputType(typeof(SwarmJoinToken))]
[NoSideEffects("Parses text in memory.")]
public sealed class ConvertFromSwarmJoinTokenCommand : FipsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public object Token { get; set; } = null!;

    [Parameter]
    [ValidateSet(nameof(SwarmNodeRole.Worker), nameof(SwarmNodeRole.Manager))]
    public SwarmNodeRole Role { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            WriteObject(JoinTokenService.Parse(CmdletInputs.Token(Token), Role));
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
