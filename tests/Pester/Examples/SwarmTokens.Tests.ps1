#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# An example compliance suite: the local swarm hands out tokens that belong to its current root CA, and a
# FIPS swarm hands out FIPS tokens. Needs a Docker engine that is a swarm manager (tag: Integration).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../../out/FipsCluster/FipsCluster.psd1') -Force
}

Describe 'Swarm join tokens on this manager' -Tag 'Integration' {
    BeforeAll {
        $script:tokens = Get-SwarmJoinToken -DockerHost ($env:DOCKER_HOST ?? 'unix:///var/run/docker.sock')
    }

    It 'has a worker and a manager token' {
        # Role is an enum: compare names (Sort-Object would order the values).
        @($script:tokens.Role.ForEach([string]) | Sort-Object) | Should -Be @('Manager', 'Worker')
    }

    It '<Role> token matches the current root CA and is current' -ForEach @(@{ Role = 'Worker' }, @{ Role = 'Manager' }) {
        $result = $script:tokens | Where-Object Role -eq $Role | Test-SwarmJoinToken
        $result.DigestMatches | Should -BeTrue
        $result.SecretMatches | Should -BeTrue
    }
}
