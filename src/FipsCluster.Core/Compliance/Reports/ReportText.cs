using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Providers.Aws;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// What every exported string goes through. The evidence is redacted where it is read; an export is a document that leaves
/// the machine, so it is checked once more for anything shaped like a secret (join token secrets, kubeadm bootstrap tokens,
/// private key blocks, AWS keys, bearer tokens, password= values), and characters XML cannot carry are replaced.
/// </summary>
public static partial class ReportText
{
    public const string Mask = "***";

    /// <summary>Secret-shaped text masked and XML-invalid characters replaced by U+FFFD.</summary>
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        // Each pattern only where its anchor occurs: a fleet's report holds hundreds of thousands of strings.
        if (text.Contains("SWMTKN-", StringComparison.Ordinal))
        {
            text = FailureClassifier.JoinTokenSecret().Replace(text, "$1" + SwarmJoinToken.SecretMask);
        }
        if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            text = PrivateKeyBlock().Replace(text, "$1 " + Mask + " ");
        }
        if (text.Contains('.'))
        {
            text = Redaction.TokenAnywhere().Replace(text, Mask);
        }
        if (text.Contains("AKIA", StringComparison.Ordinal) || text.Contains("ASIA", StringComparison.Ordinal))
        {
            text = AwsAccessKeyId().Replace(text, Mask);
        }
        if (text.Contains("earer", StringComparison.Ordinal))
        {
            text = BearerToken().Replace(text, "$1" + Mask);
        }
        if (text.AsSpan().IndexOfAny(':', '=') >= 0)
        {
            text = SecretAssignment().Replace(text, "$1" + Mask);
        }
        return XmlSafe(text);
    }

    /// <summary>Fail, Error and Unknown: what a drift report and a reader call failing.</summary>
    public static bool IsFailing(CheckStatus status) => status is CheckStatus.Fail or CheckStatus.Error or CheckStatus.Unknown;

    private static string XmlSafe(string text)
    {
        var clean = true;
        for (var i = 0; i < text.Length && clean; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            clean = XmlConvert.IsXmlChar(text[i]);
        }
        if (clean)
        {
            return text;
        }
        var safe = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe.Append(text[i]).Append(text[++i]);
            }
            else
            {
                safe.Append(XmlConvert.IsXmlChar(text[i]) ? text[i] : '\uFFFD');
            }
        }
        return safe.ToString();
    }

    // The body of a PEM private key, to its END line (or to the end of the text when that was cut off).
    [GeneratedRegex(@"(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)[\s\S]*?(?=-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)", RegexOptions.CultureInvariant)]
    private static partial Regex PrivateKeyBlock();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", RegexOptions.CultureInvariant)]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"(\b[Bb]earer\s+)[A-Za-z0-9\-._~+/]{8,}=*", RegexOptions.CultureInvariant)]
    private static partial Regex BearerToken();

    // key=value and key: value for the usual secret names (aws_secret_access_key, password, passphrase, token, secret…).
    [GeneratedRegex(@"(\b(?:aws_secret_access_key|aws_session_token|password|passwd|passphrase|secret|token|api[_-]?key|client[_-]?secret)\s*[:=]\s*)[^\s,;""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretAssignment();
}
