#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The module's about_ help topics as a pwsh user meets them: Get-Help finds each one after Import-Module, and the
# generated check catalogue names every check. Run `dotnet build` first.

BeforeDiscovery {
    # Data for -ForEach must exist at discovery time: the topics the staged module ships.
    $staged = Join-Path $PSScriptRoot '../../out/FipsCluster/en-US'
    $topicCases = @(Get-ChildItem -Path $staged -Filter 'about_*.help.txt' -ErrorAction SilentlyContinue |
            ForEach-Object { @{ Topic = $_.Name -replace '\.help\.txt$', '' } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
}

AfterAll {
    Remove-Module FipsCluster -ErrorAction SilentlyContinue
}

Describe 'about_FipsCluster_Checks' {
    BeforeAll {
        $script:checks = Get-Help about_FipsCluster_Checks | Out-String
    }

    It 'is found by Get-Help after importing the module' {
        $script:checks | Should -Match '(?m)^TOPIC\s+about_FipsCluster_Checks\s*$'
        $script:checks | Should -Match 'SHORT DESCRIPTION'
    }

    It 'describes <Id>' -ForEach @(
        @{ Id = 'LNX-FIPS-01'; Title = 'Kernel FIPS mode flag' }
        @{ Id = 'K8S-TLS-01'; Title = 'API server cipher suites are approved' }
        @{ Id = 'SWM-RAFT-01'; Title = 'Raft data at rest uses approved encryption' }
        @{ Id = 'KEY-02'; Title = 'PKCS#8 encryption uses PBES2/PBKDF2' }
    ) {
        $script:checks | Should -Match ('(?m)^    ' + [regex]::Escape("${Id}: $Title"))
    }

    It 'names every check of every built-in profile, with its severity there' {
        $profiles = Get-FipsComplianceProfile
        $profiles | Should -Not -BeNullOrEmpty
        foreach ($compliance in $profiles) {
            foreach ($check in $compliance.Checks) {
                $script:checks | Should -Match ('(?m)^    ' + [regex]::Escape($check.CheckId) + ': ')
                $use = '{0}: {1}, {2}.' -f $compliance.Name, $(if ($check.Required) { 'required' } else { 'optional' }), $check.Severity
                $entry = ($script:checks -split "(?m)^    (?=[A-Z0-9-]+: )" | Where-Object { $_.StartsWith($check.CheckId + ': ') }) -replace '\s+', ' '
                $entry | Should -BeLike "*$use*"
            }
        }
    }

    It 'keeps every line within 80 columns' {
        $script:checks -split "`r?`n" | Where-Object Length -GT 80 | Should -BeNullOrEmpty
    }
}

Describe 'about topics' {
    It 'ships the overview, the topic per job and the generated check catalogue' {
        $staged = Join-Path $PSScriptRoot '../../out/FipsCluster/en-US'
        $names = (Get-ChildItem -Path $staged -Filter 'about_*.help.txt').Name
        $names | Should -Contain 'about_FipsCluster.help.txt'
        $names | Should -Contain 'about_FipsCluster_Checks.help.txt'
        $names.Count | Should -BeGreaterOrEqual 6
    }

    It 'ships <Topic> where Get-Help finds it' -ForEach $topicCases {
        $text = Get-Help $Topic | Out-String
        $text | Should -Match ('(?m)^TOPIC\s+' + [regex]::Escape($Topic) + '\s*$')
        $text | Should -Match '(?m)^SEE ALSO'
    }

    It 'names every exported cmdlet in the overview' {
        $overview = Get-Help about_FipsCluster | Out-String
        $missing = (Get-Command -Module FipsCluster).Name | Where-Object { $overview -notmatch "\b$([regex]::Escape($_))\b" }
        $missing | Should -BeNullOrEmpty
    }
}
