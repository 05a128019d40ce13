namespace FipsCluster;

/// <summary>
/// The error categories the module uses. Names match System.Management.Automation.ErrorCategory, so the
/// cmdlet layer maps them by name; this assembly stays free of any PowerShell reference.
/// </summary>
public enum FipsErrorCategory
{
    NotSpecified,
    ConnectionError,
    InvalidArgument,
    InvalidData,
    InvalidOperation,
    InvalidResult,
    ObjectNotFound,
    OperationTimeout,
    PermissionDenied,
    ProtocolError,
    ResourceUnavailable,
    SecurityError,
    AuthenticationError,
    NotImplemented,
    OperationStopped,
    ReadError,
    WriteError,
}
