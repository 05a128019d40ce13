using System.Management.Automation;
using FipsCluster.Module.Tests.Harness;
using Xunit;

namespace FipsCluster.Module.Tests;

/// <summary>The token cmdlets through the PowerShell engine: binding, objects, errors, views. No engine needed.</summary>
public sealed class TokenCmdletTests : IClassFixture<ModuleFixture>
{
    private const string V1 = "SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61";
    private readonly PsSession _ps;

    public TokenCmdletTests(ModuleFixture fixture) => _ps = fixture.Session;

    [Fact]
    public void ConvertFrom_reads_every_version_from_the_pipeline_as_typed_objects()
    {
        var result = _ps.Run("""
            $secure = [System.Net.NetworkCredential]::new('', $args[0].Replace('SWMTKN-1-', 'SWMTKN-2-1-')).SecurePassword
            $args[0], $args[0].Replace('SWMTKN-1-', 'SWMTKN-2-0-'), $secure | ConvertFrom-SwarmJoinToken
            """, V1);
        Assert.Empty(result.Errors);
        var tokens = result.Of("FipsCluster.SwarmJoinToken");
        Assert.Equal(new[] { 1, 2, 2 }, tokens.Select(t => (int)t.Version));
        Assert.Equal(new[] { false, false, true }, tokens.Select(t => (bool)t.Fips));
        Assert.All(tokens, t => Assert.Equal("sha256:3f72881f0095fc4e38ad6749af77f610c0b2d0506554c559a64b1b47935ac3ce", (string)t.RootCaDigest));
        Assert.All(tokens, t => Assert.IsType<System.Security.SecureString>(t.Token));
        Assert.Equal(V1, TestTokens.Reveal(tokens[0].Token));
        // Script-visible type: the Models assembly is in the default load context.
        Assert.True((bool)_ps.Run("($args[0] | ConvertFrom-SwarmJoinToken) -is [FipsCluster.SwarmJoinToken]", V1).Output[0].BaseObject);
    }

    [Theory]
    [InlineData("SWMTKN-1-3wkodtpeoipd1u1hi0ykdcdwhw16dk73ulqqtn14b3indz68rf-4myj5xihyto11dg1cn55w8p6", "secret")]
    [InlineData("SWMTKN-2-1fhvpatk6ms36i3uc64tsv1ybyuxkb899zbjpq4ib64qwbibz4-1g3as27iwmko5yqh1byv868hx", "5 parts")]
    [InlineData("SWMTKN-0-1fhvpatk6ms36i3uc64tsv1ybyuxkb899zbjpq4ib64qwbibz4-1g3as27iwmko5yqh1byv868hx", "version")]
    public void Malformed_tokens_are_non_terminating_errors_with_a_stable_id(string token, string mentions)
    {
        var result = _ps.Run("$args[0], $args[1] | ConvertFrom-SwarmJoinToken", token, V1);
        Assert.Single(result.Of("FipsCluster.SwarmJoinToken")); // the good one after the bad one still comes out
        var error = Assert.Single(result.Errors);
        Assert.Equal("InvalidSwarmJoinToken,FipsCluster.Commands.ConvertFromSwarmJoinTokenCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(mentions, error.Exception.Message);
        Assert.DoesNotContain(token.Split('-')[^1], error.Exception.Message);
        Assert.Equal("FipsCluster.SwarmJoinTokenFormatException", error.Exception.GetType().FullName);
    }

    [Fact]
    public void New_token_for_a_certificate_object_path_or_pem_has_the_same_digest_and_tests_valid()
    {
        using var ca = TestTokens.NewCa();
        var pem = ca.ExportCertificatePem() + "\n";
        var file = Path.Combine(Path.GetTempPath(), "fc-ca-" + Guid.NewGuid().ToString("N")[..8] + ".pem");
        File.WriteAllText(file, pem);
        try
        {
            var result = _ps.Run("""
                param()
                New-SwarmJoinToken -RootCertificate $args[0] -Fips -Role Worker
                New-SwarmJoinToken -RootCertificate $args[1]
                $args[2] | New-SwarmJoinToken -Fips | Test-SwarmJoinToken -RootCertificate $args[1] -RequireFips
                New-SwarmJoinToken -RootCertificate $args[1] | Test-SwarmJoinToken -RequireFips
                New-SwarmJoinToken -RootCertificate $args[1] -Fips | Test-SwarmJoinToken -Quiet
                """, ca, file, pem);
            Assert.Empty(result.Errors);
            var tokens = result.Of("FipsCluster.SwarmJoinToken");
            Assert.Equal(2, tokens.Count);
            Assert.Equal((string)tokens[0].RootCaDigest, (string)tokens[1].RootCaDigest);
            Assert.Equal("Worker", tokens[0].Role.ToString());
            Assert.StartsWith("SWMTKN-2-1-", TestTokens.Reveal(tokens[0].Token));
            Assert.StartsWith("SWMTKN-1-", TestTokens.Reveal(tokens[1].Token));
            var verdicts = result.Of("FipsCluster.SwarmJoinTokenTestResult");
            Assert.True((bool)verdicts[0].Valid, string.Join("; ", verdicts[0].Reasons));
            Assert.False((bool)verdicts[1].Valid); // v1 token when FIPS is required
            Assert.True((bool)verdicts[1].DigestMatches); // its RootCaPem bound by property name
            Assert.False((bool)verdicts[1].FipsSatisfied);
            Assert.Equal(true, result.Output[^1].BaseObject);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Test_without_anything_to_check_against_says_so()
    {
        var result = _ps.Run("Test-SwarmJoinToken -Token $args[0]", V1);
        var error = Assert.Single(result.Errors);
        Assert.Equal("RootCertificateRequired,FipsCluster.Commands.TestSwarmJoinTokenCommand", error.FullyQualifiedErrorId);
        Assert.NotNull(error.ErrorDetails?.RecommendedAction);
    }

    [Fact]
    public void Missing_root_certificate_file_is_ObjectNotFound()
    {
        var result = _ps.Run("New-SwarmJoinToken -RootCertificate ./no-such-ca.pem");
        var error = Assert.Single(result.Errors);
        Assert.Equal("RootCertificateNotFound,FipsCluster.Commands.NewSwarmJoinTokenCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Unreachable_engine_is_a_ConnectionError_with_advice()
    {
        var result = _ps.Run("Get-SwarmJoinToken -DockerHost unix:///tmp/fc-no-engine-here.sock; 'after'");
        var error = Assert.Single(result.Errors);
        Assert.Equal("DockerEngineUnreachable,FipsCluster.Commands.GetSwarmJoinTokenCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Equal("after", result.Output.Single().ToString());
        var bad = _ps.Run("Get-SwarmJoinToken -DockerHost ssh://root@node1");
        Assert.Equal("InvalidDockerHost,FipsCluster.Commands.GetSwarmJoinTokenCommand", Assert.Single(bad.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Ctrl_C_stops_a_call_to_an_engine_that_never_answers_promptly()
    {
        // A unix socket that accepts connections and never answers: without cancellation the call would wait
        // for the 30-second request timeout.
        var path = Path.Combine("/tmp", "fc-silent-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listener.Listen(8);
        try
        {
            using var session = new PsSession();
            var stopping = session.RunAndStop("Get-SwarmJoinToken -DockerHost $args[0]", TimeSpan.FromMilliseconds(1500), "unix://" + path);
            Assert.True(stopping < TimeSpan.FromSeconds(2), $"stopping took {stopping}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Default_views_show_the_token_masked()
    {
        var result = _ps.Run("""
            $t = $args[0] | ConvertFrom-SwarmJoinToken -Role Manager
            $t | Out-Default
            $t | Test-SwarmJoinToken -ReferenceToken $args[0] | Out-Default
            Get-FipsClusterDependency | Out-Default
            """, V1);
        Assert.Empty(result.Errors);
        Assert.Contains("Role", result.HostText);
        Assert.Contains("RootCaDigest", result.HostText);
        Assert.Contains("Manager", result.HostText);
        Assert.Contains("sha256:3f72881f0095", result.HostText);
        Assert.Contains("current", result.HostText);      // test view: SecretMatches
        Assert.Contains("FipsCluster", result.HostText);  // dependency view: LoadContext
        Assert.DoesNotContain("4myj5xihyto11dg1cn55w8p61", result.HostText);
        Assert.DoesNotContain("System.Security.SecureString", result.HostText);
    }
}
