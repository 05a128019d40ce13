namespace FipsCluster;

/// <summary>The role a join token admits a node into. A token string alone does not say which.</summary>
public enum SwarmNodeRole
{
    Unknown = 0,
    Worker = 1,
    Manager = 2,
}
