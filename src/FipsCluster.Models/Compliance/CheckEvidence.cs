namespace FipsCluster;

/// <summary>One piece of evidence behind a verdict: where it was read and what it said.</summary>
public sealed class CheckEvidence
{
    public CheckEvidence(string source, string? excerpt)
    {
        Source = source;
        Excerpt = excerpt;
    }

    /// <summary>A file path, a command line, or a registry value, as read on the node.</summary>
    public string Source { get; }

    /// <summary>What it held (trimmed and bounded); null when the source was absent.</summary>
    public string? Excerpt { get; }

    public override string ToString() => Excerpt is null ? $"{Source}: (absent)" : $"{Source}: {Excerpt}";
}
