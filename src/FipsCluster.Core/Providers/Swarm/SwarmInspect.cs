using System.Security;
using System.Text.Json;
using FipsCluster.Core.Tokens;

namespace FipsCluster.Core.Providers.Swarm;

/// <summary>What GET /swarm returns that the module uses. The join tokens are held as SecureStrings.</summary>
public sealed class SwarmInspect
{
    public required string Id { get; init; }
    public required long Version { get; init; }
    public required string TrustRoot { get; init; }
    public required string SpecJson { get; init; }
    public bool RootRotationInProgress { get; init; }
    public SecureString? WorkerToken { get; init; }
    public SecureString? ManagerToken { get; init; }

    public SecureString? TokenFor(SwarmNodeRole role) => role switch
    {
        SwarmNodeRole.Worker => WorkerToken,
        SwarmNodeRole.Manager => ManagerToken,
        _ => null,
    };

    internal static SwarmInspect FromJson(JsonElement root)
    {
        var tls = root.GetProperty("TLSInfo");
        root.TryGetProperty("JoinTokens", out var tokens);
        return new SwarmInspect
        {
            Id = root.GetProperty("ID").GetString() ?? "",
            Version = root.GetProperty("Version").GetProperty("Index").GetInt64(),
            TrustRoot = tls.GetProperty("TrustRoot").GetString() ?? "",
            SpecJson = root.GetProperty("Spec").GetRawText(),
            RootRotationInProgress = root.TryGetProperty("RootRotationInProgress", out var r) && r.ValueKind == JsonValueKind.True,
            WorkerToken = Token(tokens, "Worker"),
            ManagerToken = Token(tokens, "Manager"),
        };
    }

    private static SecureString? Token(JsonElement tokens, string name)
        => tokens.ValueKind == JsonValueKind.Object && tokens.TryGetProperty(name, out var value) && value.GetString() is { Length: > 0 } text
            ? SecretText.ToSecureString(text)
            : null;
}

/// <summary>One entry of GET /nodes.</summary>
public sealed record SwarmNodeInfo
{
    public required string Id { get; init; }
    public required string Hostname { get; init; }
    public required string Role { get; init; }
    public required string State { get; init; }
    public required string Availability { get; init; }
    public required string Address { get; init; }
    public bool IsLeader { get; init; }
}
