@{
    # The module version lives here and nowhere else: Directory.Build.props reads it for the assemblies.
    ModuleVersion          = '0.1.0'
    RootModule             = 'FipsCluster.dll'
    GUID                   = '5d0f7c1e-2a4b-4f0e-9c53-8e6f3b1a7d42'
    Author                 = 'FipsCluster contributors'
    CompanyName            = 'FipsCluster'
    Copyright              = '(c) FipsCluster contributors. All rights reserved.'
    Description            = 'Create FIPS-mode clusters (Docker Swarm, Kubernetes on AWS), handle swarm join tokens that carry the cluster''s FIPS mode, and prove FIPS 140 compliance of nodes and clusters with evidence.'
    PowerShellVersion      = '7.4'
    CompatiblePSEditions   = @('Core')
    FormatsToProcess       = @('FipsCluster.Format.ps1xml')
    TypesToProcess         = @('FipsCluster.Types.ps1xml')
    CmdletsToExport        = @(
        'Add-FipsClusterNode'
        'ConvertFrom-SwarmJoinToken'
        'ConvertTo-FipsPrivateKey'
        'Export-FipsClusterManifest'
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
            Tags         = @('FIPS', 'FIPS140', 'Compliance', 'Swarm', 'Docker', 'Kubernetes', 'AWS', 'Security', 'Linux', 'Windows')
            ReleaseNotes = 'Foundation: staged module with isolated dependencies; swarm join tokens (parse, generate, verify, fetch, rotate).'
        }
    }
}
