using System.Collections.Concurrent;

namespace FipsCluster.Core.Compliance.Node;

/// <summary>
/// The text of a fleet's reports, each distinct value kept once: nodes of one build mostly say the same things (the
/// same binaries, the same OpenSSL configuration, the same remediation), so a scan's reports hold one copy of each
/// Actual, Expected, Remediation and evidence list instead of one per node. Strings and <see cref="CheckEvidence"/> are
/// immutable and a kept list is read-only, so sharing them is invisible to whoever reads a report. One instance per
/// scan; thread-safe.
/// </summary>
public sealed class ReportText
{
    private readonly ConcurrentDictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<EvidenceKey, IReadOnlyList<CheckEvidence>> _evidence = new();
    private readonly ConcurrentDictionary<(string, string, string, string, int, string, string), NodeOs> _os = new();
    private readonly ConcurrentDictionary<ComplianceProfile, string> _profileHashes = new(ReferenceEqualityComparer.Instance);

    /// <summary>The instance of <paramref name="text"/> this scan keeps.</summary>
    public string Of(string text) => text.Length == 0 ? "" : _strings.GetOrAdd(text, text);

    /// <summary>The instance of an evidence list with these sources and excerpts this scan keeps.</summary>
    public IReadOnlyList<CheckEvidence> Of(IReadOnlyList<CheckEvidence> evidence) =>
        evidence.Count == 0 ? Array.Empty<CheckEvidence>() : _evidence.GetOrAdd(new EvidenceKey(evidence), static key => key.Evidence.ToList().AsReadOnly());

    /// <summary>The instance of a node OS with these values this scan keeps (<see cref="NodeOs"/> is immutable).</summary>
    public NodeOs Of(NodeOs os) =>
        _os.GetOrAdd((os.Id, os.VersionId, os.PrettyName, os.Family, os.MajorVersion, os.Kernel, os.Architecture), static (_, os) => os, os);

    /// <summary>
    /// <see cref="Judgement.ProfileHash"/> of <paramref name="profile"/>, computed once per scan: a scan judges every node by
    /// one profile, which does not change while it runs.
    /// </summary>
    public string ProfileHash(ComplianceProfile profile) => _profileHashes.GetOrAdd(profile, Judgement.ProfileHash);

    /// <summary>Equal when the lists hold equal sources and excerpts, in order.</summary>
    private readonly struct EvidenceKey(IReadOnlyList<CheckEvidence> evidence) : IEquatable<EvidenceKey>
    {
        public IReadOnlyList<CheckEvidence> Evidence { get; } = evidence;

        public bool Equals(EvidenceKey other)
        {
            if (other.Evidence.Count != Evidence.Count)
            {
                return false;
            }
            for (var i = 0; i < Evidence.Count; i++)
            {
                if (!string.Equals(Evidence[i].Source, other.Evidence[i].Source, StringComparison.Ordinal) || !string.Equals(Evidence[i].Excerpt, other.Evidence[i].Excerpt, StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }

        public override bool Equals(object? obj) => obj is EvidenceKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var item in Evidence)
            {
                hash.Add(item.Source, StringComparer.Ordinal);
                hash.Add(item.Excerpt, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }
}
