using System.Management.Automation;
using FipsCluster.Core.Tokens;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Rotates a swarm's join tokens through the Engine API; the old tokens stop admitting nodes.</summary>
[Cmdlet(VerbsData.Update, "SwarmJoinToken", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmJoinToken), typeof(string))]
public sealed class UpdateSwarmJoinTokenCommand : DockerEngineCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateSet(nameof(SwarmNodeRole.Worker), nameof(SwarmNodeRole.Manager))]
    public SwarmNodeRole[] Role { get; set; } = Array.Empty<SwarmNodeRole>();

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var endpoint = ResolveEndpoint();
            var roles = Role.Distinct().ToArray();
            var rotated = RunCore(context => EngineJoinTokens.RotateAsync(endpoint, roles, context));
            if (PassThru)
            {
                foreach (var token in rotated)
                {
                    WriteObject(AsPlainText ? SecretText.Reveal(token.Token) : token);
                }
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
