namespace FipsCluster;

/// <summary>Whether a cluster requires FIPS mode of its nodes. Fixed at creation; New-FipsCluster's default is Enabled.</summary>
public enum FipsMode
{
    Enabled,
    Disabled,
}
