using System.Text.Json.Serialization;

namespace FipsCluster;

/// <summary>
/// Where a cluster runs. PowerShell binds -Provider from any casing (aws, Aws, AWS) and completes its names.
/// Records store the name as text ("Swarm", "AWS"), as they always did, so records written before this type existed
/// read unchanged.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<FipsClusterProvider>))]
public enum FipsClusterProvider
{
    /// <summary>Docker Swarm, through a manager's Engine API.</summary>
    Swarm,

    /// <summary>Kubernetes on EC2, provisioned the DKP way.</summary>
    AWS,
}
