using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Tokens;
using Xunit;

namespace FipsCluster.Core.Tests.Tokens;

public sealed class JoinTokenFormatTests
{
    // swarmkit ca/config_test.go and README vectors
    private const string V1 = "SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61";
    private const string V1Digest = "sha256:3f72881f0095fc4e38ad6749af77f610c0b2d0506554c559a64b1b47935ac3ce";

    [Fact]
    public void Parses_swarmkits_published_v1_vector()
    {
        var parts = JoinTokenFormat.Parse(V1);
        Assert.Equal(1, parts.Version);
        Assert.False(parts.Fips);
        Assert.Equal(V1Digest, parts.RootCaDigest);
        Assert.Equal("4myj5xihyto11dg1cn55w8p61", parts.SecretOf(V1).ToString());
    }

    [Fact]
    public void Parses_v2_with_fips_flag_0_and_1()
    {
        var v20 = JoinTokenFormat.Parse("SWMTKN-2-0-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61");
        Assert.Equal((2, false, V1Digest), (v20.Version, v20.Fips, v20.RootCaDigest));
        var v21 = JoinTokenFormat.Parse("SWMTKN-2-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61");
        Assert.Equal((2, true, V1Digest), (v21.Version, v21.Fips, v21.RootCaDigest));
    }

    [Fact]
    public void Readme_worker_and_manager_tokens_share_a_digest()
    {
        var worker = JoinTokenFormat.Parse("SWMTKN-1-3vi7ajem0jed8guusgvyl98nfg18ibg4pclify6wzac6ucrhg3-0117z3s2ytr6egmmnlr6gd37n");
        var manager = JoinTokenFormat.Parse("SWMTKN-1-3vi7ajem0jed8guusgvyl98nfg18ibg4pclify6wzac6ucrhg3-d1ohk84br3ph0njyexw0wdagx");
        Assert.Equal("sha256:9b7ab9889d419f005d114713572a48a9643597064f53e689ee4439506c41b513", worker.RootCaDigest);
        Assert.Equal(worker.RootCaDigest, manager.RootCaDigest);
    }

    [Theory]
    [InlineData("invalidtoken", SwarmJoinTokenPart.Prefix)]
    [InlineData("", SwarmJoinTokenPart.Empty)]
    [InlineData("SWMTKN-1-3wkodtpeoipd1u1hi0ykdcdwhw16dk73ulqqtn14b3indz68rf-4myj5xihyto11dg1cn55w8p6", SwarmJoinTokenPart.Secret)] // 24-char secret
    [InlineData("SWMTKN-2-1fhvpatk6ms36i3uc64tsv1ybyuxkb899zbjpq4ib64qwbibz4-1g3as27iwmko5yqh1byv868hx", SwarmJoinTokenPart.PartCount)] // 4-part v2
    [InlineData("SWMTKN-0-1fhvpatk6ms36i3uc64tsv1ybyuxkb899zbjpq4ib64qwbibz4-1g3as27iwmko5yqh1byv868hx", SwarmJoinTokenPart.Version)] // version 0
    [InlineData("SWMTKN-2-2-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61", SwarmJoinTokenPart.FipsFlag)]
    [InlineData("SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0-4myj5xihyto11dg1cn55w8p61", SwarmJoinTokenPart.RootCaDigest)] // 49 chars
    [InlineData("SWMTKN-1-1KXFTV4OFNC6MT30LMGIPG6NGF9LUHWQOPFK1TZ6BDMNKUBG0E-4myj5xihyto11dg1cn55w8p61", SwarmJoinTokenPart.RootCaDigest)] // uppercase
    [InlineData("SWMTKN-1-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-4myj5xihyto11dg1cn55w8p61", SwarmJoinTokenPart.RootCaDigest)] // > 2^256
    [InlineData("SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p6!", SwarmJoinTokenPart.Secret)]
    [InlineData("SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61-x", SwarmJoinTokenPart.PartCount)]
    [InlineData("SWMTKN-1-x", SwarmJoinTokenPart.PartCount)]
    public void Rejects_malformed_tokens_naming_the_part(string token, SwarmJoinTokenPart part)
    {
        var ex = Assert.Throws<SwarmJoinTokenFormatException>(() => JoinTokenFormat.Parse(token));
        Assert.Equal(part, ex.Part);
        Assert.Equal(ErrorIds.InvalidSwarmJoinToken, ex.ErrorId);
        var secret = token.Split('-')[^1];
        if (secret.Length >= 8)
        {
            Assert.DoesNotContain(secret, ex.Message);
        }
    }

    [Fact]
    public void Surrounding_white_space_is_ignored_and_offsets_point_into_the_input()
    {
        var input = "  \t" + V1 + "\r\n";
        var parts = JoinTokenFormat.Parse(input);
        Assert.Equal(V1, parts.TokenOf(input).ToString());
        Assert.Equal("4myj5xihyto11dg1cn55w8p61", parts.SecretOf(input).ToString());
    }

    [Fact]
    public void Base36_matches_gos_big_Int_Text_36()
    {
        Assert.Equal("f5lxx1zz5pnorynqglhzmsp33", Base36.Encode(Enumerable.Repeat((byte)0xff, 16).ToArray(), 25)); // 2^128-1, swarmkit identity/randomid.go
        Assert.Equal(new string('0', 25), Base36.Encode(new byte[16], 25));
        Assert.Equal("0000000000000000000000010", Base36.Encode(new byte[] { 36 }, 25));
        var digest = Convert.FromHexString(V1Digest["sha256:".Length..]);
        Assert.Equal("1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e", Base36.Encode(digest, 50));
    }

    [Fact]
    public void Generated_tokens_round_trip_and_fips_tokens_are_v2_1()
    {
        using var ca = TestCertificates.NewRootCa();
        var bundle = RootCaBundle.FromPem(TestCertificates.GoPem(ca));
        var seen = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var token = JoinTokenService.Generate(bundle, fips: i % 2 == 0);
            var text = SecretText.Reveal(token.Token);
            Assert.StartsWith(i % 2 == 0 ? "SWMTKN-2-1-" : "SWMTKN-1-", text);
            Assert.Equal(i % 2 == 0 ? 2 : 1, token.Version);
            Assert.Equal(bundle.Digest, token.RootCaDigest);
            Assert.Equal(bundle.Digest, JoinTokenFormat.Parse(text).RootCaDigest);
            Assert.True(seen.Add(text[^25..]), "secrets repeat");
            Assert.DoesNotContain(text[^25..], token.ToString());
            Assert.DoesNotContain(text[^25..], token.MaskedToken);
        }
    }
}
