namespace FipsCluster;

/// <summary>
/// The error categories the module uses. Names match System.Management.Automation.ErrorCategory, so the
/// cmdlet layer maps them by name; this assembly stays free of any PowerShell reference. NotSpecified is
/// deliberately absent: every failure the module reports says what kind of failure it is.
/// </summary>
public enum FipsErrorCategory
{
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
    NotInstalled,
    OperationStopped,
    ReadError,
    WriteError,
    LimitsExceeded,
    ResourceExists,
}
