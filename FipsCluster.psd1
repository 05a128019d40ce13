@{
    # The module version lives here and nowhere else: Directory.Build.props reads it for the assemblies.
    ModuleVersion          = '0.1.0'
    RootModule             = 'FipsCluster.dll'
    GUID                   = '5d0f7c1e-2a4b-4f0e-9c53-8e6f3b1a7d42'
    Author                 = 'FipsCluster contributors'
    CompanyName            = 'FipsCluster'
    Copyright              = '(c) 2026 FipsCluster contributors. MIT License (see LICENSE).'
    Description            = 'Create FIPS-mode clusters (Docker Swarm, Kubernetes on AWS), handle swarm join tokens that carry the cluster''s FIPS mode, and prove FIPS 140 compliance of nodes and clusters with evidence.'
    PowerShellVersion      = '7.4'
    CompatiblePSEditions   = @('Core')
    FormatsToProcess       = @('FipsCluster.Format.ps1xml')
    TypesToProcess         = @('FipsCluster.Types.ps1xml')
    CmdletsToExport        = @(
        'Add-FipsClusterNode'
        'Compare-FipsComplianceReport'
        'ConvertFrom-SwarmJoinToken'
        'ConvertTo-FipsPrivateKey'
        'Enable-FipsMode'
        'Export-FipsClusterManifest'
        'Export-FipsComplianceReport'
        'Get-FipsCluster'
        'Get-FipsClusterDependency'
        'Get-FipsClusterNode'
        'Get-FipsComplianceProfile'
        'Get-SwarmJoinToken'
        'New-FipsCluster'
        'New-SwarmJoinToken'
        'Remove-FipsCluster'
        'Remove-FipsClusterNode'
        'Set-FipsCluster'
        'Test-FipsBinary'
        'Test-FipsCertificate'
        'Test-FipsCluster'
        'Test-FipsNode'
        'Test-FipsPrivateKey'
        'Test-FipsTlsEndpoint'
        'Test-SwarmJoinToken'
        'Update-SwarmJoinToken'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('FIPS', 'FIPS140', 'Compliance', 'Security', 'Kubernetes', 'DockerSwarm', 'Docker', 'AWS', 'ClusterAPI', 'Linux', 'Windows', 'PSEdition_Core')
            LicenseUri   = 'https://github.com/fipscluster/FipsCluster/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/fipscluster/FipsCluster'
            ReleaseNotes = @'
0.1.0 - first release.
- Swarm join tokens: ConvertFrom-, New-, Test-, Get- and Update-SwarmJoinToken read and write swarmkit's
  SWMTKN-1 and FIPS SWMTKN-2-1 formats, check the root CA digest and the secret (constant time), fetch and rotate
  tokens through the Docker Engine API; secrets stay SecureStrings unless -AsPlainText.
- Node compliance with evidence: Test-FipsNode judges the local machine, a mounted OS image (-Root) or a fleet over
  SSH (FIPS-only algorithms, known_hosts policy, throttled fan-out) against the FIPS-140-3 (default) or FIPS-140-2
  profile, or a profile loaded from YAML (Get-FipsComplianceProfile).
- Artifacts: Test-FipsBinary (which crypto a Go binary really uses), Test-FipsCertificate, Test-FipsPrivateKey,
  ConvertTo-FipsPrivateKey (PKCS#8 PBES2 rewrite) and Test-FipsTlsEndpoint (protocols and cipher suites on the wire).
- FIPS clusters: New-, Get-, Set-, Remove-FipsCluster with a MAC-protected record whose FIPS mode is fixed at
  creation; Docker Swarm clusters with node admission on evidence (Add-, Get-, Remove-FipsClusterNode); Kubernetes
  on AWS the DKP way (pinned FIPS builds, checked AMI, rollback, nodes joined over SSH); Export-FipsClusterManifest
  renders Cluster API (v1beta2, v1beta1), kubeadm and cloud-init; Test-FipsCluster checks Swarm clusters and live
  Kubernetes clusters through their API.
- Dependencies (AWS SDK, KubernetesClient, YamlDotNet, SSH.NET) load in a private load context, so the module
  coexists with AWS.Tools and powershell-yaml (Get-FipsClusterDependency).
'@
        }
    }
}
