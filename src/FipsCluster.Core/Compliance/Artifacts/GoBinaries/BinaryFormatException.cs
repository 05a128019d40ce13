namespace FipsCluster.Core.Compliance.Artifacts.GoBinaries;

/// <summary>Thrown by the container readers when a header is malformed; becomes a report with Status Error.</summary>
internal sealed class BinaryFormatException(string message) : Exception(message);
