using FipsCluster.Core.Clusters;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tokens;
using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Providers.Swarm;

/// <summary>
/// Creates and manages Swarm-provider clusters: the FIPS identity lives in the module's record (fixed at birth,
/// MAC-protected), and membership is gated on evidence. Upstream engines cannot run swarmkit in FIPS mode, so the
/// module is what enforces it.
/// </summary>
public sealed class SwarmClusterProvider : IClusterProvider
{
    private readonly IClusterStore _store;

    public SwarmClusterProvider(IClusterStore store) => _store = store;

    public async Task<ClusterCreation> CreateAsync(NewClusterOptions options, OperationContext context)
    {
        var request = options as NewSwarmClusterOptions
            ?? throw new ArgumentException($"{options.GetType().Name} are not a Swarm cluster's options.", nameof(options));
        return new ClusterCreation(await CreateAsync(request, context).ConfigureAwait(false), Array.Empty<FipsClusterException>());
    }

    /// <summary>Null when ShouldProcess declined (-WhatIf / -Confirm No): nothing was changed.</summary>
    public async Task<FipsClusterRecord?> CreateAsync(NewSwarmClusterOptions request, OperationContext context)
    {
        ClusterRecords.RequireNewName(_store, request.Name);
        var profile = request.Profile ?? ComplianceProfiles.Default;

        // 1. Evidence: the engine's identity confirmed on the evidence host, the manager host against the cluster's
        // profile, and the engine's own account of itself.
        context.Progress(new OperationProgress($"New-FipsCluster {request.Name}", "Preflight: confirming the engine's host"));
        var source = new EvidenceSource(request.EvidenceHost, request.Ssh, request.SshPort);
        var (identity, identitySource) = await BindAsync(request.Engine, source, context).ConfigureAwait(false);
        context.Progress(new OperationProgress($"New-FipsCluster {request.Name}", "Preflight: testing the manager host"));
        var report = await PreflightAsync(request.Name, profile, source, context).ConfigureAwait(false);
        using var engine = new DockerEngineClient(request.Engine, context);
        var (engineVersion, goVersion) = await engine.GetVersionAsync().ConfigureAwait(false);
        var (state, _, engineName) = await engine.GetSwarmStateAsync().ConfigureAwait(false);
        if (state != "inactive")
        {
            throw new FipsClusterException(ErrorIds.SwarmAlreadyInitialized, FipsErrorCategory.InvalidOperation,
                $"The engine at {request.Engine} is already part of a swarm (state {state}); a FIPS cluster's identity starts with a new swarm.", request.Engine.Address);
        }
        var admission = new Admission(request.Engine, source, identity, report, FailingChecks(report, "PREFLIGHT"));
        var failing = admission.Failing;
        var evidence = new List<string>
        {
            $"{report.ComputerName}: {report.Status} against {report.Profile}" + (failing.Count > 0 ? "; failing " + string.Join(", ", failing) : ""),
            $"engine {engineName} Docker {engineVersion}, {goVersion}",
            $"engine ID {identity.Id}, confirmed on {request.EvidenceHost ?? "this machine"} ({identitySource})",
        };
        evidence.AddRange(report.Findings.Select(f => $"{f.CheckId}: {f.Actual}"));
        var waivers = new List<ClusterWaiver>();
        if (request.Fips && failing.Count > 0)
        {
            if (!request.Force)
            {
                throw new FipsClusterException(ErrorIds.FipsPreflightFailed, FipsErrorCategory.InvalidOperation,
                    $"'{report.ComputerName}' cannot host FIPS cluster '{request.Name}': {WhyFailing(report)}.", request.Name)
                {
                    RecommendedAction = "Fix the failing checks (Test-FipsNode shows the evidence and remediation), or use -Force to create the cluster with a recorded waiver.",
                };
            }
            waivers.Add(new ClusterWaiver
            {
                Checks = failing,
                Reason = "New-FipsCluster -Force: the manager host failed these required checks at creation",
                GrantedBy = Environment.UserName,
                GrantedAt = DateTimeOffset.UtcNow,
            });
            context.Warning($"Creating FIPS cluster '{request.Name}' although {string.Join(", ", failing)} failed; the waiver is recorded in the cluster for good.");
        }

        // 2. The change: a new swarm, then the record. -WhatIf stops here.
        var action = $"Initialize a swarm ({(request.Fips ? "FIPS" : "non-FIPS")} cluster '{request.Name}', profile {profile.Name}, listen {request.ListenAddress})";
        if (!context.ShouldProcess(request.Engine.ToString(), action))
        {
            return null;
        }
        context.Progress(new OperationProgress($"New-FipsCluster {request.Name}", "Initializing the swarm"));
        var nodeId = await engine.InitSwarmAsync(request.ListenAddress, request.AdvertiseAddress).ConfigureAwait(false);
        try
        {
            var swarm = await engine.InspectSwarmAsync().ConfigureAwait(false);
            var digest = RootCaBundle.FromPem(swarm.TrustRoot, $"{request.Engine} root CA").Digest;
            return _store.Create(new FipsClusterRecord
            {
                Name = request.Name,
                Provider = FipsClusterProvider.Swarm,
                Fips = request.Fips,
                ComplianceProfile = profile.Name,
                ComplianceProfileHash = Judgement.ProfileHash(profile),
                ProfileDefinition = profile,
                Endpoints = new[] { request.Engine.ToString() },
                EngineClusterId = swarm.Id,
                RootCaDigest = digest,
                Description = request.Description,
                CreationEvidence = evidence,
                Waivers = waivers,
                Nodes = new[] { admission.Member(request.Name, "Manager", nodeId, engineName) },
            });
        }
        catch
        {
            // No record, no swarm: undo the init so a retry starts clean.
            try
            {
                await engine.LeaveSwarmAsync(force: true).ConfigureAwait(false);
            }
            catch (FipsClusterException)
            {
            }
            throw;
        }
    }

    /// <summary>Where a host's evidence is read: this machine (no host), or a host over SSH.</summary>
    private sealed record EvidenceSource(string? Host, SshOptions? Ssh, int? SshPort)
    {
        public HostEndpoint Endpoint => HostEndpoint.Parse(Host!, SshPort ?? 22);

        public string Name => Host ?? "this machine";

        /// <summary>What the record keeps: "local", or the host with the SSH port its evidence was read on when that is not 22 (so Test-FipsCluster reads it there again).</summary>
        public string Recorded => Host is null ? "local" : SshPort is { } port && port != 22 ? Endpoint.ToString() : Host;
    }

    /// <summary>A host admitted on evidence: the engine it joins with, where its evidence was read, and what it showed.</summary>
    private sealed record Admission(DockerEndpoint Engine, EvidenceSource Source, EngineIdentity Identity, NodeComplianceReport Report, IReadOnlyList<string> Failing)
    {
        /// <summary>The member the record keeps once the engine is in the swarm.</summary>
        public FipsClusterNode Member(string cluster, string role, string? nodeId, string? engineName) => new()
        {
            Cluster = cluster,
            Hostname = engineName ?? Report.ComputerName,
            NodeId = nodeId,
            Role = role,
            Endpoint = Engine.ToString(),
            EvidenceHost = Source.Recorded,
            EngineId = Identity.Id,
            FipsModeEnabled = Report.FipsModeEnabled,
            Compliant = Report.Compliant,
            FailedChecks = Failing,
            CheckedAt = Report.Timestamp,
        };
    }

    /// <summary>The required checks a host failed; when it could not be judged, its errors under <paramref name="label"/>.</summary>
    private static List<string> FailingChecks(NodeComplianceReport report, string label) =>
        report.Status is ComplianceStatus.Error
            ? new List<string> { $"{label}: {string.Join("; ", report.Errors)}" }
            : report.Findings.Select(f => f.CheckId).ToList();

    /// <summary>What a refusal says: the evidence errors, or each failing check with its status and what was found.</summary>
    private static string WhyFailing(NodeComplianceReport report) =>
        string.Join("; ", report.Status is ComplianceStatus.Error ? report.Errors : report.Findings.Select(f => $"{f.CheckId} {f.Status}: {f.Actual}"));

    private static async Task<NodeComplianceReport> PreflightAsync(string clusterName, ComplianceProfile profile, EvidenceSource source, OperationContext context)
    {
        var scanner = new NodeScanner(profile, 1, source.Ssh?.Timeout ?? TimeSpan.FromSeconds(60), context);
        switch (source.Host, source.Ssh)
        {
            case (null, _):
                scanner.AddLocal();
                break;
            case ({ } host, { } ssh):
                scanner.PrepareSsh(ssh);
                scanner.AddSsh(host, source.SshPort ?? 22, ssh);
                break;
            case ({ } host, null):
                throw NoSshLogin(host);
        }
        scanner.Complete();
        NodeComplianceReport? report = null;
        await foreach (var result in scanner.Results.ReadAllAsync(context.Cancellation).ConfigureAwait(false))
        {
            report = result.Report;
        }
        context.Cancellation.ThrowIfCancellationRequested();
        return report ?? throw new FipsClusterException(ErrorIds.NodeFactsUnavailable, FipsErrorCategory.InvalidResult, "The preflight produced no report.", clusterName);
    }

    /// <summary>Never this machine's evidence recorded for another host.</summary>
    private static FipsClusterException NoSshLogin(string host) =>
        new(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
            $"The evidence for {host} is read over SSH, and no SSH key was given or found in ~/.ssh (id_ecdsa, id_rsa, id_ed25519): use -KeyFilePath or -SshCredential.", "KeyFilePath");

    /// <summary>
    /// Confirms, before any evidence is read, that the evidence host is the engine's machine: the engine ID the engine
    /// reports must be the one the host's own files hold (over SSH with the evidence's login, or this machine's for an
    /// engine on a local socket). Read-only on both sides, so -WhatIf runs it too.
    /// </summary>
    private static async Task<(EngineIdentity Identity, string Source)> BindAsync(DockerEndpoint engine, EvidenceSource source, OperationContext context)
    {
        if (source.Host is { } evidenceHost && source.Ssh is null)
        {
            throw NoSshLogin(evidenceHost);
        }
        if (source.Host is null && engine.Transport == DockerTransport.Tcp)
        {
            // Refused before the engine is contacted: nothing it could answer makes this machine's evidence its own.
            EngineHostIdentity.RequireSameMachine(engine, new EngineIdentity("", null, null, "", null), null, "this machine");
        }
        using var client = new DockerEngineClient(engine, context);
        var identity = await client.GetIdentityAsync().ConfigureAwait(false);
        HostEngineIdentity host;
        if (source.Host is null)
        {
            host = EngineHostIdentity.ReadLocal(identity);
        }
        else
        {
            var ssh = source.Ssh!;
            var runner = new SshCommandRunner(ssh);
            runner.Retrying += message => context.Verbose(message);
            runner.HostKeyAccepted += (name, fingerprint) => context.Warning($"Trusted a new host key for {name} ({fingerprint}) and recorded it in {ssh.KnownHostsPath}.");
            host = await EngineHostIdentity.ReadOverSshAsync(runner, source.Endpoint, identity, context.Cancellation).ConfigureAwait(false);
        }
        EngineHostIdentity.RequireSameMachine(engine, identity, host, source.Name);
        context.Verbose($"{engine}: engine ID {identity.Id} confirmed on {source.Name} ({host.Source}).");
        return (identity, host.Source);
    }

    /// <summary>
    /// Admits a node on evidence: its host is judged against the cluster's own profile; a FIPS cluster refuses a
    /// node that fails (nothing is joined), a non-FIPS cluster admits it and records its mode. Then the node's engine
    /// joins with the manager's token and the evidence is recorded.
    /// </summary>
    public async Task<NodeAddition> AddNodesAsync(FipsClusterRecord record, AddNodesOptions options, OperationContext context)
    {
        var add = ClusterProviders.Require<AddSwarmNodeOptions>(record, options);
        var profile = ClusterRecords.ProfileOf(record);
        var source = new EvidenceSource(add.EvidenceHost, add.Ssh, add.SshPort);
        context.Progress(new OperationProgress($"Add-FipsClusterNode {record.Name}", $"Confirming that {source.Name} is the engine's host"));
        var (identity, _) = await BindAsync(add.Engine, source, context).ConfigureAwait(false);
        context.Progress(new OperationProgress($"Add-FipsClusterNode {record.Name}", $"Gathering evidence from {source.Name}"));
        var report = await PreflightAsync(record.Name, profile, source, context).ConfigureAwait(false);
        var admission = new Admission(add.Engine, source, identity, report, FailingChecks(report, "EVIDENCE"));
        if (record.Fips && admission.Failing.Count > 0)
        {
            throw new FipsClusterException(ErrorIds.NodeNotFipsCompliant, FipsErrorCategory.SecurityError,
                $"FIPS cluster '{record.Name}' refuses {report.ComputerName}: {WhyFailing(report)}.", report.ComputerName)
            {
                RecommendedAction = "Bring the node into FIPS mode (Test-FipsNode shows each failing check and its remediation), then add it again.",
            };
        }
        if (!context.ShouldProcess(add.Engine.ToString(), $"Join cluster '{record.Name}' as {add.Role}"))
        {
            return new NodeAddition(Array.Empty<FipsClusterNode>(), Array.Empty<FipsClusterException>());
        }
        using var manager = new DockerEngineClient(DockerEndpoint.Resolve(record.Endpoints[0]), context);
        var managers = await manager.GetRemoteManagersAsync().ConfigureAwait(false);
        var swarm = await manager.InspectSwarmAsync().ConfigureAwait(false);
        var token = swarm.TokenFor(add.Role is SwarmNodeRole.Manager ? SwarmNodeRole.Manager : SwarmNodeRole.Worker)
            ?? throw new FipsClusterException(ErrorIds.JoinTokenUnavailable, FipsErrorCategory.InvalidOperation, $"The manager of '{record.Name}' gave no {add.Role} join token.", record.Name);
        using var node = new DockerEngineClient(add.Engine, context);
        context.Progress(new OperationProgress($"Add-FipsClusterNode {record.Name}", $"Joining {add.Engine}"));
        await node.JoinSwarmAsync(add.ListenAddress, add.AdvertiseAddress, managers, token).ConfigureAwait(false);
        var (_, nodeId, engineName) = await node.GetSwarmStateAsync().ConfigureAwait(false);
        var member = admission.Member(record.Name, add.Role is SwarmNodeRole.Manager ? "Manager" : "Worker", nodeId, engineName);
        _store.Update(record.Name, r => r.WithNodes(r.Nodes.Append(member).ToArray()));
        return new NodeAddition(new[] { member }, Array.Empty<FipsClusterException>());
    }

    /// <summary>The engine's members merged with the recorded evidence (a node the module never admitted shows Recorded = false).</summary>
    public async Task<IReadOnlyList<FipsClusterNode>> GetNodesAsync(FipsClusterRecord record, GetNodesOptions options, OperationContext context)
    {
        RefuseAws(record, awsGiven: options.Aws is not null);
        using var manager = new DockerEngineClient(DockerEndpoint.Resolve(record.Endpoints[0]), context);
        var swarm = await manager.InspectSwarmAsync().ConfigureAwait(false);
        var nodes = await manager.ListNodesAsync().ConfigureAwait(false);
        return nodes.Select(node =>
        {
            var recorded = record.Nodes.FirstOrDefault(n => n.NodeId == node.Id);
            var role = node.Role.Equals("manager", StringComparison.OrdinalIgnoreCase) ? "Manager" : "Worker";
            return new FipsClusterNode
            {
                Cluster = record.Name,
                NodeId = node.Id,
                Hostname = node.Hostname,
                Role = role,
                State = node.State,
                Availability = node.Availability,
                Address = node.Address,
                IsLeader = node.IsLeader,
                // As swarmkit issues node certificates (ca/certificates.go): CN = node ID, OU = role, O = cluster ID.
                CertificateSubject = $"CN={node.Id}, OU=swarm-{role.ToLowerInvariant()}, O={swarm.Id}",
                CertificateFipsMarker = swarm.Id.StartsWith("FIPS.", StringComparison.Ordinal),
                Endpoint = recorded?.Endpoint,
                EvidenceHost = recorded?.EvidenceHost,
                EngineId = recorded?.EngineId,
                Recorded = recorded is not null,
                Compliant = recorded?.Compliant,
                FipsModeEnabled = recorded?.FipsModeEnabled,
                FailedChecks = recorded?.FailedChecks ?? Array.Empty<string>(),
                CheckedAt = recorded?.CheckedAt,
            };
        }).ToList();
    }

    /// <summary>Removes a member: the managers forget it (DELETE /nodes/{id}), its engine leaves when given, the record drops it.</summary>
    public async Task<bool> RemoveNodeAsync(FipsClusterRecord record, RemoveNodeOptions options, OperationContext context)
    {
        RefuseKubernetes(record, options.Kubeconfig);
        RefuseAws(record, awsGiven: options.Aws is not null);
        var shouldProcess = options.ShouldProcess ?? context.ShouldProcess;
        using var manager = new DockerEngineClient(DockerEndpoint.Resolve(record.Endpoints[0]), context);
        var members = await manager.ListNodesAsync().ConfigureAwait(false);
        var member = members.FirstOrDefault(m => m.Id == options.Node || string.Equals(m.Hostname, options.Node, StringComparison.OrdinalIgnoreCase))
            ?? throw new FipsClusterException(ErrorIds.FipsClusterNodeNotFound, FipsErrorCategory.ObjectNotFound, $"Cluster '{record.Name}' has no node '{options.Node}'.", options.Node);
        if (!shouldProcess($"{member.Hostname} ({member.Id})", $"Remove from cluster '{record.Name}'"))
        {
            return false;
        }
        if (options.NodeEngine is not null)
        {
            using var engine = new DockerEngineClient(options.NodeEngine, context);
            await engine.LeaveSwarmAsync(force: true).ConfigureAwait(false);
        }
        await manager.RemoveNodeAsync(member.Id, force: true).ConfigureAwait(false);
        _store.Update(record.Name, r => r.WithNodes(r.Nodes.Where(n => n.NodeId != member.Id).ToArray()));
        return true;
    }

    /// <summary>Removes the record; with deprovision, the engine leaves (and so ends) the swarm first.</summary>
    public async Task<bool> RemoveAsync(FipsClusterRecord record, RemoveClusterOptions options, OperationContext context)
    {
        RefuseAws(record, awsGiven: options.Aws is not null);
        var shouldProcess = options.ShouldProcess ?? context.ShouldProcess;
        if (!shouldProcess(record.Name, options.Deprovision ? "Remove the cluster record and tear down its swarm" : "Remove the cluster record (the cluster keeps running)"))
        {
            return false;
        }
        if (options.Deprovision)
        {
            foreach (var endpoint in record.Endpoints)
            {
                using var engine = new DockerEngineClient(DockerEndpoint.Resolve(endpoint), context);
                await engine.LeaveSwarmAsync(force: true).ConfigureAwait(false);
            }
        }
        return _store.Delete(record.Name);
    }

    /// <summary>Every member's host re-judged over SSH (or locally) and the swarm's own evidence; a swarm has no kubeconfig.</summary>
    public Task<ClusterComplianceReport> TestAsync(FipsClusterRecord record, TestClusterOptions options, OperationContext context)
    {
        RefuseKubernetes(record, options.Kubeconfig);
        return SwarmClusterCompliance.TestAsync(record, options.Ssh, options.SshPort, options.ThrottleLimit, context);
    }

    /// <summary>AWS keys or a region given for a swarm would be ignored, so a wrong cluster name would go unnoticed: refused.</summary>
    private static void RefuseAws(FipsClusterRecord record, bool awsGiven)
    {
        if (awsGiven)
        {
            throw new FipsClusterException(ErrorIds.ClusterProviderMismatch, FipsErrorCategory.InvalidArgument,
                $"'{record.Name}' is a Swarm cluster: the AWS parameters (-AwsCredential, -AccessKey, -ProfileName, -Region, -EndpointUrl...) do not apply to it.", record.Name);
        }
    }

    /// <summary>A kubeconfig given for a swarm would judge some other cluster's API against this record: refused, not ignored.</summary>
    private static void RefuseKubernetes(FipsClusterRecord record, string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            throw new FipsClusterException(ErrorIds.ClusterProviderMismatch, FipsErrorCategory.InvalidArgument,
                $"'{record.Name}' is a Swarm cluster: it has no Kubernetes API, so -Kubeconfig does not apply to it.", record.Name);
        }
    }
}
