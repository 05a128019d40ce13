#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 13, finding 1: a host is an IP address or a DNS name, nothing else. The proof's address — .NET reads it as ::1
# and, written raw under -HostKeyPolicy AcceptNew, it added "* <type> <key>" to known_hosts — is refused before any
# connection, as InvalidNodeTarget, and known_hosts stays byte for byte as it was. (The xunit Hostile tests repeat this
# against a real sshd on ::1 and through a Kubernetes Node's InternalIP.)

BeforeDiscovery {
    $injected = "::1%lo`n* ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV+SwIUMirISeqpNS0QYjQ8E4lgEqyZjtw pwned"
    $script:targets = @(
        @{ Label = 'the proof'; Target = $injected }
        @{ Label = 'the proof, bracketed with a port'; Target = "[$injected]:2222" }
        @{ Label = 'a scope on a non-link-local address'; Target = '::1%lo' }
        @{ Label = 'a pattern'; Target = '*' }
        @{ Label = 'a list'; Target = 'node1,node2' }
        @{ Label = 'an inet_aton short form'; Target = '127.1' }
        @{ Label = 'a name with a line break'; Target = "node1`n@revoked * ssh-ed25519 AAAA" }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $script:sshKey = Join-Path $TestDrive 'id_ecdsa'
    Set-Content -Path $script:sshKey -Value $key.ExportECPrivateKeyPem()
    $script:knownHosts = Join-Path $TestDrive 'known_hosts'
    [IO.File]::WriteAllText($script:knownHosts, "# kept as it is`n10.0.0.9 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV+SwIUMirISeqpNS0QYjQ8E4lg/qyZjtw`n")
    $script:before = [IO.File]::ReadAllBytes($script:knownHosts)
}

AfterAll {
    Remove-Module FipsCluster -ErrorAction SilentlyContinue
}

Describe 'Test-FipsNode -ComputerName with <Label>' -ForEach $targets {
    It 'is InvalidNodeTarget, named escaped, and known_hosts is unchanged' {
        $report = Test-FipsNode -ComputerName $Target -UserName probe -KeyFilePath $script:sshKey -KnownHostsPath $script:knownHosts -HostKeyPolicy AcceptNew -TimeoutSeconds 3 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidNodeTarget,FipsCluster.Commands.TestFipsNodeCommand'
        $errors[0].Exception.Message | Should -Not -Match "`n"
        $report.ErrorId | Should -Be 'InvalidNodeTarget'
        $report.ComputerName | Should -Not -Match "`n"
        [IO.File]::ReadAllBytes($script:knownHosts) | Should -Be $script:before
    }
}

Describe 'Test-FipsTlsEndpoint -ComputerName with <Label>' -ForEach $targets {
    It 'is InvalidNodeTarget before any connection' {
        $null = Test-FipsTlsEndpoint -ComputerName $Target -TimeoutSeconds 3 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InvalidNodeTarget,FipsCluster.Commands.TestFipsTlsEndpointCommand'
    }
}

Describe 'Canonical hosts' {
    It 'Test-FipsNode names a report by the target as given, and still reaches <Target>' -ForEach @(
        @{ Target = '127.0.0.1' }, @{ Target = '[::1]:1' }, @{ Target = 'localhost:1' }
    ) {
        # Port 1 is closed: reaching it (NodeUnreachable) proves the address was accepted and used.
        $report = Test-FipsNode -ComputerName $Target -SshPort 1 -UserName probe -KeyFilePath $script:sshKey -KnownHostsPath $script:knownHosts -TimeoutSeconds 3 -ErrorAction SilentlyContinue
        $report.ErrorId | Should -Be 'NodeUnreachable'
        [IO.File]::ReadAllBytes($script:knownHosts) | Should -Be $script:before
    }
}
