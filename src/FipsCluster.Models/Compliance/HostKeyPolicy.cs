namespace FipsCluster;

/// <summary>How Test-FipsNode treats a node's SSH host key. A changed key is always refused.</summary>
public enum HostKeyPolicy
{
    /// <summary>The host key must already be in known_hosts (OpenSSH StrictHostKeyChecking=yes). The default.</summary>
    Strict,

    /// <summary>A host not yet in known_hosts is trusted and recorded there, with a warning; a changed key is still refused (StrictHostKeyChecking=accept-new).</summary>
    AcceptNew,
}
