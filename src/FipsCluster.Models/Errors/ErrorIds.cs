namespace FipsCluster;

/// <summary>
/// Every FullyQualifiedErrorId the module emits, in one place. They are part of the public contract:
/// scripts and Pester suites match on them, so a published id never changes meaning.
/// </summary>
public static class ErrorIds
{
    // Join tokens
    public const string InvalidSwarmJoinToken = nameof(InvalidSwarmJoinToken);
    public const string InvalidRootCertificate = nameof(InvalidRootCertificate);
    public const string RootCertificateRequired = nameof(RootCertificateRequired);
    public const string RootCertificateNotFound = nameof(RootCertificateNotFound);
    public const string InvalidTokenInput = nameof(InvalidTokenInput);

    // Docker engine
    public const string InvalidDockerHost = nameof(InvalidDockerHost);
    public const string DockerEngineUnreachable = nameof(DockerEngineUnreachable);
    public const string DockerEngineError = nameof(DockerEngineError);
    public const string DockerTlsConfigurationInvalid = nameof(DockerTlsConfigurationInvalid);
    public const string NotSwarmManager = nameof(NotSwarmManager);
    public const string SwarmUpdateConflict = nameof(SwarmUpdateConflict);
    public const string JoinTokenUnavailable = nameof(JoinTokenUnavailable);

    // Compliance
    public const string ComplianceProfileNotFound = nameof(ComplianceProfileNotFound);
    public const string InvalidComplianceProfile = nameof(InvalidComplianceProfile);
    public const string InvalidRootPath = nameof(InvalidRootPath);
    public const string NodeFactsUnavailable = nameof(NodeFactsUnavailable);

    // Remote nodes (SSH)
    public const string InvalidNodeTarget = nameof(InvalidNodeTarget);
    public const string NodeUnreachable = nameof(NodeUnreachable);
    public const string NodeTimedOut = nameof(NodeTimedOut);
    /// <summary>A node (its SSH output, pod log or configz) or an image sent more than the module reads from one node.</summary>
    public const string NodeOutputTooLarge = nameof(NodeOutputTooLarge);
    /// <summary>A node's facts output holds lines the fact script never writes: that node's data cannot be judged.</summary>
    public const string NodeFactsMalformed = nameof(NodeFactsMalformed);
    public const string KubernetesNodeProbeFailed = nameof(KubernetesNodeProbeFailed);
    public const string NodeCheckImageNotPinned = nameof(NodeCheckImageNotPinned);
    public const string KubeconfigRequired = nameof(KubeconfigRequired);
    public const string SshAuthenticationFailed = nameof(SshAuthenticationFailed);
    public const string SshHostKeyMismatch = nameof(SshHostKeyMismatch);
    public const string SshHostKeyUnknown = nameof(SshHostKeyUnknown);
    public const string SshKeyFileInvalid = nameof(SshKeyFileInvalid);
    public const string SshConnectionFailed = nameof(SshConnectionFailed);
    public const string KnownHostsUnreadable = nameof(KnownHostsUnreadable);
    public const string SshLoginConflict = nameof(SshLoginConflict);

    // Go binaries
    public const string BinaryNotFound = nameof(BinaryNotFound);

    // TLS endpoints
    public const string TlsEndpointUnreachable = nameof(TlsEndpointUnreachable);

    // Artifacts: certificates and private keys
    public const string CertificateFileNotFound = nameof(CertificateFileNotFound);
    public const string CertificateFileUnreadable = nameof(CertificateFileUnreadable);
    public const string CertificateFileInvalid = nameof(CertificateFileInvalid);
    public const string PrivateKeyFileNotFound = nameof(PrivateKeyFileNotFound);
    public const string PrivateKeyFileUnreadable = nameof(PrivateKeyFileUnreadable);
    public const string PrivateKeyFileInvalid = nameof(PrivateKeyFileInvalid);
    public const string PrivateKeyFormatUnsupported = nameof(PrivateKeyFormatUnsupported);
    public const string PrivateKeyPassphraseRequired = nameof(PrivateKeyPassphraseRequired);
    public const string PrivateKeyPassphraseIncorrect = nameof(PrivateKeyPassphraseIncorrect);
    public const string PrivateKeyWriteFailed = nameof(PrivateKeyWriteFailed);
    public const string PrivateKeyHardLinked = nameof(PrivateKeyHardLinked);

    // Compliance evidence exports and drift
    /// <summary>An input that is not a report the module judges (or one cut short by ConvertTo-Json / Export-Clixml depth).</summary>
    public const string InvalidComplianceReport = nameof(InvalidComplianceReport);
    /// <summary>No report reached Export- or Compare-FipsComplianceReport.</summary>
    public const string ComplianceReportRequired = nameof(ComplianceReportRequired);
    /// <summary>The export's -Path exists and -Force was not given.</summary>
    public const string ComplianceReportExists = nameof(ComplianceReportExists);
    public const string ComplianceReportWriteFailed = nameof(ComplianceReportWriteFailed);

    // Cluster store
    public const string InvalidClusterName = nameof(InvalidClusterName);
    public const string FipsClusterNotFound = nameof(FipsClusterNotFound);
    public const string FipsClusterExists = nameof(FipsClusterExists);
    public const string FipsClusterRecordTampered = nameof(FipsClusterRecordTampered);
    public const string FipsClusterStoreUnavailable = nameof(FipsClusterStoreUnavailable);
    public const string FipsClusterStoreBusy = nameof(FipsClusterStoreBusy);
    public const string FipsModeImmutable = nameof(FipsModeImmutable);
    public const string FipsPreflightFailed = nameof(FipsPreflightFailed);
    public const string SwarmAlreadyInitialized = nameof(SwarmAlreadyInitialized);
    public const string NodeNotFipsCompliant = nameof(NodeNotFipsCompliant);
    public const string NodeIdentityMismatch = nameof(NodeIdentityMismatch);
    public const string NodeIdentityUnavailable = nameof(NodeIdentityUnavailable);
    public const string FipsClusterNodeNotFound = nameof(FipsClusterNodeNotFound);

    // Enable-FipsMode
    /// <summary>The target's operating system has no FIPS mode the module can enable (Debian, RHEL 7, unknown): the message names why.</summary>
    public const string FipsModeUnsupported = nameof(FipsModeUnsupported);
    /// <summary>FIPS mode can only be chosen when the system is installed or its image built (RHEL 10, a running image-mode host).</summary>
    public const string FipsModeInstallTimeOnly = nameof(FipsModeInstallTimeOnly);
    /// <summary>Ubuntu Pro FIPS needs an attached machine (pro attach), and this one is not.</summary>
    public const string UbuntuProNotAttached = nameof(UbuntuProNotAttached);
    /// <summary>An offline image lacks what its configuration needs (the FIPS crypto policy files, a writable tree).</summary>
    public const string FipsModeImageIncomplete = nameof(FipsModeImageIncomplete);
    /// <summary>A command that enables FIPS mode on a running node failed (its exit status and output are in the message).</summary>
    public const string FipsModeCommandFailed = nameof(FipsModeCommandFailed);
    /// <summary>Changing the node needs root, and sudo -n was refused (no sudo, or it asks for a password).</summary>
    public const string FipsModePrivilegeRequired = nameof(FipsModePrivilegeRequired);
    /// <summary>A restarted node did not come back (with a new boot) within the timeout.</summary>
    public const string NodeRestartTimedOut = nameof(NodeRestartTimedOut);

    // Kubernetes on AWS
    public const string InvalidClusterSpec = nameof(InvalidClusterSpec);
    public const string ManifestWriteFailed = nameof(ManifestWriteFailed);
    public const string ProvisioningFailed = nameof(ProvisioningFailed);
    public const string AwsCredentialsUnavailable = nameof(AwsCredentialsUnavailable);
    public const string AwsCredentialsConflict = nameof(AwsCredentialsConflict);
    public const string InvalidKubeconfig = nameof(InvalidKubeconfig);
    public const string InvalidIngressCidr = nameof(InvalidIngressCidr);
    public const string KubeadmInitFailed = nameof(KubeadmInitFailed);
    public const string KubeadmInitTimedOut = nameof(KubeadmInitTimedOut);
    public const string KubeadmJoinCommandUnavailable = nameof(KubeadmJoinCommandUnavailable);
    public const string KubeadmJoinFailed = nameof(KubeadmJoinFailed);
    public const string ClusterNodeRequired = nameof(ClusterNodeRequired);
    public const string KubernetesNodeAmbiguous = nameof(KubernetesNodeAmbiguous);

    // Transport security: plaintext (or unverified TLS) refused unless -AllowInsecureTransport.
    public const string InsecureTransportRefused = nameof(InsecureTransportRefused);

    // What escaped a service, as FailureClassifier (Core) names it: endpoints, TLS, SDKs, files.
    public const string EndpointUnreachable = nameof(EndpointUnreachable);
    public const string EndpointProtocolError = nameof(EndpointProtocolError);
    public const string TlsHandshakeFailed = nameof(TlsHandshakeFailed);
    public const string AwsAuthenticationFailed = nameof(AwsAuthenticationFailed);
    public const string AwsPermissionDenied = nameof(AwsPermissionDenied);
    public const string AwsRequestFailed = nameof(AwsRequestFailed);
    public const string KubernetesAuthenticationFailed = nameof(KubernetesAuthenticationFailed);
    public const string KubernetesPermissionDenied = nameof(KubernetesPermissionDenied);
    public const string KubernetesObjectNotFound = nameof(KubernetesObjectNotFound);
    public const string KubernetesApiError = nameof(KubernetesApiError);
    public const string PathNotFound = nameof(PathNotFound);
    public const string PathAccessDenied = nameof(PathAccessDenied);
    public const string FileOperationFailed = nameof(FileOperationFailed);

    // Module plumbing
    public const string DependencyLoadFailed = nameof(DependencyLoadFailed);
    public const string OperationTimedOut = nameof(OperationTimedOut);

    /// <summary>Anything no rule above names: the message names the exception type, the original is the InnerException.</summary>
    public const string UnexpectedError = nameof(UnexpectedError);
}
