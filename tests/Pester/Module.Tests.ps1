#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Module contract for pwsh + Pester 5 users: run `dotnet build` first, then Invoke-Pester ./tests/Pester.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1'
    Import-Module $script:manifest -Force
    $script:commands = Get-Command -Module FipsCluster
}

AfterAll {
    Remove-Module FipsCluster -ErrorAction SilentlyContinue
}

Describe 'FipsCluster module' {
    It 'has a valid manifest' {
        { Test-ModuleManifest -Path $script:manifest -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $listed = (Import-PowerShellDataFile $script:manifest).CmdletsToExport | Sort-Object
        $script:commands.Name | Sort-Object | Should -Be $listed
    }

    It 'loads no third-party assembly at import (fresh pwsh)' {
        $script = "Import-Module '$script:manifest'; [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name"
        $run = Invoke-ChildPwsh -Script $script
        $run.ExitCode | Should -Be 0
        $loaded = $run.Output -split '\r?\n'
        $loaded | Should -Contain 'FipsCluster'
        $loaded | Where-Object { $_ -like 'AWSSDK*' -or $_ -like 'YamlDotNet*' -or $_ -like 'KubernetesClient*' } | Should -BeNullOrEmpty
    }

    It 'keeps its dependencies in its own load context' {
        Get-FipsClusterDependency | ForEach-Object {
            $_.LoadContext | Should -Be 'FipsCluster'
            $_.Working | Should -BeTrue
        }
    }
}

Describe 'Help for <_>' -ForEach @(
    'ConvertFrom-SwarmJoinToken', 'Get-FipsClusterDependency', 'Get-SwarmJoinToken', 'New-SwarmJoinToken', 'Test-SwarmJoinToken', 'Update-SwarmJoinToken'
) {
    BeforeAll {
        $script:help = Get-Help $_ -Full
        $script:command = Get-Command $_
    }

    It 'has a synopsis that is not just the syntax' {
        $script:help.Synopsis | Should -Not -BeNullOrEmpty
        $script:help.Synopsis | Should -Not -Match "^$($script:command.Name)"
    }

    It 'has at least two examples' {
        @($script:help.examples.example).Count | Should -BeGreaterOrEqual 2
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($name in $script:command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $parameter = $script:help.parameters.parameter | Where-Object name -eq $name
            ($parameter.description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }
}
