namespace FipsCluster;

/// <summary>
/// The one exception type the module's engine throws for expected failures. It carries the stable error id
/// and category the cmdlets put into their ErrorRecords. Messages never contain secrets.
/// </summary>
public class FipsClusterException : Exception
{
    public FipsClusterException(string errorId, FipsErrorCategory category, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    /// <summary>Stable identifier from <see cref="ErrorIds"/>.</summary>
    public string ErrorId { get; }

    public FipsErrorCategory Category { get; }

    /// <summary>What the error is about (never a secret).</summary>
    public object? Target { get; }

    /// <summary>What the user can do about it, when there is something specific to say.</summary>
    public string? RecommendedAction { get; init; }
}
