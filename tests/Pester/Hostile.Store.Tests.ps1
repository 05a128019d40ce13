#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 13, finding 8, as it was proved: with write access to the cluster store (not its key), lab's cluster.json
# copied over prod's made `Get-FipsCluster prod` return Name=lab Fips=False, and an older version of a record put
# back was read as current. Both are refused now, with FipsClusterRecordTampered.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:savedHome = $env:FIPSCLUSTER_HOME
    $script:tampered = 'FipsClusterRecordTampered,FipsCluster.Commands.GetFipsClusterCommand'
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:savedHome
}

Describe 'A cluster store written by someone without its key' {
    BeforeEach {
        $env:FIPSCLUSTER_HOME = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $records = @(
            [FipsCluster.FipsClusterRecord]@{ Name = 'prod'; Provider = 'Swarm'; Fips = $true; ComplianceProfile = 'FIPS-140-3'; Description = 'v1' }
            [FipsCluster.FipsClusterRecord]@{ Name = 'lab'; Provider = 'Swarm'; Fips = $false; ComplianceProfile = 'FIPS-140-3' }
        )
        $null = $records | Add-TestClusterRecord -StorePath $env:FIPSCLUSTER_HOME
        $script:prod = Join-Path $env:FIPSCLUSTER_HOME 'clusters/prod/cluster.json'
        $script:lab = Join-Path $env:FIPSCLUSTER_HOME 'clusters/lab/cluster.json'
    }

    It 'refuses lab''s record copied over prod''s instead of answering Name=lab Fips=False' {
        (Get-FipsCluster -Name prod).Fips | Should -BeTrue
        Copy-Item -Path $script:lab -Destination $script:prod -Force
        { Get-FipsCluster -Name prod -ErrorAction Stop } | Should -Throw -ErrorId $script:tampered
        $all = @(Get-FipsCluster -ErrorVariable errs -ErrorAction SilentlyContinue)
        $all.Name | Should -Be @('lab')
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be $script:tampered
    }

    It 'refuses an older version of a record put back, and says so' {
        $first = Get-Content -Path $script:prod -Raw
        $null = Set-FipsCluster -Name prod -Description 'v2' -Confirm:$false
        (Get-FipsCluster -Name prod).Version | Should -Be 2
        Set-Content -Path $script:prod -Value $first -NoNewline
        $e = { Get-FipsCluster -Name prod -ErrorAction Stop } | Should -Throw -ErrorId $script:tampered -PassThru
        $e.Exception.Message | Should -Match 'older copy was put back'
        { Set-FipsCluster -Name prod -Description 'v3' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'FipsClusterRecordTampered,FipsCluster.Commands.SetFipsClusterCommand'
    }

    It 'refuses a removed cluster restored from a copy' {
        $copy = Get-Content -Path $script:lab -Raw
        Remove-FipsCluster -Name lab -Confirm:$false
        $null = New-Item -ItemType Directory -Path (Split-Path $script:lab) -Force
        Set-Content -Path $script:lab -Value $copy -NoNewline
        { Get-FipsCluster -Name lab -ErrorAction Stop } | Should -Throw -ErrorId $script:tampered
    }

    It 'writes the record as JSON with its format, MAC and record, and an index beside the clusters' {
        $document = Get-Content -Path $script:prod -Raw | ConvertFrom-Json
        $document.format | Should -Be 2
        [Convert]::FromBase64String($document.mac) | Should -HaveCount 32
        $document.record.name | Should -Be 'prod'
        (Get-Content -Path (Join-Path $env:FIPSCLUSTER_HOME 'clusters.index.json') -Raw | ConvertFrom-Json).index.clusters.prod.version | Should -Be 1
    }
}
