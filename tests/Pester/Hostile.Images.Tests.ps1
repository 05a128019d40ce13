#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 13, finding 2, as a user meets it: Test-FipsNode -Root on an image built by someone else. The proofs were an
# image whose links put a host file into the report, and a FIFO at /etc/os-release that made
# Test-FipsNode -Root … -TimeoutSeconds 3 never return.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    # What no image may read: a host directory outside it.
    $script:hostDir = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'host-side')
    $script:secret = 'HostSecret-5be2-shadow'
    Set-Content -Path (Join-Path $hostDir 'secret') -Value "root:`$6`$$secret`:19000:0:99999:7:::"
    Set-Content -Path (Join-Path $hostDir 'config') -Value $secret
    Set-Content -Path (Join-Path $hostDir 'grub') -Value "GRUB_CMDLINE_LINUX=`"fips=1 $secret`""

    function New-Image([string] $Name) {
        $root = New-Item -ItemType Directory -Path (Join-Path $TestDrive $Name)
        foreach ($dir in 'etc', 'usr/lib', 'boot', 'proc') {
            $null = New-Item -ItemType Directory -Path (Join-Path $root $dir) -Force
        }
        Set-Content -Path (Join-Path $root 'etc/system-release') -Value 'Red Hat Enterprise Linux release 9.4 (Plow)'
        $root.FullName
    }

    function New-Link([string] $Root, [string] $Path, [string] $Target) {
        $local = Join-Path $Root $Path
        $null = New-Item -ItemType Directory -Path (Split-Path $local) -Force
        $null = New-Item -ItemType SymbolicLink -Path $local -Target $Target
    }
}

AfterAll {
    Remove-Module FipsCluster -ErrorAction SilentlyContinue
}

Describe 'Test-FipsNode -Root on a hostile image' -Skip:(-not $IsLinux) {
    It 'answers within 10 s with -TimeoutSeconds 3 when /etc/os-release is a FIFO, and says what it refused' {
        $root = New-Image 'fifo-image'
        & mkfifo (Join-Path $root 'etc/os-release')
        $LASTEXITCODE | Should -Be 0
        # In a child pwsh: a scan that hung would hang this run too (an open(2) blocked on a FIFO cannot be interrupted).
        $module = Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1'
        $child = Invoke-ChildPwsh -TimeoutSeconds 60 -Script @"
Import-Module '$module'
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$report = Test-FipsNode -Root '$root' -TimeoutSeconds 3
'SECONDS ' + `$clock.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)
'STATUS ' + `$report.Status
`$report.Errors | ForEach-Object { 'ERROR ' + `$_ }
'QUIET ' + (Test-FipsNode -Root '$root' -TimeoutSeconds 3 -Quiet)
"@
        $lines = $child.Output -split "`n" | ForEach-Object { $_.TrimEnd() }
        $seconds = [double]::Parse((($lines | Where-Object { $_ -like 'SECONDS *' }) -replace '^SECONDS ', ''), [cultureinfo]::InvariantCulture)
        $seconds | Should -BeLessThan 10 -Because $child.Errors
        $lines | Should -Contain 'STATUS NonCompliant'
        $lines | Should -Contain 'ERROR /etc/os-release could not be read: a FIFO, not a regular file: not read'
        $lines | Should -Contain 'QUIET False'
    }

    It 'never shows a host file that its links name: through a directory link, an absolute target and ..' {
        $root = New-Image 'link-image'
        $hostPath = $script:hostDir.FullName
        # The proof: /x -> <host dir>, /etc/os-release -> /x/secret.
        New-Link $root 'x' $hostPath
        New-Link $root 'etc/os-release' '/x/secret'
        New-Link $root 'usr/lib/os-release' ('../' * 12 + $hostPath.TrimStart('/') + '/secret')
        New-Link $root 'etc/crypto-policies' $hostPath
        New-Link $root 'etc/default' ('../' * 12 + $hostPath.TrimStart('/'))

        $report = Test-FipsNode -Root $root -TimeoutSeconds 30
        $report.Status | Should -Not -Be 'Error'
        ($report | ConvertTo-Json -Depth 12) | Should -Not -Match ([regex]::Escape($script:secret))
        ($report.Checks.Evidence.Excerpt -join "`n") | Should -Not -Match ([regex]::Escape($script:secret))
        ($report.Checks.Actual -join "`n") | Should -Not -Match ([regex]::Escape($script:secret))

        # Re-rooted inside the image, the same links read the image's own files.
        $own = New-Item -ItemType Directory -Path (Join-Path $root $hostPath.TrimStart('/')) -Force
        Set-Content -Path (Join-Path $own 'secret') -Value "PRETTY_NAME=`"Image-Own-Release`"`nID=rhel`nVERSION_ID=9.4"
        $again = Test-FipsNode -Root $root -TimeoutSeconds 30
        $again.Os.PrettyName | Should -Be 'Image-Own-Release'
        ($again | ConvertTo-Json -Depth 12) | Should -Not -Match ([regex]::Escape($script:secret))
    }
}
