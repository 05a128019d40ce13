using System.Security.Cryptography;
using System.Text;

namespace FipsCluster.Core.Compliance;

/// <summary>Who judged, and by which definition: the stamps every report carries so an exported verdict can be traced.</summary>
public static class Judgement
{
    /// <summary>The account and machine running the checks, as user@host.</summary>
    public static string By { get; } = $"{Environment.UserName}@{Environment.MachineName}";

    /// <summary>
    /// The SHA-256 of a profile's definition (name, standard, and every check with its requirement, severity and settings,
    /// in a fixed order), as "sha256:&lt;hex&gt;": reports judged by two different definitions of one name tell apart.
    /// </summary>
    public static string ProfileHash(ComplianceProfile profile)
    {
        var canonical = new StringBuilder().Append(profile.Name).Append('\n').Append(profile.Standard).Append('\n');
        foreach (var check in profile.Checks.OrderBy(c => c.CheckId, StringComparer.Ordinal))
        {
            canonical.Append(check.CheckId).Append(' ').Append(check.Required).Append(' ').Append(check.Severity);
            foreach (var (key, value) in check.Settings.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                canonical.Append(' ').Append(key).Append('=').Append(value);
            }
            canonical.Append('\n');
        }
        return "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()))).ToLowerInvariant();
    }
}
