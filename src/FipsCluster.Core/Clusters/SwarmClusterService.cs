using System.Security.Cryptography;
using System.Text;
using FipsCluster.Core.Compliance;
using FipsCluster.Core.Docker;
using FipsCluster.Core.Operations;
using FipsCluster.Core.Remoting;
using FipsCluster.Core.Tokens;
using FipsCluster.Core.Compliance.Node;

namespace FipsCluster.Core.Clusters;

/// <summary>What New-FipsCluster -Provider Swarm asks for.</summary>
public sealed class NewSwarmClusterRequest
{
    public required string Name { get; init; }
    public required DockerEndpoint Engine { get; init; }
    public bool Fips { get; init; } = true;
    public required ComplianceProfile Profile { get; init; }
    public string ListenAddress { get; init; } = "0.0.0.0:2377";
    public string? AdvertiseAddress { get; init; }
    public string Description { get; init; } = "";

    /// <summary>Creates the cluster although required preflight checks failed, recording a waiver that names them.</summary>
    public bool Force { get; init; }

    /// <summary>The manager host's evidence over SSH; null = the local machine (a local engine).</summary>
    public SshOptions? PreflightSsh { get; init; }
    public string? PreflightComputerName { get; init; }
}

/// <summary>
/// Creates and manages Swarm-provider clusters: the FIPS identity lives in the module's record (fixed at birth,
/// MAC-protected), and membership is gated on evidence. Upstream engines cannot run swarmkit in FIPS mode, so the
/// module is what enforces it.
/// </summary>
public sealed class SwarmClusterService
{
    private readonly IClusterStore _store;

    public SwarmClusterService(IClusterStore store) => _store = store;

    /// <summary>Null when ShouldProcess declined (-WhatIf / -Confirm No): nothing was changed.</summary>
    public async Task<FipsClusterRecord?> CreateAsync(NewSwarmClusterRequest request, OperationContext context)
    {
        ClusterNames.Validate(request.Name);
        if (_store.Names().Contains(request.Name.ToLowerInvariant(), StringComparer.Ordinal))
        {
            throw new FipsClusterException(ErrorIds.FipsClusterExists, FipsErrorCategory.InvalidOperation, $"A cluster named '{request.Name}' already exists.", request.Name);
        }

        // 1. Evidence: the engine's identity confirmed on the evidence host, the manager host against the cluster's
        // profile, and the engine's own account of itself.
        context.Progress(new OperationProgress($"New-FipsCluster {request.Name}", "Preflight: confirming the engine's host"));
        var (identity, identitySource) = await BindAsync(request.Engine, request.PreflightComputerName, request.PreflightSsh, context).ConfigureAwait(false);
        context.Progress(new OperationProgress($"New-FipsCluster {request.Name}", "Preflight: testing the manager host"));
        var report = await PreflightAsync(request, context).ConfigureAwait(false);
        using var engine = new DockerEngineClient(request.Engine, context);
        var (engineVersion, goVersion) = await engine.GetVersionAsync().ConfigureAwait(false);
        var (state, _, engineName) = await engine.GetSwarmStateAsync().ConfigureAwait(false);
        if (state != "inactive")
        {
            throw new FipsClusterException(ErrorIds.SwarmAlreadyInitialized, FipsErrorCategory.InvalidOperation,
                $"The engine at {request.Engine} is already part of a swarm (state {state}); a FIPS cluster's identity starts with a new swarm.", request.Engine.Address);
        }
        var failing = report.Status is ComplianceStatus.Error
            ? new List<string> { $"PREFLIGHT: {string.Join("; ", report.Errors)}" }
            : report.Findings.Select(f => f.CheckId).ToList();
        var evidence = new List<string>
        {
            $"{report.ComputerName}: {report.Status} against {report.Profile}" + (failing.Count > 0 ? "; failing " + string.Join(", ", failing) : ""),
            $"engine {engineName} Docker {engineVersion}, {goVersion}",
            $"engine ID {identity.Id}, confirmed on {request.PreflightComputerName ?? "this machine"} ({identitySource})",
        };
        evidence.AddRange(report.Findings.Select(f => $"{f.CheckId}: {f.Actual}"));
        var waivers = new List<ClusterWaiver>();
        if (request.Fips && failing.Count > 0)
        {
            if (!request.Force)
            {
                throw new FipsClusterException(ErrorIds.FipsPreflightFailed, FipsErrorCategory.InvalidOperation,
                    $"'{report.ComputerName}' cannot host FIPS cluster '{request.Name}': " + string.Join("; ", report.Status is ComplianceStatus.Error
                        ? report.Errors
                        : report.Findings.Select(f => $"{f.CheckId} {f.Status}: {f.Actual}")) + ".", request.Name)
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
        var action = $"Initialize a swarm ({(request.Fips ? "FIPS" : "non-FIPS")} cluster '{request.Name}', profile {request.Profile.Name}, listen {request.ListenAddress})";
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
                ComplianceProfile = request.Profile.Name,
                ComplianceProfileHash = Judgement.ProfileHash(request.Profile),
                ProfileDefinition = request.Profile,
                Endpoints = new[] { request.Engine.ToString() },
                EngineClusterId = swarm.Id,
                RootCaDigest = digest,
                Description = request.Description,
                CreationEvidence = evidence,
                Waivers = waivers,
                Nodes = new[]
                {
                    new ClusterNodeRecord
                    {
                        Name = engineName ?? report.ComputerName,
                        NodeId = nodeId,
                        Role = "Manager",
                        Endpoint = request.Engine.ToString(),
                        EvidenceHost = request.PreflightComputerName ?? "local",
                        EngineId = identity.Id,
                        FipsModeEnabled = report.FipsModeEnabled,
                        Compliant = report.Compliant,
                        FailedChecks = failing,
                        CheckedAt = report.Timestamp,
                    },
                },
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

    private static async Task<NodeComplianceReport> PreflightAsync(NewSwarmClusterRequest request, OperationContext context, HostEndpoint? endpoint = null)
    {
        var scanner = new NodeScanner(request.Profile, 1, request.PreflightSsh?.Timeout ?? TimeSpan.FromSeconds(60), context);
        switch (request.PreflightComputerName, request.PreflightSsh)
        {
            case (null, _):
                scanner.AddLocal();
                break;
            case ({ } host, { } ssh):
                scanner.PrepareSsh(ssh);
                scanner.AddSsh(host, endpoint?.Port ?? 22, ssh);
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
        return report ?? throw new FipsClusterException(ErrorIds.NodeFactsUnavailable, FipsErrorCategory.InvalidResult, "The preflight produced no report.", request.Name);
    }

    /// <summary>Never this machine's evidence recorded for another host.</summary>
    private static FipsClusterException NoSshLogin(string host) =>
        new(ErrorIds.SshKeyFileInvalid, FipsErrorCategory.InvalidArgument,
            $"The evidence for {host} is read over SSH, and no SSH key was given or found in ~/.ssh (id_ecdsa, id_rsa, id_ed25519): use -KeyFilePath or -Credential.", "KeyFilePath");

    /// <summary>
    /// Confirms, before any evidence is read, that the evidence host is the engine's machine: the engine ID the engine
    /// reports must be the one the host's own files hold (over SSH with the evidence's login, or this machine's for an
    /// engine on a local socket). Read-only on both sides, so -WhatIf runs it too.
    /// </summary>
    private static async Task<(EngineIdentity Identity, string Source)> BindAsync(DockerEndpoint engine, string? evidenceHost, SshOptions? ssh, OperationContext context)
    {
        if (evidenceHost is not null && ssh is null)
        {
            throw NoSshLogin(evidenceHost);
        }
        if (evidenceHost is null && engine.Transport == DockerTransport.Tcp)
        {
            // Refused before the engine is contacted: nothing it could answer makes this machine's evidence its own.
            EngineHostIdentity.RequireSameMachine(engine, new EngineIdentity("", null, null, "", null), null, "this machine");
        }
        using var client = new DockerEngineClient(engine, context);
        var identity = await client.GetIdentityAsync().ConfigureAwait(false);
        HostEngineIdentity host;
        if (evidenceHost is null)
        {
            host = EngineHostIdentity.ReadLocal(identity);
        }
        else
        {
            var runner = new SshCommandRunner(ssh!);
            runner.Retrying += message => context.Verbose(message);
            runner.HostKeyAccepted += (name, fingerprint) => context.Warning($"Trusted a new host key for {name} ({fingerprint}) and recorded it in {ssh!.KnownHostsPath}.");
            host = await EngineHostIdentity.ReadOverSshAsync(runner, HostEndpoint.Parse(evidenceHost, 22), identity, context.Cancellation).ConfigureAwait(false);
        }
        EngineHostIdentity.RequireSameMachine(engine, identity, host, evidenceHost ?? "this machine");
        context.Verbose($"{engine}: engine ID {identity.Id} confirmed on {evidenceHost ?? "this machine"} ({host.Source}).");
        return (identity, host.Source);
    }

    /// <summary>
    /// Admits a node on evidence: its host is judged against the cluster's own profile; a FIPS cluster refuses a
    /// node that fails (nothing is joined), a non-FIPS cluster admits it and records its mode. Then the node's engine
    /// joins with the manager's token and the evidence is recorded.
    /// </summary>
    public async Task<ClusterNodeRecord?> AddNodeAsync(string clusterName, DockerEndpoint nodeEngine, string role, string? evidenceHost, SshOptions? ssh,
        string listenAddress, string? advertiseAddress, OperationContext context)
    {
        var record = _store.Get(clusterName);
        var profile = record.ProfileDefinition ?? ComplianceProfiles.Get(record.ComplianceProfile);
        context.Progress(new OperationProgress($"Add-FipsClusterNode {record.Name}", $"Confirming that {evidenceHost ?? "this machine"} is the engine's host"));
        var (identity, _) = await BindAsync(nodeEngine, evidenceHost, ssh, context).ConfigureAwait(false);
        context.Progress(new OperationProgress($"Add-FipsClusterNode {record.Name}", $"Gathering evidence from {evidenceHost ?? "this machine"}"));
        var report = await PreflightAsync(new NewSwarmClusterRequest
        {
            Name = record.Name, Engine = nodeEngine, Profile = profile, PreflightSsh = ssh, PreflightComputerName = evidenceHost,
        }, context, evidenceHost is null ? null : HostEndpoint.Parse(evidenceHost, 22)).ConfigureAwait(false);
        var failing = report.Status is ComplianceStatus.Error
            ? new List<string> { "EVIDENCE: " + string.Join("; ", report.Errors) }
            : report.Findings.Select(f => f.CheckId).ToList();
        if (record.Fips && failing.Count > 0)
        {
            throw new FipsClusterException(ErrorIds.NodeNotFipsCompliant, FipsErrorCategory.SecurityError,
                $"FIPS cluster '{record.Name}' refuses {report.ComputerName}: " + string.Join("; ", report.Status is ComplianceStatus.Error
                    ? report.Errors : report.Findings.Select(f => $"{f.CheckId} {f.Status}: {f.Actual}")) + ".", report.ComputerName)
            {
                RecommendedAction = "Bring the node into FIPS mode (Test-FipsNode shows each failing check and its remediation), then add it again.",
            };
        }
        if (!context.ShouldProcess(nodeEngine.ToString(), $"Join cluster '{record.Name}' as {role}"))
        {
            return null;
        }
        using var manager = new DockerEngineClient(DockerEndpoint.Resolve(record.Endpoints[0]), context);
        var managers = await manager.GetRemoteManagersAsync().ConfigureAwait(false);
        var swarm = await manager.InspectSwarmAsync().ConfigureAwait(false);
        var token = swarm.TokenFor(role == "Manager" ? SwarmNodeRole.Manager : SwarmNodeRole.Worker)
            ?? throw new FipsClusterException(ErrorIds.JoinTokenUnavailable, FipsErrorCategory.InvalidOperation, $"The manager of '{record.Name}' gave no {role} join token.", record.Name);
        using var node = new DockerEngineClient(nodeEngine, context);
        context.Progress(new OperationProgress($"Add-FipsClusterNode {record.Name}", $"Joining {nodeEngine}"));
        await node.JoinSwarmAsync(listenAddress, advertiseAddress, managers, token).ConfigureAwait(false);
        var (_, nodeId, engineName) = await node.GetSwarmStateAsync().ConfigureAwait(false);
        var member = new ClusterNodeRecord
        {
            Name = engineName ?? report.ComputerName,
            NodeId = nodeId,
            Role = role,
            Endpoint = nodeEngine.ToString(),
            EvidenceHost = evidenceHost ?? "local",
            EngineId = identity.Id,
            FipsModeEnabled = report.FipsModeEnabled,
            Compliant = report.Compliant,
            FailedChecks = failing,
            CheckedAt = report.Timestamp,
        };
        _store.Update(record.Name, r => With(r, nodes: r.Nodes.Append(member).ToArray()));
        return member;
    }

    /// <summary>The engine's members merged with the recorded evidence (a node the module never admitted shows Recorded = false).</summary>
    public async Task<IReadOnlyList<FipsClusterNode>> GetNodesAsync(string clusterName, OperationContext context, Providers.Aws.AwsConnection? aws = null)
    {
        var record = _store.Get(clusterName);
        if (record.Provider is FipsClusterProvider.AWS)
        {
            var connection = (aws ?? new Providers.Aws.AwsConnection("", null, null, null, null)) with { Region = record.AwsSpec?.Region ?? "" };
            return await Providers.Aws.AwsProvisioner.DescribeNodesAsync(connection, record, context).ConfigureAwait(false);
        }
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
                Recorded = recorded is not null,
                Compliant = recorded?.Compliant,
                FipsModeEnabled = recorded?.FipsModeEnabled,
                FailedChecks = recorded?.FailedChecks ?? Array.Empty<string>(),
                CheckedAt = recorded?.CheckedAt,
            };
        }).ToList();
    }

    /// <summary>Removes a member: the managers forget it (DELETE /nodes/{id}), its engine leaves when given, the record drops it.</summary>
    public async Task<bool> RemoveNodeAsync(string clusterName, string node, DockerEndpoint? nodeEngine, Func<string, string, bool> shouldProcess, OperationContext context)
    {
        var record = _store.Get(clusterName);
        using var manager = new DockerEngineClient(DockerEndpoint.Resolve(record.Endpoints[0]), context);
        var members = await manager.ListNodesAsync().ConfigureAwait(false);
        var member = members.FirstOrDefault(m => m.Id == node || string.Equals(m.Hostname, node, StringComparison.OrdinalIgnoreCase))
            ?? throw new FipsClusterException(ErrorIds.FipsClusterNodeNotFound, FipsErrorCategory.ObjectNotFound, $"Cluster '{record.Name}' has no node '{node}'.", node);
        if (!shouldProcess($"{member.Hostname} ({member.Id})", $"Remove from cluster '{record.Name}'"))
        {
            return false;
        }
        if (nodeEngine is not null)
        {
            using var engine = new DockerEngineClient(nodeEngine, context);
            await engine.LeaveSwarmAsync(force: true).ConfigureAwait(false);
        }
        await manager.RemoveNodeAsync(member.Id, force: true).ConfigureAwait(false);
        _store.Update(record.Name, r => With(r, nodes: r.Nodes.Where(n => n.NodeId != member.Id).ToArray()));
        return true;
    }

    /// <summary>A copy of a record with its node list replaced (everything else, FIPS mode first, is carried over).</summary>
    private static FipsClusterRecord With(FipsClusterRecord r, IReadOnlyList<ClusterNodeRecord> nodes) => r.WithNodes(nodes);

    /// <summary>Changes the mutable properties only; FIPS mode and profile are fixed at creation, in either direction.</summary>
    public FipsClusterRecord SetMutable(string name, string? description, IReadOnlyList<string>? tags, IReadOnlyList<string>? addTags, bool? fips, string? profile, Func<string, string, bool> shouldProcess)
    {
        var current = _store.Get(name);
        if (fips is { } wantedFips && wantedFips != current.Fips || profile is not null && !string.Equals(profile, current.ComplianceProfile, StringComparison.OrdinalIgnoreCase))
        {
            throw new FipsClusterException(ErrorIds.FipsModeImmutable, FipsErrorCategory.InvalidOperation,
                $"Cluster '{current.Name}' was created {(current.Fips ? "FIPS" : "non-FIPS")} with profile {current.ComplianceProfile}; FIPS mode and profile are fixed at creation and cannot be changed.", name)
            {
                RecommendedAction = "Create a new cluster with the wanted FIPS mode and profile, and move the workloads.",
            };
        }
        if (!shouldProcess(current.Name, "Update description/tags"))
        {
            return current;
        }
        return _store.Update(name, r => new FipsClusterRecord
        {
            Name = r.Name, Provider = r.Provider, Fips = r.Fips, ComplianceProfile = r.ComplianceProfile, ComplianceProfileHash = r.ComplianceProfileHash,
            ProfileDefinition = r.ProfileDefinition, AwsSpec = r.AwsSpec, Resources = r.Resources, Endpoints = r.Endpoints, EngineClusterId = r.EngineClusterId, RootCaDigest = r.RootCaDigest, CreationEvidence = r.CreationEvidence,
            Nodes = r.Nodes, Waivers = r.Waivers,
            Description = description ?? r.Description,
            Tags = (tags ?? r.Tags).Concat((addTags ?? Array.Empty<string>()).Where(t => !(tags ?? r.Tags).Contains(t))).ToArray(),
        });
    }

    /// <summary>Removes the record; with deprovision, the engine leaves (and so ends) the swarm first.</summary>
    public async Task<bool> RemoveAsync(string name, bool deprovision, Func<string, string, bool> shouldProcess, OperationContext context, Providers.Aws.AwsConnection? aws = null)
    {
        var record = _store.Get(name);
        var aws1 = record.Provider is FipsClusterProvider.AWS;
        if (!shouldProcess(record.Name, deprovision
                ? aws1 ? $"Remove the cluster record, terminate its instances and delete its security group ({string.Join(", ", record.Resources)})" : "Remove the cluster record and tear down its swarm"
                : "Remove the cluster record (the cluster keeps running)"))
        {
            return false;
        }
        if (deprovision && aws1)
        {
            var connection = aws ?? new Providers.Aws.AwsConnection(record.AwsSpec?.Region ?? "", null, null, null, null);
            if (connection.Region.Length == 0)
            {
                connection = connection with { Region = record.AwsSpec?.Region ?? "" };
            }
            var removed = await Providers.Aws.AwsProvisioner.DeprovisionAsync(connection, record).ConfigureAwait(false);
            context.Verbose($"Removed: {string.Join(", ", removed)}.");
        }
        else if (deprovision)
        {
            foreach (var endpoint in record.Endpoints)
            {
                using var engine = new DockerEngineClient(DockerEndpoint.Resolve(endpoint), context);
                await engine.LeaveSwarmAsync(force: true).ConfigureAwait(false);
            }
        }
        return _store.Delete(name);
    }
}
