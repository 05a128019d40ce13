using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace FipsCluster.Infrastructure;

/// <summary>The file system paths one -Path or -LiteralPath argument names, or why it names none.</summary>
internal readonly record struct ResolvedPaths(IReadOnlyList<string> Paths, FipsClusterException? Failure);

/// <summary>
/// -Path and -LiteralPath as the FileSystem provider's cmdlets read them: -Path expands wildcards (and honours
/// backtick escapes), -LiteralPath is taken as written, so a name holding '[' or '*' needs -LiteralPath (or
/// escaping). Both resolve against the current location and accept provider-qualified paths (Get-Item's PSPath).
/// </summary>
internal static class ProviderPaths
{
    /// <summary>
    /// Resolves an input path (an item to read). A wildcard that matches nothing fails as Get-Content's does
    /// (Get-Item stays silent, but these cmdlets read the items: nothing to read is an error, not an empty verdict);
    /// a literal path that does not exist fails as Get-Item's does. Both failures carry <paramref name="notFoundId"/>
    /// with ObjectNotFound; an item of another provider (Env:, Cert:) is InvalidArgument with the same id; a drive that
    /// does not exist is PathNotFound.
    /// </summary>
    public static ResolvedPaths ResolveExisting(PSCmdlet cmdlet, string path, bool literal, string notFoundId, string what)
    {
        try
        {
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
                if (!IsFileSystem(provider))
                {
                    return Failure(new FipsClusterException(notFoundId, FipsErrorCategory.InvalidArgument, NotFileSystem(path, provider, what), path));
                }
                return matches.Count == 0
                    ? Failure(new FipsClusterException(notFoundId, FipsErrorCategory.ObjectNotFound,
                        $"Cannot find {what} '{path}': no item matches it. A name that contains '[', ']', '*' or '?' needs -LiteralPath.", path))
                    : new ResolvedPaths(matches.OrderBy(m => m, StringComparer.Ordinal).ToArray(), null);
            }
            var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(literal ? path : Unescape(path), out var literalProvider, out _);
            if (!IsFileSystem(literalProvider))
            {
                return Failure(new FipsClusterException(notFoundId, FipsErrorCategory.InvalidArgument, NotFileSystem(path, literalProvider, what), path));
            }
            return File.Exists(resolved) || Directory.Exists(resolved)
                ? new ResolvedPaths(new[] { resolved }, null)
                : Failure(new FipsClusterException(notFoundId, FipsErrorCategory.ObjectNotFound, $"Cannot find {what} '{path}' because it does not exist.", path));
        }
        catch (ItemNotFoundException ex)
        {
            // A wildcard below a folder that does not exist: nothing can match.
            return Failure(new FipsClusterException(notFoundId, FipsErrorCategory.ObjectNotFound, $"Cannot find {what} '{path}': {ex.Message}", path, ex));
        }
        catch (Exception ex) when (ex is SessionStateException or ProviderInvocationException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            // A drive that does not exist, a malformed provider path: the path itself cannot be resolved.
            return Failure(new FipsClusterException(ErrorIds.PathNotFound, FipsErrorCategory.ObjectNotFound, ex.Message, path, ex));
        }
    }

    /// <summary>
    /// Resolves an output path (a file to write, which may not exist yet), as Out-File and Export-Csv do: -LiteralPath
    /// as written; a -Path with wildcards must match exactly one existing item.
    /// </summary>
    public static ResolvedPaths ResolveOutput(PSCmdlet cmdlet, string path, bool literal, string failureId, string what)
    {
        try
        {
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
                if (!IsFileSystem(provider))
                {
                    return Failure(new FipsClusterException(failureId, FipsErrorCategory.InvalidArgument, NotFileSystem(path, provider, what), path));
                }
                return matches.Count == 1
                    ? new ResolvedPaths(matches.ToArray(), null)
                    : Failure(new FipsClusterException(failureId, FipsErrorCategory.InvalidArgument,
                        $"The wildcard path '{path}' for the {what} matches {matches.Count} items; it must match exactly one. Use -LiteralPath for a name that contains '[', ']', '*' or '?'.", path));
            }
            var resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(literal ? path : Unescape(path), out var literalProvider, out _);
            return IsFileSystem(literalProvider)
                ? new ResolvedPaths(new[] { resolved }, null)
                : Failure(new FipsClusterException(failureId, FipsErrorCategory.InvalidArgument, NotFileSystem(path, literalProvider, what), path));
        }
        catch (ItemNotFoundException ex)
        {
            return Failure(new FipsClusterException(failureId, FipsErrorCategory.InvalidArgument,
                $"The wildcard path '{path}' for the {what} matches no file; it must match exactly one: {ex.Message}", path, ex));
        }
        catch (Exception ex) when (ex is SessionStateException or ProviderInvocationException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            return Failure(new FipsClusterException(ErrorIds.PathNotFound, FipsErrorCategory.ObjectNotFound, ex.Message, path, ex));
        }
    }

    private static ResolvedPaths Failure(FipsClusterException failure) => new(Array.Empty<string>(), failure);

    private static bool IsFileSystem(ProviderInfo provider) => provider.ImplementingType == typeof(FileSystemProvider);

    private static string NotFileSystem(string path, ProviderInfo provider, string what) =>
        $"'{path}' is an item of the {provider.Name} provider, not a file system path: the {what} must be a file.";

    /// <summary>A -Path without wildcards may still carry backtick escapes ("a`[1`].txt"): they name the literal characters.</summary>
    private static string Unescape(string path) => path.Contains('`') ? WildcardPattern.Unescape(path) : path;
}
