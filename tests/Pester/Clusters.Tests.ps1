#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The cluster store through the cmdlets, without network: an empty store in $TestDrive, name validation,
# and the errors a runbook matches on. (Creating clusters needs a Docker engine: see the xunit module tests.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:savedHome = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:savedHome
}

Describe 'The cluster store' {
    It 'starts empty' {
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It 'says which cluster is missing' {
        $null = Get-FipsCluster -Name prod -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'FipsClusterNotFound,FipsCluster.Commands.GetFipsClusterCommand'
    }

    It 'refuses names that could build a path' {
        { New-FipsCluster -Name '../etc' -Provider Swarm -DockerHost 'unix:///nonexistent.sock' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidClusterName,FipsCluster.Commands.NewFipsClusterCommand'
    }

    It 'will not change a cluster that does not exist' {
        $null = Set-FipsCluster -Name prod -Description x -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'FipsClusterNotFound,FipsCluster.Commands.SetFipsClusterCommand'
    }
}
