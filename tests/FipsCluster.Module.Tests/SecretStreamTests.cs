using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>
/// Every token cmdlet, with -Verbose -Debug, rendered through Out-Default and made to fail: no stream, error,
/// view or host text may contain a token secret.
/// </summary>
[Collection("dockerd")]
public sealed class SecretStreamTests : IClassFixture<ModuleFixture>
{
    private readonly DockerSwarmFixture _docker;
    private readonly PsSession _ps;

    public SecretStreamTests(DockerSwarmFixture docker, ModuleFixture module)
    {
        _docker = docker;
        _ps = module.Session;
    }

    [SkippableFact]
    public void No_secret_reaches_any_stream_or_the_host()
    {
        _docker.RequireEngines();
        using var ca = TestTokens.NewCa();
        var pem = ca.ExportCertificatePem() + "\n";
        const string foreign = "SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61";
        var results = new List<(string What, PsResult Result)>();
        void Run(string what, string script) => results.Add((what, _ps.Run(
            "$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; " + script,
            _docker.ManagerHost, pem, foreign)));

        Run("get", "Get-SwarmJoinToken -DockerHost $args[0] -Verbose -Debug | Out-Default; Get-SwarmJoinToken -DockerHost $args[0] -Verbose -Debug");
        Run("get-list", "Get-SwarmJoinToken -DockerHost $args[0] | Format-List | Out-Default");
        Run("test", "Get-SwarmJoinToken -DockerHost $args[0] | Test-SwarmJoinToken -Verbose -Debug | Out-Default");
        Run("test-stale", "Test-SwarmJoinToken -Token $args[2] -DockerHost $args[0] -Verbose -Debug -RequireFips | Out-Default");
        Run("convert", "Get-SwarmJoinToken -DockerHost $args[0] -AsPlainText | ForEach-Object { $_ + 'x' } | ConvertFrom-SwarmJoinToken -Verbose -Debug");
        Run("convert-ok", "Get-SwarmJoinToken -DockerHost $args[0] -AsPlainText | ConvertFrom-SwarmJoinToken -Verbose -Debug | Out-Default");
        Run("new", "New-SwarmJoinToken -RootCertificate $args[1] -Fips -Verbose -Debug | Out-Default");
        Run("update-whatif", "Update-SwarmJoinToken -DockerHost $args[0] -Role Worker -WhatIf -Verbose -Debug");
        Run("update", "Update-SwarmJoinToken -DockerHost $args[0] -Role Worker, Manager -PassThru -Verbose -Debug -Confirm:$false | Out-Default");
        Run("update-bad-host", "Update-SwarmJoinToken -DockerHost $args[0].Replace('.sock', '-gone.sock') -Role Worker -Verbose -Debug -Confirm:$false");

        // The secrets: every token the engine held during the run, plus the generated ones.
        var secrets = new List<string> { foreign[^25..] };
        secrets.Add(_docker.Docker(_docker.ManagerHost, "swarm", "join-token", "-q", "worker")[^25..]);
        secrets.Add(_docker.Docker(_docker.ManagerHost, "swarm", "join-token", "-q", "manager")[^25..]);
        foreach (var (_, result) in results)
        {
            foreach (var output in result.Output.Select(o => o.BaseObject))
            {
                if (output.GetType().FullName == "FipsCluster.SwarmJoinToken")
                {
                    string token = TestTokens.Reveal(((dynamic)output).Token);
                    secrets.Add(token[^25..]);
                }
            }
        }

        Assert.Contains(results, r => r.Result.Verbose.Count > 0);
        Assert.Contains(results, r => r.Result.Debug.Count > 0);
        Assert.Contains(results, r => r.Result.Errors.Count > 0);
        Assert.Contains(results, r => r.Result.HostText.Contains("What if:", StringComparison.Ordinal));
        foreach (var (what, result) in results)
        {
            var text = result.AllText;
            foreach (var secret in secrets.Distinct())
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{what}: a secret appears in the output, a stream or the host text");
            }
        }
    }
}
