#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Enable-FipsMode -Root on copies of the non-FIPS RHEL 8 and RHEL 9 image fixtures, judged afterwards by Test-FipsNode -Root:
# every configuration check passes, a second run changes nothing, -WhatIf changes no byte (the tree is hashed).

BeforeDiscovery {
    $script:images = @(
        @{ Fixture = 'rhel8-image-nonfips'; Major = 8 }
        @{ Fixture = 'rhel9-image-nonfips'; Major = 9 }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force

    $script:fixtures = Join-Path $PSScriptRoot '../FipsCluster.Core.Tests/Fixtures/Roots'
    $script:configurationChecks = 'LNX-FIPS-03', 'LNX-FIPS-04', 'LNX-FIPS-05', 'LNX-FIPS-06', 'LNX-FIPS-07', 'LNX-FIPS-08', 'LNX-FIPS-09', 'LNX-FIPS-10'

    function Copy-Image([string] $Fixture) {
        $target = Join-Path $TestDrive ($Fixture + '-' + [guid]::NewGuid().ToString('N').Substring(0, 6))
        Copy-Item -Recurse -Path (Join-Path $script:fixtures $Fixture) -Destination $target
        $target
    }

    # Every entry of a tree: its path, its link target or the SHA-256 of its content.
    function Get-TreeHash([string] $Root) {
        $lines = Get-ChildItem -LiteralPath $Root -Recurse -Force | Sort-Object FullName | ForEach-Object {
            $relative = [IO.Path]::GetRelativePath($Root, $_.FullName)
            if ($_.LinkTarget) { "$relative -> $($_.LinkTarget)" }
            elseif ($_.PSIsContainer) { "$relative/" }
            else { "$relative $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash)" }
        }
        $bytes = [Text.Encoding]::UTF8.GetBytes(($lines -join "`n"))
        [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($bytes))
    }
}

Describe 'Enable-FipsMode -Root on a RHEL <Major> image' -ForEach $images {
    BeforeAll {
        $script:root = Copy-Image $Fixture
    }

    It 'fails configuration checks before' {
        $before = Test-FipsNode -Root $script:root
        ($before.Checks | Where-Object { $_.CheckId -in $script:configurationChecks -and $_.Status -eq 'Fail' }) | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf changes no byte and writes no object' {
        $hash = Get-TreeHash $script:root
        $out = Enable-FipsMode -Root $script:root -WhatIf
        $out | Should -BeNullOrEmpty
        Get-TreeHash $script:root | Should -Be $hash
    }

    It 'makes every configuration check of Test-FipsNode -Root pass' {
        $change = Enable-FipsMode -Root $script:root -Confirm:$false
        $change | Should -HaveCount 1
        $change | Should -BeOfType ([FipsCluster.FipsModeChange])
        $change.NoChange | Should -BeFalse
        $change.Changes.Path | Should -Contain '/etc/crypto-policies/config'
        $change.FirstBootSteps.Path | Should -Contain 'dracut -f --regenerate-all'
        $after = Test-FipsNode -Root $script:root
        foreach ($check in $after.Checks | Where-Object CheckId -in $script:configurationChecks) {
            $check.Status | Should -BeIn @('Pass', 'NotApplicable') -Because "$($check.CheckId): $($check.Actual)"
        }
        ($after.Checks | Where-Object CheckId -eq 'LNX-FIPS-04').Status | Should -Be 'Pass'
    }

    It 'keeps what it rewrote as .bak' {
        Get-Content -Raw (Join-Path $script:root 'etc/crypto-policies/config.bak') | Should -Be "DEFAULT`n"
        Get-Content -Raw (Join-Path $script:root 'etc/default/grub.bak') | Should -Not -Match 'fips=1'
        Get-Content -Raw (Join-Path $script:root 'etc/default/grub') | Should -Match 'fips=1'
    }

    It 'changes nothing the second time, and says so' {
        $hash = Get-TreeHash $script:root
        $again = Enable-FipsMode -Root $script:root -Confirm:$false
        $again.NoChange | Should -BeTrue
        $again.Changes | Should -BeNullOrEmpty
        $again.Message | Should -Match 'already configured'
        Get-TreeHash $script:root | Should -Be $hash
    }
}

Describe 'Enable-FipsMode refusals' {
    It 'refuses a Debian image, naming why, and changes nothing' {
        $root = Copy-Image 'debian12'
        $hash = Get-TreeHash $root
        { Enable-FipsMode -Root $root -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'FipsModeUnsupported,FipsCluster.Commands.EnableFipsModeCommand'
        Get-TreeHash $root | Should -Be $hash
    }

    It 'goes on with the next image after one it refuses' {
        $debian = Copy-Image 'debian12'
        $rhel = Copy-Image 'rhel9-image-nonfips'
        $out = Enable-FipsMode -Root $debian, $rhel -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $out | Should -HaveCount 1
        $out.Target | Should -Be $rhel
    }
}
