using System.Diagnostics;
using FipsCluster.Core.Tokens;
using Xunit;

namespace FipsCluster.Core.Tests.Tokens;

/// <summary>
/// The parser is fed 120,000 random and mutated inputs. Only SwarmJoinTokenFormatException may escape, every
/// accepted token must re-serialize to itself, no message may echo a secret, and the whole run is bounded in time.
/// </summary>
public sealed class JoinTokenFuzzTests
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_+ \t\n\0é∑😀";
    private static readonly string[] Seeds =
    {
        "SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61",
        "SWMTKN-2-0-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61",
        "SWMTKN-2-1-3vi7ajem0jed8guusgvyl98nfg18ibg4pclify6wzac6ucrhg3-0117z3s2ytr6egmmnlr6gd37n",
    };

    [Fact]
    public void Parser_survives_random_and_mutated_input()
    {
        var random = new Random(20261123);
        var accepted = 0;
        var rejected = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 120_000; i++)
        {
            var input = (i % 3) switch
            {
                0 => RandomString(random, random.Next(0, 120)),
                1 => Mutate(random, Seeds[random.Next(Seeds.Length)], random.Next(1, 4)),
                _ => Splice(random),
            };
            try
            {
                var parts = JoinTokenFormat.Parse(input);
                accepted++;
                // Anything accepted must be exactly what swarmkit's generator would write for those parts.
                var rebuilt = new char[JoinTokenFormat.MaxLength];
                var secret = parts.SecretOf(input);
                var length = JoinTokenFormat.Write(rebuilt, parts.DigestText, secret, parts.Fips);
                var expected = parts.TokenOf(input).ToString();
                if (parts.Version == 2 && !parts.Fips)
                {
                    expected = expected.Replace("SWMTKN-2-0-", "SWMTKN-1-", StringComparison.Ordinal);
                }
                Assert.Equal(expected, new string(rebuilt, 0, length));
            }
            catch (SwarmJoinTokenFormatException ex)
            {
                rejected++;
                var last = input.Trim().Split('-')[^1];
                if (last.Length >= 10)
                {
                    Assert.DoesNotContain(last, ex.Message);
                }
            }
        }
        watch.Stop();
        Assert.Equal(120_000, accepted + rejected);
        Assert.True(accepted > 1_000, $"only {accepted} accepted: the mutations are not exercising the success path");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }

    private static string RandomString(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[random.Next(Alphabet.Length)];
        }
        return new string(chars);
    }

    private static string Mutate(Random random, string seed, int edits)
    {
        var chars = seed.ToList();
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(chars.Count + 1);
            switch (random.Next(5))
            {
                case 0 when chars.Count > 0 && at < chars.Count: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                case 2 when at < chars.Count: chars[at] = Alphabet[random.Next(36)]; break; // stays base 36: often still valid
                case 3 when at < chars.Count: chars[at] = '-'; break;
                default: if (at < chars.Count) chars[at] = char.ToUpperInvariant(chars[at]); break;
            }
        }
        return new string(chars.ToArray());
    }

    private static string Splice(Random random)
    {
        var parts = new List<string> { random.Next(4) == 0 ? "swmtkn" : "SWMTKN", random.Next(4).ToString() };
        var count = random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            parts.Add(random.Next(3) switch
            {
                0 => random.Next(2).ToString(),
                1 => RandomString(random, random.Next(48, 52)).ToLowerInvariant(),
                _ => new string(Enumerable.Range(0, random.Next(24, 27)).Select(_ => "0123456789abcdefghijklmnopqrstuvwxyz"[random.Next(36)]).ToArray()),
            });
        }
        return string.Join('-', parts);
    }
}
