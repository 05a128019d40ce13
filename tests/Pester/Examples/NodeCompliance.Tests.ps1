#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# An example FIPS compliance suite for a fleet: one It per node and one per required check, so the Pester
# report names exactly which check failed where, with the evidence in the failure message.
# Set in the environment, as a fleet's pipeline would:
#   FIPS_NODES        nodes to check, comma-separated host or host:port (without it: this machine)
#   FIPS_SSH_USER     SSH user (default: the current user), FIPS_SSH_KEY: its private key (default: ~/.ssh)
#   FIPS_KNOWN_HOSTS  known_hosts file that holds the nodes' host keys (default: ~/.ssh/known_hosts)
#   FIPS_PROFILE      a compliance profile YAML tailored to the fleet (default: the built-in FIPS-140-3)
# Tag: Integration (needs real nodes).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../../out/FipsCluster/FipsCluster.psd1') -Force
    $parameters = @{ ErrorAction = 'SilentlyContinue' }
    if ($env:FIPS_PROFILE) { $parameters.ComplianceProfile = Get-FipsComplianceProfile -Path $env:FIPS_PROFILE -ErrorAction Stop }
    $nodes = @($env:FIPS_NODES -split ',' | Where-Object { $_ })
    if ($nodes.Count -gt 0) {
        $parameters.ComputerName = $nodes
        if ($env:FIPS_SSH_USER) { $parameters.UserName = $env:FIPS_SSH_USER }
        if ($env:FIPS_SSH_KEY) { $parameters.KeyFilePath = $env:FIPS_SSH_KEY }
        if ($env:FIPS_KNOWN_HOSTS) { $parameters.KnownHostsPath = $env:FIPS_KNOWN_HOSTS }
    }
    $script:reports = @(Test-FipsNode @parameters)
    $script:fleetCase = @{ Expected = [Math]::Max(1, $nodes.Count); Reports = $script:reports }
    # One test case per node, and one per (node, required check).
    $script:nodeCases = $script:reports | ForEach-Object { @{ ComputerName = $_.ComputerName; Report = $_ } }
    $script:checkCases = $script:reports | ForEach-Object {
        $report = $_
        $report.Checks | Where-Object Required | ForEach-Object { @{ ComputerName = $report.ComputerName; CheckId = $_.CheckId; Check = $_ } }
    }
}

Describe 'The fleet' -Tag 'Integration' -ForEach $fleetCase {
    It 'has a report for every node' {
        $Reports | Should -HaveCount $Expected
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
