using System.Runtime.InteropServices;
using System.Security;

namespace FipsCluster.Core.Tokens;

/// <summary>
/// Moves secrets between SecureString and spans without leaving managed string copies behind where it can.
/// </summary>
public static class SecretText
{
    public static SecureString ToSecureString(ReadOnlySpan<char> text)
    {
        var secure = new SecureString();
        foreach (var c in text)
        {
            secure.AppendChar(c);
        }
        secure.MakeReadOnly();
        return secure;
    }

    public delegate T SpanFunc<T>(ReadOnlySpan<char> text);

    /// <summary>Runs <paramref name="use"/> over the SecureString's characters, then zeroes the unmanaged copy.</summary>
    public static T Use<T>(SecureString secure, SpanFunc<T> use)
    {
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            unsafe
            {
                return use(new ReadOnlySpan<char>((char*)ptr, secure.Length));
            }
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }

    /// <summary>The plain text, for the few places that must hand a string on (-AsPlainText, HTTP bodies).</summary>
    public static string Reveal(SecureString secure) => Use(secure, static s => new string(s));
}
