using FipsCluster.Core.Compliance;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>
/// A fleet of node reports shaped like Test-FipsNode's: the FIPS-140-3 profile's check ids and titles, mixed statuses from a
/// fixed seed (mostly passing, some failing, a few Error/Unknown/Warning/NotApplicable), evidence per check, and a share of
/// nodes that could not be examined at all. The status of every node and check is known, so tests can sample cells.
/// </summary>
internal static class ReportFleet
{
    public const string Judge = "auditor@control-host";

    public static readonly DateTimeOffset JudgedAt = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    public static IReadOnlyList<string> CheckIds(int count)
    {
        var ids = ComplianceProfiles.Default.Checks.Select(c => c.CheckId).ToList();
        for (var i = ids.Count; i < count; i++)
        {
            ids.Add($"SITE-EXTRA-{i:D2}");
        }
        return ids.Take(count).ToList();
    }

    public static string NodeName(int index) => $"node-{index:D4}.fleet.example";

    public static IReadOnlyList<NodeComplianceReport> Nodes(int count, int checks = 25, int seed = 18, int unreachableEvery = 37)
    {
        var random = new Random(seed);
        var ids = CheckIds(checks);
        var hash = Judgement.ProfileHash(ComplianceProfiles.Default);
        var reports = new List<NodeComplianceReport>(count);
        for (var n = 0; n < count; n++)
        {
            var name = NodeName(n);
            if (unreachableEvery > 0 && n % unreachableEvery == unreachableEvery - 1)
            {
                reports.Add(new NodeComplianceReport
                {
                    ComputerName = name, Transport = NodeTransport.Ssh, Profile = ComplianceProfiles.DefaultName, ProfileHash = hash,
                    Status = ComplianceStatus.Error, Timestamp = JudgedAt, JudgedBy = Judge, ErrorId = ErrorIds.NodeUnreachable,
                    Errors = new[] { $"{name}:22: connection refused" }, Duration = TimeSpan.FromSeconds(3),
                });
                continue;
            }
            // A quarter of the fleet is healthy (nothing failing); the rest has mixed findings.
            var healthy = n % 4 == 0;
            var results = ids.Select((id, i) => Check(id, i, name, healthy ? Healthy(random) : Pick(random))).ToList();
            var compliant = results.Where(r => r.Required).All(r => r.IsSatisfied);
            reports.Add(new NodeComplianceReport
            {
                ComputerName = name, Transport = NodeTransport.Ssh, Profile = ComplianceProfiles.DefaultName, ProfileHash = hash,
                Status = compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant, Compliant = compliant, FipsModeEnabled = compliant,
                Checks = results, Timestamp = JudgedAt.AddSeconds(n % 60), JudgedBy = Judge, Duration = TimeSpan.FromMilliseconds(800 + n % 300),
            });
        }
        return reports;
    }

    public static CheckResult Check(string id, int index, string target, CheckStatus status) => new()
    {
        CheckId = id,
        Title = CheckCatalog.All.FirstOrDefault(c => c.Id == id)?.Title ?? $"Site check {id}",
        Status = status,
        Severity = (CheckSeverity)(1 + index % 4),
        Required = index % 5 != 4,
        Scope = CheckScope.Configuration,
        Expected = $"{id} expected value",
        Actual = status switch
        {
            CheckStatus.Pass => $"{id} as expected",
            CheckStatus.Fail => $"{id} found something else (variant {index % 3})",
            CheckStatus.Error => "the file could not be read: permission denied",
            CheckStatus.Unknown => "the output could not be interpreted",
            CheckStatus.Warning => $"{id} below the recommended floor",
            CheckStatus.NotApplicable => "does not apply to this platform",
            _ => "recorded",
        },
        Evidence = new[] { new CheckEvidence($"/etc/fips/{id.ToLowerInvariant()}.conf", status is CheckStatus.Pass ? "enabled = 1" : "enabled = 0") },
        Remediation = status is CheckStatus.Pass ? "" : $"Fix {id}: set enabled = 1 and reboot.",
        Standard = "FIPS 140-3",
        Reference = "fleet fixture",
        Target = target,
    };

    private static CheckStatus Pick(Random random) => random.Next(100) switch
    {
        < 70 => CheckStatus.Pass,
        < 82 => CheckStatus.Fail,
        < 85 => CheckStatus.Error,
        < 87 => CheckStatus.Unknown,
        < 92 => CheckStatus.Warning,
        < 97 => CheckStatus.NotApplicable,
        _ => CheckStatus.Informational,
    };

    private static CheckStatus Healthy(Random random) => random.Next(100) switch
    {
        < 85 => CheckStatus.Pass,
        < 92 => CheckStatus.NotApplicable,
        < 97 => CheckStatus.Warning,
        _ => CheckStatus.Informational,
    };

    /// <summary>One of each artifact report, for formats that must carry every kind.</summary>
    public static IReadOnlyList<object> Artifacts() => new object[]
    {
        new GoBinaryReport
        {
            Path = "/usr/bin/dockerd", Format = "ELF", IsGo = true, GoVersion = "go1.22.5", CryptoModule = GoCryptoModule.Standard, Status = CheckStatus.Fail,
            Reason = "Standard Go crypto (StandardCrypto sig).", Evidence = new[] { new CheckEvidence("/usr/bin/dockerd .go.buildinfo", "go1.22.5") },
            Timestamp = JudgedAt, JudgedBy = Judge,
        },
        new CertificateReport
        {
            Path = "/etc/pki/node.crt#0", Subject = "CN=node, O=FIPS.abc", Status = CheckStatus.Pass, Timestamp = JudgedAt, JudgedBy = Judge,
            Checks = new[] { Check("CRT-01", 0, "/etc/pki/node.crt#0", CheckStatus.Pass), Check("CRT-02", 1, "/etc/pki/node.crt#0", CheckStatus.Warning) },
        },
        new PrivateKeyReport
        {
            Path = "/etc/pki/node.key", Format = PrivateKeyFormat.Pkcs1, Status = CheckStatus.Fail, Timestamp = JudgedAt, JudgedBy = Judge,
            Checks = new[] { Check("KEY-04", 0, "/etc/pki/node.key", CheckStatus.Warning), Check("KEY-03", 1, "/etc/pki/node.key", CheckStatus.Fail) },
        },
        new TlsEndpointReport
        {
            ComputerName = "10.0.0.5", Port = 2379, Status = CheckStatus.Error, Timestamp = JudgedAt, JudgedBy = Judge,
            Checks = new[] { Check("TLS-01", 0, "10.0.0.5:2379", CheckStatus.Pass), Check("TLS-02", 1, "10.0.0.5:2379", CheckStatus.Error) },
        },
    };

    /// <summary>A cluster report with cluster checks and two nodes.</summary>
    public static ClusterComplianceReport Cluster() => new()
    {
        Name = "prod", Provider = "Swarm", Fips = true, Profile = ComplianceProfiles.DefaultName, ProfileHash = Judgement.ProfileHash(ComplianceProfiles.Default),
        Status = ComplianceStatus.NonCompliant, Timestamp = JudgedAt, JudgedBy = Judge,
        Checks = new[] { Check("SWM-FIPS-01", 0, "prod", CheckStatus.Pass), Check("SWM-RAFT-01", 1, "prod", CheckStatus.Fail) },
        Nodes = Nodes(2, checks: 5, seed: 3, unreachableEvery: 0),
    };
}
