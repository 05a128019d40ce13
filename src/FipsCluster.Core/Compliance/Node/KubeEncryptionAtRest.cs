using System.Text.RegularExpressions;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>What a control-plane node's EncryptionConfiguration says about secrets — its structure only, never a key.</summary>
/// <param name="ManifestPath">The kube-apiserver static pod manifest that was found.</param>
/// <param name="ConfigPath">Its --encryption-provider-config, or null when the flag is absent.</param>
/// <param name="ConfigReadable">Whether that file could be read.</param>
/// <param name="Lines">The file's structural lines (resources, providers, provider kinds, list items): key material never matches.</param>
public sealed record KubeEncryptionFact(string ManifestPath, string? ConfigPath, bool ConfigReadable, IReadOnlyList<string> Lines);

/// <summary>
/// K8S-ENC-01 on the node (CaC api_server_encryption_provider_cipher: providers[0] for secrets must be aescbc, aesgcm or kms; secretbox is
/// XSalsa20-Poly1305, identity is no encryption). The configuration holds the keys, so only lines matching
/// <see cref="StructurePattern"/> ever leave the node: the shell script greps with it, the local reader filters with it.
/// </summary>
public static partial class KubeEncryptionAtRest
{
    public const string ApiServerManifest = "/etc/kubernetes/manifests/kube-apiserver.yaml";

    /// <summary>
    /// One pattern for grep -E and .NET alike (a literal tab, no POSIX classes): "resources:", "providers:", a provider
    /// kind ("- aescbc:"), or a bare list item ("- secrets"). A key's "secret: …" and "- name: …" lines never match.
    /// </summary>
    public const string StructurePattern = "^[ \t]*(-[ \t]+)?(resources|providers|aescbc|aesgcm|secretbox|identity|kms):|^[ \t]*-[ \t]+[A-Za-z0-9.*_-]+[ \t]*$";

    private static readonly string[] Approved = { "aescbc", "aesgcm", "kms" };

    [GeneratedRegex("^(aescbc|aesgcm|secretbox|identity|kms):")]
    private static partial Regex ProviderKind();

    [GeneratedRegex(StructurePattern)]
    private static partial Regex Structure();

    // The same flag the script's sed extracts.
    [GeneratedRegex("--encryption-provider-config=([^\"'\\s]+)")]
    private static partial Regex ConfigFlag();

    /// <summary>Reads the fact from a root on disk (local machine or a mounted image); null when there is no apiserver manifest.</summary>
    public static KubeEncryptionFact? Read(string root) => Read(new Remoting.ImageRoot(root));

    /// <summary>
    /// Reads the fact from an image; null when there is no apiserver manifest. Both paths, the config's included
    /// (it comes from the manifest, "../" or links and all), are resolved inside the image.
    /// </summary>
    public static KubeEncryptionFact? Read(Remoting.ImageRoot image)
    {
        var manifest = image.Read(ApiServerManifest, Remoting.NodeReadLimits.ImageFileBytes);
        if (manifest.State is not FileFactState.Present)
        {
            if (manifest.Problem is { } problem)
            {
                throw new IOException($"{ApiServerManifest} could not be read: {problem}");
            }
            return null;
        }
        var config = ConfigFlag().Match(System.Text.Encoding.UTF8.GetString(manifest.Content)) is { Success: true } m ? m.Groups[1].Value : null;
        if (config is null)
        {
            return new KubeEncryptionFact(ApiServerManifest, null, false, Array.Empty<string>());
        }
        // The configuration is a short YAML document: one that does not fit the read is not judged, never judged in part.
        var file = image.Read(config, Remoting.NodeReadLimits.ImageFileBytes);
        if (file.State is not FileFactState.Present || file.Truncated)
        {
            return new KubeEncryptionFact(ApiServerManifest, config, false, Array.Empty<string>());
        }
        var lines = System.Text.Encoding.UTF8.GetString(file.Content).Split('\n').Select(l => l.TrimEnd('\r'));
        return new KubeEncryptionFact(ApiServerManifest, config, true, lines.Where(l => Structure().IsMatch(l)).ToList());
    }

    /// <summary>The first provider of the resources entry that covers secrets (by name or wildcard); null when none does.</summary>
    public static string? SecretsProvider(IReadOnlyList<string> lines)
    {
        var resources = new List<string>();
        var inResources = false;
        var inProviders = false;
        string? first = null;
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var item = line.StartsWith('-') ? line[1..].Trim() : line;
            if (item == "resources:")
            {
                if (Covers(resources) && first is not null)
                {
                    return first;
                }
                resources.Clear();
                first = null;
                inResources = true;
                inProviders = false;
                continue;
            }
            if (item == "providers:")
            {
                inResources = false;
                inProviders = true;
                continue;
            }
            if (inResources && line.StartsWith('-') && !item.EndsWith(':'))
            {
                resources.Add(item);
            }
            else if (inProviders && first is null && ProviderKind().Match(item) is { Success: true } kind)
            {
                first = kind.Groups[1].Value; // "- identity: {}" as well as "- aescbc:"
            }
        }
        return Covers(resources) ? first : null;
    }

    private static bool Covers(List<string> resources) => resources.Any(r => r is "secrets" or "*.*" or "*.");

    /// <summary>NODE-KENC-01's outcome for a node's fact.</summary>
    public static CheckOutcome Judge(KubeEncryptionFact? fact)
    {
        const string expected = "secrets encrypted first with aescbc, aesgcm or kms";
        const string fix = "Put an aesgcm, aescbc or kms provider first for secrets in the EncryptionConfiguration, restart kube-apiserver, and rewrite existing secrets (kubectl get secrets -A -o json | kubectl replace -f -).";
        if (fact is null)
        {
            return CheckOutcome.NotApplicable($"not a kubeadm control plane ({ApiServerManifest} absent)");
        }
        var evidence = new List<CheckEvidence> { new(fact.ManifestPath, fact.ConfigPath is null ? "no --encryption-provider-config" : $"--encryption-provider-config={fact.ConfigPath}") };
        if (fact.ConfigPath is null)
        {
            return new CheckOutcome(CheckStatus.Fail, expected, "kube-apiserver has no --encryption-provider-config: secrets are stored unencrypted", evidence, fix);
        }
        if (!fact.ConfigReadable)
        {
            return new CheckOutcome(CheckStatus.Error, expected, $"{fact.ConfigPath} could not be read", evidence, "");
        }
        evidence.Add(new CheckEvidence(fact.ConfigPath, string.Join(" | ", fact.Lines.Select(l => l.Trim()))));
        var provider = SecretsProvider(fact.Lines);
        if (provider is null)
        {
            return new CheckOutcome(CheckStatus.Fail, expected, $"{fact.ConfigPath} has no resources entry for secrets: they are stored unencrypted", evidence, fix);
        }
        var approved = Approved.Contains(provider, StringComparer.Ordinal);
        return new CheckOutcome(approved ? CheckStatus.Pass : CheckStatus.Fail, expected,
            $"secrets: {provider} first" + provider switch { "secretbox" => " (XSalsa20-Poly1305: not FIPS-approved)", "identity" => " (no encryption)", "kms" => " (the KMS plugin's own module is outside this check)", _ => "" },
            evidence, approved ? "" : fix);
    }
}
