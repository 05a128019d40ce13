using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>Join tokens against real Docker engines started by the tests (see DockerSwarmFixture).</summary>
[Collection("dockerd")]
public sealed class SwarmEngineTokenTests : IClassFixture<ModuleFixture>
{
    private readonly DockerSwarmFixture _docker;
    private readonly PsSession _ps;

    public SwarmEngineTokenTests(DockerSwarmFixture docker, ModuleFixture module)
    {
        _docker = docker;
        _ps = module.Session;
    }

    private string CliToken(string role) => _docker.Docker(_docker.ManagerHost, "swarm", "join-token", "-q", role);

    [SkippableFact]
    public void Engine_tokens_pipe_into_Test_SwarmJoinToken_and_verify_against_the_engines_root_CA()
    {
        _docker.RequireEngines();
        var result = _ps.Run("Get-SwarmJoinToken -DockerHost $args[0] | Test-SwarmJoinToken", _docker.ManagerHost);
        Assert.Empty(result.Errors);
        var verdicts = result.Of(TestResult);
        Assert.Equal(new[] { "Worker", "Manager" }, verdicts.Select(v => (string)v.Role.ToString()));
        foreach (var v in verdicts)
        {
            Assert.True(v.Valid, string.Join("; ", v.Reasons));
            Assert.True(v.DigestMatches);
            Assert.True(v.SecretMatches);
            Assert.False(v.DigestMatchedNormalizedPem);
        }

        // What the module read is what the docker CLI reads, byte for byte.
        var plain = _ps.Run("Get-SwarmJoinToken -DockerHost $args[0] -Role Worker, Manager -AsPlainText", _docker.ManagerHost);
        Assert.Equal(new[] { CliToken("worker"), CliToken("manager") }, plain.Output.Select(o => o.ToString()));

        // The digest is over the PEM exactly as GET /swarm returns it, and docker swarm ca prints that certificate.
        var token = _ps.Run("Get-SwarmJoinToken -DockerHost $args[0] -Role Worker", _docker.ManagerHost).SingleOf(Token);
        Assert.Equal(1, (int)token.Version);
        Assert.False((bool)token.Fips);
        string pem = token.RootCaPem;
        Assert.Equal(_docker.Docker(_docker.ManagerHost, "swarm", "ca").Trim(), pem.Trim());
        Assert.EndsWith("\n", pem);
    }

    [SkippableFact]
    public void After_rotation_the_old_token_is_no_longer_the_engines_token()
    {
        _docker.RequireEngines();
        var old = CliToken("worker");
        var whatIf = _ps.Run("Update-SwarmJoinToken -DockerHost $args[0] -Role Worker -WhatIf", _docker.ManagerHost);
        Assert.Empty(whatIf.Errors);
        Assert.Contains("What if:", whatIf.HostText);
        Assert.Equal(old, CliToken("worker"));

        var declined = new PsSession();
        declined.Host.ConfirmChoice = 2; // "No"
        declined.Run("Update-SwarmJoinToken -DockerHost $args[0] -Role Worker -Confirm", _docker.ManagerHost);
        Assert.Equal(1, declined.Host.PromptCount);
        Assert.Equal(old, CliToken("worker"));
        declined.Dispose();

        var managerBefore = CliToken("manager");
        var rotated = _ps.Run("""
            $old = Get-SwarmJoinToken -DockerHost $args[0] -Role Worker
            $new = Update-SwarmJoinToken -DockerHost $args[0] -Role Worker -PassThru
            $new
            $old | Test-SwarmJoinToken
            $new | Test-SwarmJoinToken
            """, _docker.ManagerHost);
        Assert.Empty(rotated.Errors);
        var newToken = rotated.SingleOf(Token);
        var verdicts = rotated.Of(TestResult);
        Assert.Equal(2, verdicts.Count);
        Assert.False(verdicts[0].Valid);
        Assert.False(verdicts[0].SecretMatches);
        Assert.True(verdicts[0].DigestMatches);
        Assert.True(verdicts[1].Valid, string.Join("; ", verdicts[1].Reasons));

        var current = CliToken("worker");
        Assert.NotEqual(old, current);
        Assert.Equal(current, TestTokens.Reveal(newToken.Token));
        Assert.Equal(managerBefore, CliToken("manager"));
    }

    [SkippableFact]
    public void After_a_CA_rotation_the_old_token_fails_the_digest_check()
    {
        _docker.RequireEngines();
        var before = _ps.Run("$global:beforeCa = Get-SwarmJoinToken -DockerHost $args[0] -Role Worker; $global:beforeCa", _docker.ManagerHost).SingleOf(Token);
        _docker.Docker(_docker.ManagerHost, "swarm", "ca", "--rotate");
        var result = _ps.Run("""
            Test-SwarmJoinToken -Token $global:beforeCa -DockerHost $args[0]
            $newCa = (Get-SwarmJoinToken -DockerHost $args[0] -Role Worker).RootCaPem
            Test-SwarmJoinToken -Token $global:beforeCa -RootCertificate $newCa
            Get-SwarmJoinToken -DockerHost $args[0] | Test-SwarmJoinToken
            """, _docker.ManagerHost);
        Assert.Empty(result.Errors);
        var verdicts = result.Of(TestResult);
        Assert.Equal(4, verdicts.Count);
        Assert.False(verdicts[0].DigestMatches);
        Assert.False(verdicts[0].Valid);
        Assert.False(verdicts[1].DigestMatches);
        Assert.NotEqual((string)before.RootCaDigest, (string)verdicts[1].ExpectedRootCaDigest);
        Assert.True((bool)verdicts[2].Valid, string.Join("; ", verdicts[2].Reasons));
        Assert.True((bool)verdicts[3].Valid, string.Join("; ", verdicts[3].Reasons));
    }

    [SkippableFact]
    public void A_FIPS_token_for_the_engines_CA_is_refused_by_a_non_FIPS_engine_on_join()
    {
        _docker.RequireEngines();
        var tokens = _ps.Run("""
            $ca = (Get-SwarmJoinToken -DockerHost $args[0] -Role Worker).RootCaPem
            New-SwarmJoinToken -RootCertificate $ca -Fips -AsPlainText
            New-SwarmJoinToken -RootCertificate $ca -AsPlainText
            """, _docker.ManagerHost);
        Assert.Empty(tokens.Errors);
        var fips = tokens.Output[0].ToString();
        var plain = tokens.Output[1].ToString();
        Assert.StartsWith("SWMTKN-2-1-", fips);
        Assert.StartsWith("SWMTKN-1-", plain);

        var join = new[] { "swarm", "join", "--advertise-addr", "127.0.0.2", "--listen-addr", "127.0.0.2:0" };
        var refused = _docker.TryDocker(_docker.OtherHost, join.Concat(new[] { "--token", fips, $"127.0.0.1:{_docker.SwarmPort}" }).ToArray());
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("node is not FIPS-enabled but cluster requires FIPS", refused.Err);

        // Control: the same CA and a v1 token get past the FIPS check (and fail later, on the unknown secret).
        var control = _docker.TryDocker(_docker.OtherHost, join.Concat(new[] { "--token", plain, $"127.0.0.1:{_docker.SwarmPort}" }).ToArray());
        Assert.NotEqual(0, control.ExitCode);
        Assert.DoesNotContain("FIPS", control.Err);
        Assert.Equal("inactive", _docker.Docker(_docker.OtherHost, "info", "--format", "{{.Swarm.LocalNodeState}}"));
    }

    [SkippableFact]
    public void An_engine_outside_a_swarm_is_reported_as_not_a_manager()
    {
        _docker.RequireEngines();
        var result = _ps.Run("Get-SwarmJoinToken -DockerHost $args[0]", _docker.OtherHost);
        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.Equal("NotSwarmManager,FipsCluster.Commands.GetSwarmJoinTokenCommand", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
    }

    private const string Token = "FipsCluster.SwarmJoinToken";
    private const string TestResult = "FipsCluster.SwarmJoinTokenTestResult";
}
