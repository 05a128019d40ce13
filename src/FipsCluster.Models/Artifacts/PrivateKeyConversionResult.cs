namespace FipsCluster;

/// <summary>What a conversion wrote: the key file, where the original was kept, and the verdict on the new file.</summary>
public sealed record PrivateKeyConversionResult(string Path, string? BackupPath, PrivateKeyFormat SourceFormat, PrivateKeyReport Report)
{
    public override string ToString() => $"{Path}: {SourceFormat} -> {Report.Format} ({Report.Status})";
}
