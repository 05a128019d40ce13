using Renci.SshNet;

namespace FipsCluster.Core.Remoting;

/// <summary>
/// The SSH algorithms the module's client negotiates: only FIPS-approved ones (NIST-curve ECDH and MODP
/// Diffie-Hellman with SHA-2, AES-GCM/CTR, HMAC-SHA-2), the set a FIPS-mode OpenSSH server offers. It also
/// keeps the client fast: SSH.NET's post-quantum hybrid key exchanges run in managed code and cost a fleet
/// scan most of a core.
/// </summary>
public static class FipsSshAlgorithms
{
    public static readonly string[] KeyExchange =
    {
        "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
    };

    public static readonly string[] Ciphers = { "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr" };

    public static readonly string[] Macs = { "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512" };

    public static void Apply(ConnectionInfo connection)
    {
        Keep(connection.KeyExchangeAlgorithms, KeyExchange);
        Keep(connection.Encryptions, Ciphers);
        Keep(connection.HmacAlgorithms, Macs);
    }

    private static void Keep<T>(IDictionary<string, T> offered, string[] allowed)
    {
        foreach (var name in offered.Keys.ToList())
        {
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                offered.Remove(name);
            }
        }
    }
}
