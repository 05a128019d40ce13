namespace FipsCluster;

/// <summary>One private dependency of the module: which version actually loaded, where from and into which load context.</summary>
public sealed class DependencyInfo
{
    public string Name { get; init; } = "";

    /// <summary>The assembly version that loaded.</summary>
    public Version? Version { get; init; }

    /// <summary>The package/file version (more precise than the assembly version).</summary>
    public string? FileVersion { get; init; }

    /// <summary>The AssemblyLoadContext the assembly lives in; "FipsCluster" is the module's private one.</summary>
    public string LoadContext { get; init; } = "";

    public bool Isolated { get; init; }

    public string? Location { get; init; }

    /// <summary>What was exercised to prove the dependency works, and whether it did.</summary>
    public string Check { get; init; } = "";

    public bool Working { get; init; }

    /// <summary>Why the check failed, when it did.</summary>
    public string? Problem { get; init; }

    public override string ToString() => $"{Name} {Version} [{LoadContext}]";
}
