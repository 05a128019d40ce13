namespace FipsCluster.Core.Providers.Swarm;

/// <summary>
/// What a Docker engine says about itself in GET /info and GET /version: its engine ID, host name, data root and
/// version. The engine reports these itself, so they identify it only as far as it is honest; the evidence host's own
/// files must agree (<see cref="Clusters.EngineHostIdentity"/>).
/// </summary>
public sealed record EngineIdentity(string Id, string? Name, string? DockerRootDir, string Version, string? OperatingSystem)
{
    /// <summary>
    /// Where the engine keeps its ID: moby 23 and later in &lt;DockerRootDir&gt;/engine-id (a UUID, or the old trust
    /// key's ID carried over on upgrade); earlier engines — Debian 12's docker.io 20.10 among them — derive it from the
    /// daemon's trust key (/etc/docker/key.json), whose "kid" it is.
    /// </summary>
    public bool KeepsIdInDataRoot => !int.TryParse(Version.Split('.')[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major) || major >= 23;
}
