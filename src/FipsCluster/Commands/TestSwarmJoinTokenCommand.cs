using System.Management.Automation;
using FipsCluster.Core.Tokens;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>
/// Checks a join token: its format, its digest against the root CA, the FIPS expectation and — against an
/// engine or a reference token — its secret, compared in constant time.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "SwarmJoinToken")]
[OutputType(typeof(SwarmJoinTokenTestResult), typeof(bool))]
public sealed class TestSwarmJoinTokenCommand : DockerEngineCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public object Token { get; set; } = null!;

    /// <summary>Binds from a SwarmJoinToken's RootCaPem when piped from Get-SwarmJoinToken.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("RootCaPem")]
    public object? RootCertificate { get; set; }

    [Parameter]
    public object? ReferenceToken { get; set; }

    [Parameter]
    public SwitchParameter RequireFips { get; set; }

    /// <summary>One [bool] for the whole invocation, as every Test-* cmdlet: true only when every token was checked and is valid.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    private protected override VerdictMode Verdicts => Quiet ? VerdictMode.Quiet : VerdictMode.Reports;

    protected override void ProcessRecordCore()
    {
        try
        {
            var request = new JoinTokenTestRequest(CmdletInputs.Token(Token))
            {
                RootCa = RootCertificate is null ? null : CmdletInputs.RootCertificate(RootCertificate, this),
                RequireFips = RequireFips.IsPresent,
                Role = CmdletInputs.RoleOf(Token),
                References = ReferenceToken is null
                    ? Array.Empty<ReferenceToken>()
                    : new[] { new ReferenceToken(nameof(ReferenceToken), SwarmNodeRole.Unknown, CmdletInputs.Token(ReferenceToken)) },
            };
            SwarmJoinTokenTestResult result;
            if (JoinTokenService.MalformedVerdict(request) is { } malformed)
            {
                result = malformed;
            }
            else if (!string.IsNullOrWhiteSpace(DockerHost))
            {
                var endpoint = ResolveEndpoint();
                result = RunCore(context => EngineJoinTokens.TestAsync(request, endpoint, context));
            }
            else if (request.RootCa is null && request.References.Count == 0)
            {
                throw new FipsClusterException(ErrorIds.RootCertificateRequired, FipsErrorCategory.InvalidArgument,
                    "Nothing to check the token against: give -RootCertificate, -DockerHost or -ReferenceToken, or pipe a token from Get-SwarmJoinToken.")
                {
                    RecommendedAction = "Get-SwarmJoinToken | Test-SwarmJoinToken, or Test-SwarmJoinToken -Token $t -RootCertificate ./ca.pem",
                };
            }
            else
            {
                result = JoinTokenService.Test(request);
            }
            WriteVerbose(result.Valid ? $"Token {result.Token} is valid." : $"Token {result.Token} is not valid: {string.Join("; ", result.Reasons)}");
            WriteVerdict(result, result.Valid);
        }
        catch (FipsClusterException ex)
        {
            WriteItemFailure(ex);
        }
    }
}
