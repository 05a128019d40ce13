namespace FipsCluster.Core.Remoting;

/// <summary>
/// Absolute paths resolved by their text alone, as readlink -m does past what exists: "." is dropped and ".." removes
/// the component before it, never climbing above the root.
/// </summary>
internal static class LexicalPath
{
    public static string Normalize(string path) => Resolve(Array.Empty<string>(), path.Split('/', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The components of <paramref name="parts"/> applied to the already resolved <paramref name="resolved"/>, as an absolute path.</summary>
    public static string Resolve(IEnumerable<string> resolved, IEnumerable<string> parts)
    {
        var components = new List<string>(resolved);
        foreach (var part in parts)
        {
            if (part == "..")
            {
                if (components.Count > 0)
                {
                    components.RemoveAt(components.Count - 1);
                }
            }
            else if (part != ".")
            {
                components.Add(part);
            }
        }
        return "/" + string.Join('/', components);
    }
}
