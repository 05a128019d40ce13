using FipsCluster.Core.Providers.Swarm;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Tokens;

/// <summary>Join tokens as a Docker engine (a swarm manager) holds them: fetch, rotate, and check against.</summary>
public static class EngineJoinTokens
{
    private const int UpdateAttempts = 3;

    /// <summary>The engine's current join tokens for the roles, each carrying the root CA PEM it is bound to.</summary>
    public static async Task<IReadOnlyList<SwarmJoinToken>> GetAsync(DockerEndpoint endpoint, IReadOnlyList<SwarmNodeRole> roles, OperationContext context)
    {
        using var client = new DockerEngineClient(endpoint, context);
        context.Verbose($"Reading the swarm's join tokens from {endpoint}.");
        var swarm = await client.InspectSwarmAsync().ConfigureAwait(false);
        return roles.Select(role => FromEngine(swarm, role, endpoint)).ToArray();
    }

    /// <summary>
    /// Rotates the join tokens of the roles through POST /swarm/update, after asking <see cref="OperationContext.ShouldProcess"/>.
    /// Returns the new tokens, or nothing when the change was declined (-WhatIf).
    /// </summary>
    public static async Task<IReadOnlyList<SwarmJoinToken>> RotateAsync(DockerEndpoint endpoint, IReadOnlyList<SwarmNodeRole> roles, OperationContext context)
    {
        var rotateWorker = roles.Contains(SwarmNodeRole.Worker);
        var rotateManager = roles.Contains(SwarmNodeRole.Manager);
        var what = string.Join(" and ", roles.Distinct().Select(r => r.ToString().ToLowerInvariant()));
        if (!context.ShouldProcess($"swarm at {endpoint}", $"Rotate the {what} join token"))
        {
            return Array.Empty<SwarmJoinToken>();
        }
        using var client = new DockerEngineClient(endpoint, context);
        for (var attempt = 1; ; attempt++)
        {
            var swarm = await client.InspectSwarmAsync().ConfigureAwait(false);
            try
            {
                context.Verbose($"Rotating the {what} join token of swarm {swarm.Id} at {endpoint} (swarm version {swarm.Version}).");
                await client.UpdateSwarmAsync(swarm.Version, swarm.SpecJson, rotateWorker, rotateManager).ConfigureAwait(false);
                break;
            }
            catch (FipsClusterException ex) when (ex.ErrorId == ErrorIds.SwarmUpdateConflict && attempt < UpdateAttempts)
            {
                // Another change landed between read and update: read the new version and try again.
                context.Verbose($"The swarm changed during the update (attempt {attempt}); retrying.");
            }
        }
        var updated = await client.InspectSwarmAsync().ConfigureAwait(false);
        return roles.Distinct().Select(role => FromEngine(updated, role, endpoint)).ToArray();
    }

    /// <summary>
    /// Tests a token against an engine: the digest against the engine's current trust root (and any root CA
    /// given as well), and the secret against the engine's current worker and manager tokens.
    /// </summary>
    public static async Task<SwarmJoinTokenTestResult> TestAsync(JoinTokenTestRequest request, DockerEndpoint endpoint, OperationContext context)
    {
        using var client = new DockerEngineClient(endpoint, context);
        context.Verbose($"Checking the token against the swarm at {endpoint}.");
        var swarm = await client.InspectSwarmAsync().ConfigureAwait(false);
        var references = new List<ReferenceToken>();
        foreach (var role in new[] { SwarmNodeRole.Worker, SwarmNodeRole.Manager })
        {
            if (swarm.TokenFor(role) is { } token)
            {
                references.Add(new ReferenceToken(endpoint.Address, role, token));
            }
        }
        return JoinTokenService.Test(request with
        {
            EngineRootCa = RootCaBundle.FromPem(swarm.TrustRoot, endpoint.Address),
            References = request.References.Concat(references).ToArray(),
        });
    }

    private static SwarmJoinToken FromEngine(SwarmInspect swarm, SwarmNodeRole role, DockerEndpoint endpoint)
    {
        var secure = swarm.TokenFor(role) ?? throw new FipsClusterException(ErrorIds.JoinTokenUnavailable, FipsErrorCategory.ObjectNotFound,
            $"The swarm at {endpoint} returned no {role.ToString().ToLowerInvariant()} join token.", endpoint.Address);
        return SecretText.Use(secure, text =>
            JoinTokenService.Create(JoinTokenFormat.Parse(text), text, role, swarm.TrustRoot, swarm.Id, endpoint.Address));
    }
}
