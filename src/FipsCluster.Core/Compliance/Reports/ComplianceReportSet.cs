using FipsCluster.Core.Compliance.Artifacts;

namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// The reports given to an export or a comparison, flattened into judged targets: a cluster report is the cluster (its
/// cluster checks) plus each of its nodes; a Go binary's verdict becomes its one check, BIN-01. Every string is cleaned
/// (<see cref="ReportText.Clean"/>) here, once, so no writer can emit what this did not.
/// </summary>
public sealed class ComplianceReportSet
{
    private ComplianceReportSet(IReadOnlyList<JudgedTarget> targets) => Targets = targets;

    public IReadOnlyList<JudgedTarget> Targets { get; }

    /// <summary>
    /// Builds the set from report objects (NodeComplianceReport, ClusterComplianceReport, GoBinaryReport, CertificateReport,
    /// PrivateKeyReport, TlsEndpointReport). Anything else is a caller's mistake.
    /// </summary>
    public static ComplianceReportSet From(IEnumerable<object> reports, CancellationToken cancellation = default)
    {
        var normalizer = new Normalizer();
        var targets = new List<JudgedTarget>();
        foreach (var report in reports)
        {
            cancellation.ThrowIfCancellationRequested();
            switch (report)
            {
                case NodeComplianceReport node:
                    targets.Add(normalizer.FromNode(node, ""));
                    break;
                case ClusterComplianceReport cluster:
                    targets.Add(new JudgedTarget
                    {
                        Name = normalizer.Clean(cluster.Name),
                        Kind = ComplianceTargetKind.Cluster,
                        Profile = normalizer.Clean(cluster.Profile),
                        ProfileHash = normalizer.Clean(cluster.ProfileHash),
                        Standard = normalizer.StandardOf(cluster.Checks),
                        Status = cluster.Status,
                        Timestamp = Normalizer.Stamp(cluster.Timestamp),
                        JudgedBy = normalizer.Clean(cluster.JudgedBy),
                        Duration = cluster.Duration,
                        Checks = normalizer.Checks(cluster.Checks, cluster.Name),
                    });
                    targets.AddRange(cluster.Nodes.Select(n => normalizer.FromNode(n, normalizer.Clean(cluster.Name))));
                    break;
                case GoBinaryReport binary:
                    targets.Add(normalizer.FromArtifact(binary.Path, ComplianceTargetKind.GoBinary, binary.Status, new[] { Normalizer.BinaryCheck(binary) }, binary.Timestamp, binary.JudgedBy));
                    break;
                case CertificateReport certificate:
                    targets.Add(normalizer.FromArtifact(certificate.Path.Length > 0 ? certificate.Path : certificate.Subject, ComplianceTargetKind.Certificate, certificate.Status,
                        certificate.Checks, certificate.Timestamp, certificate.JudgedBy));
                    break;
                case PrivateKeyReport key:
                    targets.Add(normalizer.FromArtifact(key.Path, ComplianceTargetKind.PrivateKey, key.Status, key.Checks, key.Timestamp, key.JudgedBy));
                    break;
                case TlsEndpointReport endpoint:
                    targets.Add(normalizer.FromArtifact(HostAndPort(endpoint.ComputerName, endpoint.Port), ComplianceTargetKind.TlsEndpoint, endpoint.Status, endpoint.Checks,
                        endpoint.Timestamp, endpoint.JudgedBy));
                    break;
                default:
                    throw new ArgumentException($"{report?.GetType().FullName ?? "null"} is not a compliance report.", nameof(reports));
            }
        }
        return new ComplianceReportSet(targets);
    }

    /// <summary>Targets worst first: Error, then NonCompliant, then Compliant; more failing checks first; then by name.</summary>
    public IReadOnlyList<JudgedTarget> WorstFirst(IEnumerable<JudgedTarget>? targets = null) => (targets ?? Targets)
        .OrderBy(t => t.Rank).ThenByDescending(t => t.FailingChecks).ThenBy(t => t.DisplayName, StringComparer.Ordinal).ToList();

    /// <summary>The check columns of a group of targets: in the order the reports list them (the profile's order), each once.</summary>
    internal static IReadOnlyList<CheckColumn> ColumnsOf(IEnumerable<JudgedTarget> targets)
    {
        var columns = new Dictionary<string, CheckColumn>(StringComparer.Ordinal);
        foreach (var check in targets.SelectMany(t => t.Checks))
        {
            if (!columns.ContainsKey(check.CheckId))
            {
                columns[check.CheckId] = new CheckColumn(check.CheckId, check.Title, check.Severity, check.Standard, check.Reference, check.Expected, check.Remediation);
            }
        }
        return columns.Values.ToList();
    }

    /// <summary>The groups exports show one matrix for: targets of one kind share their checks.</summary>
    public IReadOnlyList<IGrouping<ComplianceTargetKind, JudgedTarget>> ByKind() =>
        Targets.GroupBy(t => t.Kind).OrderBy(g => g.Key).ToList();

    /// <summary>Per profile (or artifact kind): how many targets are compliant, non-compliant and in error, and the hashes seen.</summary>
    public IReadOnlyList<ProfileSummary> Summary() => Targets
        .GroupBy(t => t.ProfileLabel, StringComparer.Ordinal)
        .Select(g => new ProfileSummary(
            g.Key,
            g.Select(t => t.ProfileHash).Where(h => h.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            g.Count(t => t.Status is ComplianceStatus.Compliant),
            g.Count(t => t.Status is ComplianceStatus.NonCompliant),
            g.Count(t => t.Status is ComplianceStatus.Error)))
        .OrderBy(s => s.Profile, StringComparer.Ordinal)
        .ToList();

    /// <summary>When the verdicts were reached (earliest, latest), or null when no report says.</summary>
    public (DateTimeOffset First, DateTimeOffset Last)? JudgedBetween()
    {
        var stamps = Targets.Select(t => t.Timestamp).OfType<DateTimeOffset>().ToList();
        return stamps.Count == 0 ? null : (stamps.Min(), stamps.Max());
    }

    public IReadOnlyList<string> JudgedBy() => Targets.Select(t => t.JudgedBy).Where(j => j.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Cleans every string once: a fleet repeats the same titles, expectations and remediations thousands of times.</summary>
    private sealed class Normalizer
    {
        private readonly Dictionary<string, string> _clean = new(StringComparer.Ordinal);

        public string Clean(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return "";
            }
            if (!_clean.TryGetValue(text, out var clean))
            {
                clean = ReportText.Clean(text);
                if (_clean.Count < 200_000)
                {
                    _clean[text] = clean;
                }
            }
            return clean;
        }

        public JudgedTarget FromNode(NodeComplianceReport node, string cluster) => new()
        {
            Name = Clean(node.ComputerName),
            Kind = ComplianceTargetKind.Node,
            Cluster = cluster,
            Profile = Clean(node.Profile),
            ProfileHash = Clean(node.ProfileHash),
            Standard = StandardOf(node.Checks),
            Status = node.Status,
            Timestamp = Stamp(node.Timestamp),
            JudgedBy = Clean(node.JudgedBy),
            Duration = node.Duration,
            Checks = Checks(node.Checks, node.ComputerName),
            Errors = node.Errors.Select(Clean).ToList(),
            ErrorId = Clean(node.ErrorId),
        };

        public JudgedTarget FromArtifact(string name, ComplianceTargetKind kind, CheckStatus worst, IReadOnlyList<CheckResult> checks, DateTimeOffset timestamp, string judgedBy) => new()
        {
            Name = Clean(name),
            Kind = kind,
            Standard = StandardOf(checks),
            // The artifact's worst required status decides, as its own Status does.
            Status = worst switch
            {
                CheckStatus.Error => ComplianceStatus.Error,
                CheckStatus.Fail or CheckStatus.Unknown => ComplianceStatus.NonCompliant,
                _ => ComplianceStatus.Compliant,
            },
            Timestamp = Stamp(timestamp),
            JudgedBy = Clean(judgedBy),
            Checks = Checks(checks, name),
        };

        public static CheckResult BinaryCheck(GoBinaryReport binary) => CheckResults.Create(ArtifactCheckCatalog.GoCryptoModule, new CheckOutcome(binary.Status,
            "a FIPS crypto module: Go+BoringCrypto, or Go's FIPS 140-3 module v1.0.0 (GOFIPS140)",
            string.IsNullOrEmpty(binary.GoVersion) ? $"{binary.CryptoModule}: {binary.Reason}" : $"{binary.CryptoModule} ({binary.GoVersion}): {binary.Reason}",
            binary.Evidence,
            // A rebuild is the fix for a wrong module, not for a file that could not be read.
            binary.Status is CheckStatus.Fail or CheckStatus.Warning
                ? "Rebuild with GOFIPS140=v1.0.0 (Go 1.24+) or GOEXPERIMENT=boringcrypto with cgo, or take the vendor's FIPS build of this component."
                : ""),
            new CheckSubject(binary.Path, ArtifactResults.Fips1403));

        public IReadOnlyList<CheckResult> Checks(IReadOnlyList<CheckResult> checks, string target) => checks.Select(c => new CheckResult
        {
            CheckId = Clean(c.CheckId),
            Title = Clean(c.Title),
            Status = c.Status,
            Severity = c.Severity,
            Required = c.Required,
            Scope = c.Scope,
            Expected = Clean(c.Expected),
            Actual = Clean(c.Actual),
            Evidence = c.Evidence.Select(e => new CheckEvidence(Clean(e.Source), e.Excerpt is null ? null : Clean(e.Excerpt))).ToList(),
            Remediation = Clean(c.Remediation),
            Standard = Clean(c.Standard),
            Reference = Clean(c.Reference),
            Target = Clean(c.Target.Length > 0 ? c.Target : target),
        }).ToList();

        public string StandardOf(IReadOnlyList<CheckResult> checks) => Clean(checks.Select(c => c.Standard).FirstOrDefault(s => s.Length > 0));

        public static DateTimeOffset? Stamp(DateTimeOffset value) => value == default ? null : value;
    }

    private static string HostAndPort(string host, int port) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
}

/// <summary>One check as a column of the matrix and a Rule of the benchmark: what the first report that names it says about it.</summary>
internal sealed record CheckColumn(string CheckId, string Title, CheckSeverity Severity, string Standard, string Reference, string Expected, string Remediation);

/// <summary>How the targets judged by one profile (or one kind of artifact check) came out.</summary>
public sealed record ProfileSummary(string Profile, IReadOnlyList<string> Hashes, int Compliant, int NonCompliant, int Error)
{
    public int Total => Compliant + NonCompliant + Error;
}
