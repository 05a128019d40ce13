#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Test-FipsNode and Get-FipsComplianceProfile without network: this machine, and root trees built in $TestDrive.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force

    function New-RootFile([string] $Root, [string] $Relative, [string] $Content) {
        $path = Join-Path $Root $Relative
        New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
        Set-Content -Path $path -Value $Content -NoNewline
    }
}

Describe 'Get-FipsComplianceProfile' {
    It 'lists the built-in profiles, FIPS-140-3 first' {
        (Get-FipsComplianceProfile).Name | Should -Be @('FIPS-140-3', 'FIPS-140-2')
    }

    It 'takes profile names by value' {
        ('FIPS-140-2', 'FIPS-140-3' | Get-FipsComplianceProfile).Name | Should -Be @('FIPS-140-2', 'FIPS-140-3')
    }

    It 'loads YAML profiles piped from Get-ChildItem, not profiles named like the files' {
        New-Item -ItemType Directory -Force -Path "$TestDrive/profiles" | Out-Null
        Set-Content -Path "$TestDrive/profiles/site-a.yaml" -Value "name: SiteA`nchecks:`n  - { id: LNX-FIPS-01 }`n"
        Set-Content -Path "$TestDrive/profiles/site-b.yaml" -Value "name: SiteB`nchecks:`n  - { id: OS-PROV-01 }`n"
        $profiles = Get-ChildItem "$TestDrive/profiles" -Filter *.yaml | Get-FipsComplianceProfile -ErrorVariable errs
        $errs | Should -HaveCount 0
        ($profiles.Name | Sort-Object) | Should -Be @('SiteA', 'SiteB')
    }

    It 'rejects a YAML profile with an unknown check id' {
        Set-Content -Path "$TestDrive/bad.yaml" -Value "name: Bad`nchecks:`n  - { id: NOPE-01 }`n"
        $null = Get-FipsComplianceProfile -Path "$TestDrive/bad.yaml" -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidComplianceProfile,FipsCluster.Commands.GetFipsComplianceProfileCommand'
    }
}

Describe 'Test-FipsNode on this machine' {
    BeforeAll {
        $script:report = Test-FipsNode
    }

    It 'returns one report of the module''s type' {
        $script:report | Should -HaveCount 1
        $script:report | Should -BeOfType ([FipsCluster.NodeComplianceReport])
    }

    It 'reports the kernel flag as /proc says it' {
        $flag = if (Test-Path /proc/sys/crypto/fips_enabled) { (Get-Content /proc/sys/crypto/fips_enabled).Trim() } else { $null }
        ($script:report.Checks | Where-Object CheckId -eq 'LNX-FIPS-01').Status | Should -Be ($flag -eq '1' ? 'Pass' : 'Fail')
    } -Skip:(-not $IsLinux)

    It 'shows the checks in the list view' {
        $text = $script:report | Format-List | Out-String
        $text | Should -Match 'LNX-FIPS-01'
        $text | Should -Match 'OS-PROV-01'
    } -Skip:(-not $IsLinux)

    It '-Quiet agrees with the report' {
        Test-FipsNode -Quiet | Should -Be $script:report.Compliant
    }
}

Describe 'Test-FipsNode -Root on an OS image' {
    BeforeAll {
        $script:image = Join-Path $TestDrive 'rhel9'
        New-RootFile $image 'etc/os-release' "ID=`"rhel`"`nVERSION_ID=`"9.4`"`nPRETTY_NAME=`"Red Hat Enterprise Linux 9.4 (Plow)`"`n"
        New-RootFile $image 'boot/loader/entries/a.conf' "title RHEL`noptions root=/dev/vda ro fips=1`n"
        New-RootFile $image 'etc/crypto-policies/config' "FIPS`n"
        New-RootFile $image 'etc/crypto-policies/state/current' "FIPS`n"
        New-RootFile $image 'etc/crypto-policies/back-ends/nss.config' "x`n"
        New-RootFile $image 'usr/lib64/ossl-modules/fips.so' ''
    }

    It 'judges the boot entries, not a kernel it does not have' {
        $report = Get-Item $script:image | Test-FipsNode
        $report.Transport | Should -Be 'Root'
        $report.FipsModeEnabled | Should -BeNullOrEmpty
        ($report.Checks | Where-Object CheckId -eq 'LNX-FIPS-01').Status | Should -Be 'NotApplicable'
        ($report.Checks | Where-Object CheckId -eq 'LNX-FIPS-04').Status | Should -Be 'Pass'
    }

    It 'reports a missing root as a per-node error' {
        $reports = Test-FipsNode -Root (Join-Path $TestDrive 'missing') -ErrorVariable errs -ErrorAction SilentlyContinue
        $reports.Status | Should -Be 'Error'
        $errs[0].FullyQualifiedErrorId | Should -Match '^InvalidRootPath,'
    }
}
