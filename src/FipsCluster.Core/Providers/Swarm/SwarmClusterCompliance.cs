using System.Diagnostics;
using System.Text.Json;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Compliance.Artifacts;
using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using FipsCluster.Core.Compliance.Artifacts.Keys;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;

namespace FipsCluster.Core.Providers.Swarm;

/// <summary>
/// Test-FipsCluster for Swarm clusters: every member's host re-judged against the cluster's own profile, and the
/// cluster-level evidence — certificate FIPS marker vs the recorded mode, root CA algorithms, the managers' Go crypto,
/// raft at-rest encryption, and the join-token form. Upstream engines cannot run swarmkit in FIPS mode; where that
/// shows, the report says so instead of pretending.
/// </summary>
public static class SwarmClusterCompliance
{
    /// <summary>
    /// The swarm judged: every recorded member's host again (over SSH on the port its record names, or
    /// <paramref name="sshPort"/> when given, which wins), and the swarm's own evidence from its manager.
    /// </summary>
    public static async Task<ClusterComplianceReport> TestAsync(FipsClusterRecord record, SshOptions? ssh, int? sshPort, int throttle, OperationContext context)
    {
        var clock = Stopwatch.StartNew();
        var profile = record.ProfileDefinition ?? ComplianceProfiles.Get(record.ComplianceProfile);
        using var manager = new DockerEngineClient(DockerEndpoint.Resolve(record.Endpoints[0]), context);
        var swarm = await manager.InspectSwarmAsync().ConfigureAwait(false);
        var members = await manager.ListNodesAsync().ConfigureAwait(false);
        var (_, goVersion) = await manager.GetVersionAsync().ConfigureAwait(false);

        // Every recorded member's host, judged again with the cluster's profile.
        context.Progress(new OperationProgress($"Test-FipsCluster {record.Name}", "Testing the members' hosts"));
        var scanner = new NodeScanner(profile, throttle, ssh?.Timeout ?? TimeSpan.FromSeconds(60), context);
        foreach (var node in record.Nodes)
        {
            if (node.EvidenceHost is null or "local")
            {
                scanner.AddLocal();
            }
            else if (ssh is not null)
            {
                scanner.AddSsh(sshPort is { } port ? OnPort(node.EvidenceHost, port) : node.EvidenceHost, 22, ssh);
            }
            else
            {
                // Not skipped: a member nobody could examine must not let "every member is compliant" pass.
                scanner.AddUnavailable(node.EvidenceHost, NodeTransport.Ssh, new FipsClusterException(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
                    $"{node.EvidenceHost}: this member's host is tested over SSH, and no SSH key was given or found in ~/.ssh (id_ecdsa, id_rsa, id_ed25519): use -KeyFilePath or -Credential.", node.EvidenceHost));
            }
        }
        scanner.Complete();
        var reports = new List<NodeComplianceReport>();
        await foreach (var result in scanner.Results.ReadAllAsync(context.Cancellation).ConfigureAwait(false))
        {
            reports.Add(result.Report);
        }

        var checks = new List<CheckResult>();
        void Add(CheckInfo check, CheckStatus status, string expected, string actual, string remediation, params CheckEvidence[] evidence) =>
            checks.Add(CheckResults.Create(check, new CheckOutcome(status, expected, actual, evidence, remediation), new CheckSubject(record.Name, profile.Standard, profile)));

        // Members: all admitted with evidence, all compliant now.
        var unrecorded = members.Where(m => record.Nodes.All(n => n.NodeId != m.Id)).ToList();
        var failing = reports.Where(r => !r.Compliant).ToList();
        Add(SwarmClusterChecks.Members,
            !record.Fips ? CheckStatus.Informational : unrecorded.Count == 0 && failing.Count == 0 && reports.Count > 0 ? CheckStatus.Pass : CheckStatus.Fail,
            "every member admitted by FipsCluster and compliant now",
            (unrecorded.Count > 0 ? $"{unrecorded.Count} members joined without admission ({string.Join(", ", unrecorded.Select(u => u.Hostname))}); " : "")
                + (failing.Count > 0 ? "not compliant: " + string.Join(", ", failing.Select(f => $"{f.ComputerName} ({string.Join(", ", f.Findings.Select(x => x.CheckId).DefaultIfEmpty(f.ErrorId ?? "error"))})")) : $"{reports.Count} of {reports.Count} hosts compliant"),
            "Remove or fix the failing members (Remove-FipsClusterNode; Test-FipsNode shows the remediation).",
            reports.Select(r => new CheckEvidence(r.ComputerName, $"{r.Status} against {r.Profile}")).ToArray());

        // swarmkit's own marker: FIPS clusters' IDs (and so the node certificates' O) start with "FIPS.".
        var marked = swarm.Id.StartsWith("FIPS.", StringComparison.Ordinal);
        Add(SwarmClusterChecks.FipsMarker,
            marked == record.Fips ? CheckStatus.Pass : record.Fips ? CheckStatus.Fail : CheckStatus.Warning,
            record.Fips ? "O=FIPS.<cluster id>" : "O=<cluster id>", $"O={swarm.Id}" + (record.Fips && !marked ? ": the engine does not run swarmkit in FIPS mode (upstream Docker never does); FIPS is enforced by FipsCluster's admission only" : ""),
            "Run engines that enable swarmkit's FIPS mode (Mirantis/Docker EE) for engine-level enforcement.",
            new CheckEvidence("GET /swarm .ID", swarm.Id));

        // The root CA the tokens and node certificates hang off.
        var roots = CertificateAnalyzer.AnalyzeContent("swarm root CA", System.Text.Encoding.UTF8.GetBytes(swarm.TrustRoot), new CertificateCheckOptions { Profile = profile });
        var rootStatus = ArtifactResults.Worst(roots.SelectMany(r => r.Checks));
        Add(SwarmClusterChecks.RootCa, rootStatus,
            "ECDSA P-256+/RSA ≥ 2048, SHA-256+", string.Join("; ", roots.Select(r => $"{r.KeyAlgorithm} {r.Curve ?? r.KeySize.ToString(System.Globalization.CultureInfo.InvariantCulture)}, {r.SignatureAlgorithm}")),
            "Rotate the swarm CA (docker swarm ca --rotate) to an approved key.",
            roots.Select(r => new CheckEvidence(r.Path, $"{r.Subject}: {r.Status}")).ToArray());

        // The manager engine's Go crypto, from the runtime it reports (GET /version GoVersion).
        var engine = GoCryptoVerdict.Judge(new GoBinaryFacts { IsGo = true, GoVersion = goVersion }, "dockerd (GET /version)");
        Add(SwarmClusterChecks.EngineCrypto,
            record.Fips ? engine.Status : CheckStatus.Informational, "BoringCrypto, Go FIPS 140-3 or OpenSSL-backed dockerd",
            $"{goVersion}: {engine.Module}. {engine.Reason}", "Run a FIPS build of the engine.",
            new CheckEvidence("GET /version .GoVersion", goVersion));

        // Raft at rest: autolock protects the keys; the raft log cipher is NaCl secretbox unless swarmkit runs in FIPS mode.
        var autolock = SpecValue(swarm.SpecJson, "EncryptionConfig", "AutoLockManagers") == "True";
        Add(SwarmClusterChecks.RaftEncryption,
            !record.Fips ? CheckStatus.Informational : marked && autolock ? CheckStatus.Pass : CheckStatus.Fail,
            "autolock on; raft log encrypted with Fernet (AES-128-CBC + HMAC-SHA256)",
            (autolock ? "autolock on" : "autolock off: the raft key-encryption keys sit unencrypted on every manager")
                + (marked ? "; swarmkit FIPS mode: Fernet" : "; the engine is not in swarmkit FIPS mode, so the raft log is encrypted with NaCl secretbox (XSalsa20-Poly1305), not a FIPS-approved cipher"),
            "Turn autolock on (docker swarm update --autolock=true) and use engines that run swarmkit in FIPS mode.",
            new CheckEvidence("GET /swarm .Spec.EncryptionConfig.AutoLockManagers", autolock ? "true" : "false"));

        // Token form: the engine's own token vs the cluster's mode (Get-SwarmJoinToken -Cluster hands out v2 for FIPS).
        var engineToken = swarm.TokenFor(SwarmNodeRole.Worker);
        var tokenVersion = engineToken is null ? "none" : Tokens.SecretText.Use(engineToken, t => t.StartsWith("SWMTKN-2-1-") ? "SWMTKN-2-1" : t.StartsWith("SWMTKN-2-") ? "SWMTKN-2-0" : "SWMTKN-1");
        Add(SwarmClusterChecks.TokenForm,
            (tokenVersion == "SWMTKN-2-1") == record.Fips ? CheckStatus.Pass : record.Fips ? CheckStatus.Warning : CheckStatus.Fail,
            record.Fips ? "SWMTKN-2-1" : "SWMTKN-1", $"the engine issues {tokenVersion}" + (record.Fips && tokenVersion != "SWMTKN-2-1" ? "; Get-SwarmJoinToken -Cluster hands out SWMTKN-2-1 for this cluster" : ""),
            "Hand out tokens with Get-SwarmJoinToken -Cluster, so FIPS-aware engines refuse non-FIPS nodes themselves.",
            new CheckEvidence("GET /swarm .JoinTokens.Worker", tokenVersion + "-… (secret not shown)"));

        var compliant = checks.Where(c => c.Required).All(c => c.IsSatisfied) && reports.All(r => r.Compliant || !record.Fips);
        return new ClusterComplianceReport
        {
            Name = record.Name,
            Provider = record.Provider.ToString(),
            Fips = record.Fips,
            Profile = profile.Name,
            ProfileHash = Judgement.ProfileHash(profile),
            Compliant = compliant,
            Status = compliant ? ComplianceStatus.Compliant : ComplianceStatus.NonCompliant,
            Checks = checks,
            Nodes = reports,
            Duration = clock.Elapsed,
            Timestamp = DateTimeOffset.UtcNow,
            JudgedBy = Judgement.By,
        };
    }

    private static string? SpecValue(string specJson, params string[] path)
    {
        using var document = JsonDocument.Parse(specJson);
        var e = document.RootElement;
        foreach (var name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e))
            {
                return null;
            }
        }
        return e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean().ToString() : e.ToString();
    }

    /// <summary>The recorded host on <paramref name="port"/>; a record that does not parse is left as it is, for the scanner to report.</summary>
    private static string OnPort(string host, int port)
    {
        try
        {
            return new HostEndpoint(HostEndpoint.Parse(host, port).Host, port).ToString();
        }
        catch (FipsClusterException)
        {
            return host;
        }
    }
}
