using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Tokens;
using Xunit;

namespace FipsCluster.Core.Tests.Tokens;

public sealed class RootCaAndVerificationTests
{
    [Fact]
    public void Digest_is_sha256_of_the_PEM_bytes_not_the_DER()
    {
        using var ca = TestCertificates.NewRootCa();
        var pem = TestCertificates.GoPem(ca);
        var bundle = RootCaBundle.FromPem(pem);
        Assert.Equal("sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(pem))).ToLowerInvariant(), bundle.Digest);
        Assert.NotEqual("sha256:" + Convert.ToHexString(SHA256.HashData(ca.RawData)).ToLowerInvariant(), bundle.Digest);
        // A certificate object and a DER file are encoded as the engine encodes them.
        Assert.Equal(bundle.Digest, RootCaBundle.FromCertificates(new[] { ca }).Digest);
        Assert.Equal(bundle.Digest, RootCaBundle.FromBytes(ca.RawData, "der").Digest);
    }

    [Fact]
    public void A_token_verifies_against_its_CA_and_not_against_another()
    {
        using var ca = TestCertificates.NewRootCa("one");
        using var other = TestCertificates.NewRootCa("two");
        var bundle = RootCaBundle.FromPem(TestCertificates.GoPem(ca));
        var token = JoinTokenService.Generate(bundle, fips: true);

        var good = JoinTokenService.Test(new JoinTokenTestRequest(token.Token) { RootCa = bundle, RequireFips = true });
        Assert.True(good.Valid, string.Join("; ", good.Reasons));
        Assert.True(good.DigestMatches);
        Assert.True(good.FipsSatisfied);
        Assert.Null(good.SecretMatches);

        var bad = JoinTokenService.Test(new JoinTokenTestRequest(token.Token) { RootCa = RootCaBundle.FromPem(TestCertificates.GoPem(other)) });
        Assert.False(bad.Valid);
        Assert.False(bad.DigestMatches);
        Assert.Contains(bad.Reasons, r => r.Contains("does not match", StringComparison.Ordinal));
    }

    [Fact]
    public void Crlf_pem_matches_only_after_normalization_and_says_so()
    {
        using var ca = TestCertificates.NewRootCa();
        var token = JoinTokenService.Generate(RootCaBundle.FromPem(TestCertificates.GoPem(ca)), fips: false);
        var crlf = RootCaBundle.FromPem(TestCertificates.GoPem(ca).Replace("\n", "\r\n"));
        var result = JoinTokenService.Test(new JoinTokenTestRequest(token.Token) { RootCa = crlf });
        Assert.True(result.DigestMatches);
        Assert.True(result.DigestMatchedNormalizedPem);
    }

    [Fact]
    public void RequireFips_fails_v1_and_v2_0_tokens()
    {
        foreach (var text in new[] { "SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61",
                                     "SWMTKN-2-0-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61" })
        {
            var result = JoinTokenService.Test(new JoinTokenTestRequest(SecretText.ToSecureString(text)) { RequireFips = true });
            Assert.False(result.Valid);
            Assert.False(result.FipsSatisfied);
        }
    }

    [Fact]
    public void Secret_comparison_finds_the_matching_reference_and_its_role()
    {
        const string worker = "SWMTKN-1-3vi7ajem0jed8guusgvyl98nfg18ibg4pclify6wzac6ucrhg3-0117z3s2ytr6egmmnlr6gd37n";
        const string manager = "SWMTKN-1-3vi7ajem0jed8guusgvyl98nfg18ibg4pclify6wzac6ucrhg3-d1ohk84br3ph0njyexw0wdagx";
        var references = new[]
        {
            new ReferenceToken("engine", SwarmNodeRole.Worker, SecretText.ToSecureString(worker)),
            new ReferenceToken("engine", SwarmNodeRole.Manager, SecretText.ToSecureString(manager)),
        };
        var asManager = JoinTokenService.Test(new JoinTokenTestRequest(SecretText.ToSecureString(manager)) { References = references });
        Assert.True(asManager.SecretMatches);
        Assert.Equal(SwarmNodeRole.Manager, asManager.Role);
        var stale = JoinTokenService.Test(new JoinTokenTestRequest(SecretText.ToSecureString(worker[..^1] + "x")) { References = references });
        Assert.False(stale.SecretMatches);
        Assert.False(stale.Valid);
    }

    [Fact]
    public void Garbage_root_certificates_are_refused_with_a_stable_id()
    {
        var ex = Assert.Throws<FipsClusterException>(() => RootCaBundle.FromBytes(Encoding.ASCII.GetBytes("not a certificate"), "file"));
        Assert.Equal(ErrorIds.InvalidRootCertificate, ex.ErrorId);
    }
}
