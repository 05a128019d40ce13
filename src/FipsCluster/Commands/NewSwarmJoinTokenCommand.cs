using System.Management.Automation;
using FipsCluster.Core.Tokens;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Generates a join token for a root CA: SWMTKN-2-1 for FIPS clusters, SWMTKN-1 otherwise.</summary>
[Cmdlet(VerbsCommon.New, "SwarmJoinToken")]
[OutputType(typeof(SwarmJoinToken), typeof(string))]
[NoSideEffects("Generates a token in memory; nothing outside the process changes.")]
public sealed class NewSwarmJoinTokenCommand : FipsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Alias("RootCaPem")]
    public object RootCertificate { get; set; } = null!;

    [Parameter]
    public SwitchParameter Fips { get; set; }

    [Parameter]
    [ValidateSet(nameof(SwarmNodeRole.Worker), nameof(SwarmNodeRole.Manager))]
    public SwarmNodeRole Role { get; set; }

    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            var token = JoinTokenService.Generate(CmdletInputs.RootCertificate(RootCertificate, this), Fips.IsPresent, Role);
            WriteObject(AsPlainText ? SecretText.Reveal(token.Token) : token);
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
    }
}
