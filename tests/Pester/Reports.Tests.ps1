#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Export-FipsComplianceReport and Compare-FipsComplianceReport as a runbook uses them: reports from Test-FipsNode -Root
# over real image trees (tests/FipsCluster.Core.Tests/Fixtures/Roots), live and re-imported (Export-Clixml, ConvertTo-Json),
# CSV read back with Import-Csv, files written atomically, and drift between two runs with one file changed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $roots = Join-Path $PSScriptRoot '../FipsCluster.Core.Tests/Fixtures/Roots'
    $script:image = Join-Path $TestDrive 'image'
    Copy-Item -Path (Join-Path $roots 'rhel8-fips') -Destination $script:image -Recurse
    $script:others = @(
        Test-FipsNode -Root (Join-Path $roots 'rhel9-nonfips')
        Test-FipsNode -Root (Join-Path $roots 'debian12')
    )
    $script:before = Test-FipsNode -Root $script:image
}

Describe 'Drift between two runs over a real image' {
    BeforeAll {
        # One file changes between the runs: RHEL 8 without /etc/system-fips.
        Remove-Item -Path (Join-Path $script:image 'etc/system-fips')
        $script:after = Test-FipsNode -Root $script:image
    }

    It 'reports exactly the one check that flipped, newly failing' {
        $changes = @($script:after | Compare-FipsComplianceReport -ReferenceReport $script:before)
        $changes | Should -HaveCount 1
        $changes[0] | Should -BeOfType ([FipsCluster.ComplianceChange])
        $changes[0].CheckId | Should -Be 'LNX-FIPS-07'
        $changes[0].Kind | Should -Be ([FipsCluster.ComplianceChangeKind]::NewlyFailing)
        $changes[0].ReferenceStatus | Should -Be 'Pass'
        $changes[0].DifferenceStatus | Should -Be 'Fail'
        $changes[0].Target | Should -Be $script:after.ComputerName
    }

    It 'reports the same from runs re-imported with Export-Clixml and from JSON' {
        $clixml = Join-Path $TestDrive 'before.clixml'
        @($script:before) + $script:others | Export-Clixml -Path $clixml
        $json = @($script:after) + $script:others | ConvertTo-Json -Depth 8
        $changes = @(Compare-FipsComplianceReport -ReferenceReport (Import-Clixml $clixml) -DifferenceReport ($json | ConvertFrom-Json))
        $changes | Should -HaveCount 1
        $changes[0].CheckId | Should -Be 'LNX-FIPS-07'
        # JSON text itself is read as well.
        @(Compare-FipsComplianceReport -ReferenceReport (Import-Clixml $clixml) -DifferenceReport $json) | Should -HaveCount 1
    }

    It 'lists nothing for a run compared with itself, and a removed node as one change' {
        Compare-FipsComplianceReport -ReferenceReport $script:others -DifferenceReport $script:others | Should -BeNullOrEmpty
        $removed = @(Compare-FipsComplianceReport -ReferenceReport $script:others -DifferenceReport $script:others[0])
        $removed | Should -HaveCount 1
        $removed[0].Kind | Should -Be 'Removed'
        $removed[0].CheckId | Should -BeNullOrEmpty
    }

    It 'shows a table with the old and new status' {
        $text = $script:after | Compare-FipsComplianceReport -ReferenceReport $script:before | Out-String -Width 200
        $text | Should -Match 'Kind\s+Target\s+CheckId\s+Was\s+Now'
        $text | Should -Match 'NewlyFailing .* LNX-FIPS-07 +Pass +Fail'
    }
}

Describe 'Export-FipsComplianceReport -Format Csv' {
    It 'round-trips through Import-Csv: one row per node and check, field for field' {
        $reports = @($script:before) + $script:others
        $rows = @($reports | Export-FipsComplianceReport -Format Csv | ConvertFrom-Csv)
        $rows | Should -HaveCount ($reports.Checks.Count)
        $path = Join-Path $TestDrive 'fleet.csv'
        $reports | Export-FipsComplianceReport -Format Csv -Path $path
        $imported = @(Import-Csv -Path $path)
        $imported | Should -HaveCount ($reports.Checks.Count)
        foreach ($report in $reports) {
            foreach ($check in $report.Checks) {
                $row = @($imported | Where-Object { $_.Target -eq $report.ComputerName -and $_.CheckId -eq $check.CheckId })
                $row | Should -HaveCount 1
                $row[0].Status | Should -Be $check.Status.ToString()
                $row[0].Actual | Should -BeExactly $check.Actual
                $row[0].Evidence | Should -BeExactly (($check.Evidence | ForEach-Object { "$($_.Source): $(if ($null -eq $_.Excerpt) { '(absent)' } else { $_.Excerpt })" }) -join "`n")
                $row[0].ProfileHash | Should -BeExactly $report.ProfileHash
                $row[0].JudgedBy | Should -BeExactly $report.JudgedBy
            }
        }
    }

    It 'writes the same document from live reports, Import-Clixml and ConvertFrom-Json' {
        $reports = @($script:before) + $script:others
        $clixml = Join-Path $TestDrive 'run.clixml'
        $reports | Export-Clixml -Path $clixml
        $live = $reports | Export-FipsComplianceReport -Format Csv
        Import-Clixml $clixml | Export-FipsComplianceReport -Format Csv | Should -BeExactly $live
        $reports | ConvertTo-Json -Depth 8 | ConvertFrom-Json | Export-FipsComplianceReport -Format Csv | Should -BeExactly $live
    }
}

Describe 'Export-FipsComplianceReport -Path' {
    BeforeAll {
        $script:folder = Join-Path $TestDrive 'out'
        $null = New-Item -ItemType Directory -Path $script:folder
        $script:reports = @($script:before) + $script:others
    }

    It 'writes the file, and -PassThru returns it' {
        $path = Join-Path $script:folder 'fleet.html'
        $reports | Export-FipsComplianceReport -Path $path | Should -BeNullOrEmpty
        $file = $reports | Export-FipsComplianceReport -Path $path -Force -PassThru -Title 'Nightly'
        $file | Should -BeOfType ([IO.FileInfo])
        $file.FullName | Should -Be $path
        Get-Content -Raw $path | Should -Match '<title>Nightly</title>'
    }

    It 'refuses an existing file without -Force and leaves it as it was' {
        $path = Join-Path $script:folder 'kept.xml'
        Set-Content -Path $path -Value 'the earlier report'
        { $reports | Export-FipsComplianceReport -Format JUnit -Path $path -ErrorAction Stop } |
            Should -Throw -ErrorId 'ComplianceReportExists,FipsCluster.Commands.ExportFipsComplianceReportCommand'
        (Get-Content -Raw $path).Trim() | Should -Be 'the earlier report'
        $reports | Export-FipsComplianceReport -Format JUnit -Path $path -Force
        ([xml](Get-Content -Raw $path)).testsuites.testsuite | Should -HaveCount 3
    }

    It 'writes nothing under -WhatIf' {
        $path = Join-Path $script:folder 'whatif.md'
        $reports | Export-FipsComplianceReport -Format Markdown -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'leaves no temporary file behind' {
        Get-ChildItem -Path $script:folder -Force | Where-Object Name -like '.*.tmp' | Should -BeNullOrEmpty
    }

    It 'reports an input that is not a report and exports the rest' {
        $path = Join-Path $script:folder 'mixed.csv'
        @([datetime]::UnixEpoch) + $script:others | Export-FipsComplianceReport -Format Csv -Path $path -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvalidComplianceReport,FipsCluster.Commands.ExportFipsComplianceReportCommand'
        @(Import-Csv $path) | Should -HaveCount ($script:others.Checks.Count)
    }

    It 'refuses a report cut short by ConvertTo-Json depth, saying so' {
        $shallow = $script:others[0] | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue | ConvertFrom-Json
        $null = $shallow, $script:others[1] | Export-FipsComplianceReport -Format Csv -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].Exception.Message | Should -Match 'too shallow|Depth 8'
    }
}

Describe 'Drift between two runs over the simulated FIPS node and this host' -Tag 'Integration' {
    # What a nightly runbook does: judge its nodes, keep the reports, judge again, alert on what changed. Between the runs
    # this host's OpenSSL stops using a FIPS provider (the simulated node's own configuration, given to this host's
    # OpenSSL through OPENSSL_CONF and OPENSSL_MODULES for the first run only): LNX-SSL-01 flips on this host, nothing
    # changes on the node.
    BeforeAll {
        $ssh = @{
            ComputerName = $env:FIPS_NODES -split ','
            UserName = $env:FIPS_SSH_USER
            KeyFilePath = $env:FIPS_SSH_KEY
            KnownHostsPath = $env:FIPS_KNOWN_HOSTS
        }
        $env:OPENSSL_CONF = $env:FIPS_OPENSSL_CONF
        $env:OPENSSL_MODULES = $env:FIPS_OPENSSL_MODULES
        try {
            $script:night1 = @(Test-FipsNode; Test-FipsNode @ssh)
        }
        finally {
            Remove-Item Env:OPENSSL_CONF, Env:OPENSSL_MODULES -ErrorAction SilentlyContinue
        }
        $script:night2 = @(Test-FipsNode; Test-FipsNode @ssh)
        $script:local = $script:night1[0].ComputerName
    }

    It 'the first run saw a FIPS provider on this host and the second did not; the node was judged both times' {
        $script:night1[1].ComputerName | Should -Be ($env:FIPS_NODES -split ",")[0]
        "$($script:night1[1].Status)" | Should -Not -Be "Error"
        $script:night2[1].Status | Should -Be $script:night1[1].Status
        ($script:night1[0].Checks | Where-Object CheckId -eq 'LNX-SSL-01').Status | Should -Be ([FipsCluster.CheckStatus]::Pass)
        ($script:night2[0].Checks | Where-Object CheckId -eq 'LNX-SSL-01').Status | Should -Be ([FipsCluster.CheckStatus]::Fail)
    }

    It 'reports exactly that change: this host, LNX-SSL-01, newly failing' {
        $changes = @(Compare-FipsComplianceReport -ReferenceReport $script:night1 -DifferenceReport $script:night2)
        $changes | Should -HaveCount 1
        $changes[0].Target | Should -Be $script:local
        $changes[0].CheckId | Should -Be 'LNX-SSL-01'
        $changes[0].Kind | Should -Be ([FipsCluster.ComplianceChangeKind]::NewlyFailing)
    }

    It 'finds the same change in reports kept as Clixml overnight' {
        $kept = Join-Path $TestDrive 'night1.clixml'
        $script:night1 | Export-Clixml -Path $kept
        $changes = @(Compare-FipsComplianceReport -ReferenceReport (Import-Clixml -Path $kept) -DifferenceReport $script:night2)
        ($changes | ForEach-Object { "$($_.Target) $($_.CheckId) $($_.Kind)" }) | Should -Be "$($script:local) LNX-SSL-01 NewlyFailing"
    }
}
