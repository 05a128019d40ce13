using System.Security;

namespace FipsCluster.Core.Compliance.Artifacts.Keys;

/// <summary>How <see cref="PrivateKeyConverter.Convert"/> rewrites a key. A class, not a record: no generated ToString near the passphrases.</summary>
public sealed class PrivateKeyConversionOptions
{
    /// <summary>The current passphrase; null for an unencrypted key.</summary>
    public SecureString? Passphrase { get; init; }

    /// <summary>The passphrase for the new file; null keeps <see cref="Passphrase"/>. When both are null the key is written as unencrypted PKCS#8.</summary>
    public SecureString? NewPassphrase { get; init; }

    /// <summary>Keep the original as &lt;path&gt;.bak (a hard link to the original file: same owner, group and mode). Without it no copy remains.</summary>
    public bool Backup { get; init; }

    /// <summary>PBKDF2 iterations for the new file (at least 1000, the SP 800-132 floor).</summary>
    public int Iterations { get; init; } = PrivateKeyConverter.DefaultIterations;

    /// <summary>The standard the returned report judges against ("FIPS 140-3" when null).</summary>
    public string? Standard { get; init; }

    /// <summary>Convert a key that has other hard links although they keep the original content.</summary>
    public bool Force { get; init; }

    /// <summary>Told what the caller should know: a key every user can read, other names that keep the original.</summary>
    public Action<string>? Warning { get; init; }
}
