using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using FipsCluster.Core.Tokens;

namespace FipsCluster.Infrastructure;

/// <summary>Turns the loosely typed values PowerShell binds (strings, SecureStrings, objects, paths) into core inputs.</summary>
internal static class CmdletInputs
{
    /// <summary>A token given as a string, a SecureString or a SwarmJoinToken object.</summary>
    public static SecureString Token(object? input) => Unwrap(input) switch
    {
        SecureString secure => secure,
        SwarmJoinToken token => token.Token,
        string text => SecretText.ToSecureString(text),
        null => throw new FipsClusterException(ErrorIds.InvalidTokenInput, FipsErrorCategory.InvalidArgument, "No join token was given."),
        var other => throw new FipsClusterException(ErrorIds.InvalidTokenInput, FipsErrorCategory.InvalidArgument,
            $"A join token is a string, a SecureString or a SwarmJoinToken object, not a {other.GetType().FullName}.", other.GetType().FullName),
    };

    /// <summary>The role a token object knows it admits; Unknown for bare strings.</summary>
    public static SwarmNodeRole RoleOf(object? input) => Unwrap(input) is SwarmJoinToken token ? token.Role : SwarmNodeRole.Unknown;

    /// <summary>
    /// A root CA given as a file path (PEM or DER), PEM text, an X509Certificate2 (or a collection), or raw bytes.
    /// PEM text and PEM files are hashed byte for byte; certificates are PEM-encoded as the engine does.
    /// </summary>
    public static RootCaBundle RootCertificate(object input, PSCmdlet cmdlet)
    {
        switch (Unwrap(input))
        {
            case X509Certificate2 certificate:
                return RootCaBundle.FromCertificates(new[] { certificate }, certificate.Subject);
            case X509Certificate2Collection collection:
                return RootCaBundle.FromCertificates(collection.ToArray());
            case object[] items when items.Select(Unwrap).All(i => i is X509Certificate2):
                return RootCaBundle.FromCertificates(items.Select(i => (X509Certificate2)Unwrap(i)!).ToArray());
            case byte[] bytes:
                return RootCaBundle.FromBytes(bytes, "bytes");
            case FileInfo file:
                return FromPath(file.FullName, file.FullName);
            case string text when text.Contains("-----BEGIN", StringComparison.Ordinal):
                return RootCaBundle.FromPem(text);
            case string path when !string.IsNullOrWhiteSpace(path):
                return FromPath(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path), path);
            default:
                throw new FipsClusterException(ErrorIds.InvalidRootCertificate, FipsErrorCategory.InvalidArgument,
                    "A root certificate is a path, PEM text, an X509Certificate2 or bytes.", input);
        }
    }

    private static RootCaBundle FromPath(string fullPath, string shownPath)
    {
        if (!File.Exists(fullPath))
        {
            throw new FipsClusterException(ErrorIds.RootCertificateNotFound, FipsErrorCategory.ObjectNotFound,
                $"The root certificate file '{shownPath}' does not exist.", shownPath);
        }
        return RootCaBundle.FromBytes(File.ReadAllBytes(fullPath), fullPath);
    }

    private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;
}
