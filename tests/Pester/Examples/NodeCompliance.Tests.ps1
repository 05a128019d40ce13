#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# An example FIPS compliance suite for a fleet: one It per node and one per required check, so the Pester
# report names exactly which check failed where, with the evidence in the failure message.
# Nodes come from $env:FIPS_NODES (comma-separated host or host:port); SSH user and key from $env:FIPS_SSH_USER
# and $env:FIPS_SSH_KEY. Without FIPS_NODES it checks this machine. Tag: Integration (needs real nodes).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../../out/FipsCluster/FipsCluster.psd1') -Force
    $nodes = @($env:FIPS_NODES -split ',' | Where-Object { $_ })
    $script:reports = if ($nodes.Count -gt 0) {
        Test-FipsNode -ComputerName $nodes -UserName $env:FIPS_SSH_USER -KeyFilePath $env:FIPS_SSH_KEY -ErrorAction SilentlyContinue
    }
    else {
        Test-FipsNode
    }
    # One test case per node, and one per (node, required check).
    $script:nodeCases = $script:reports | ForEach-Object { @{ ComputerName = $_.ComputerName; Report = $_ } }
    $script:checkCases = $script:reports | ForEach-Object {
        $report = $_
        $report.Checks | Where-Object Required | ForEach-Object { @{ ComputerName = $report.ComputerName; CheckId = $_.CheckId; Check = $_ } }
    }
}

Describe 'FIPS compliance of <ComputerName>' -Tag 'Integration' -ForEach $nodeCases {
    It 'could be examined' {
        $Report.Status | Should -Not -Be 'Error' -Because ($Report.Errors -join '; ')
    }

    It 'runs the kernel in FIPS mode' {
        $Report.FipsModeEnabled | Should -BeTrue
    }

    It 'is compliant with <Report.Profile>' {
        $Report.Compliant | Should -BeTrue -Because (($Report.Findings | ForEach-Object { "$($_.CheckId): $($_.Actual)" }) -join '; ')
    }
}

Describe 'Required check <CheckId> on <ComputerName>' -Tag 'Integration' -ForEach $checkCases {
    It 'passes or does not apply' {
        $Check.IsSatisfied | Should -BeTrue -Because "$($Check.Actual). Fix: $($Check.Remediation)"
    }
}
