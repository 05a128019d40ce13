#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Issue 13, finding 7: plaintext was accepted without a word. Each path is refused (InsecureTransportRefused) unless
# -AllowInsecureTransport is given, and then it goes ahead with a warning that says what is exposed. No service is
# needed: every endpoint here is a closed loopback port, so what happens after the decision is "unreachable".

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force

    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $script:closed = $listener.LocalEndpoint.Port
    $listener.Stop()

    function New-TestKubeconfig([string] $Server, [switch] $SkipTlsVerify) {
        $path = Join-Path $TestDrive ("kubeconfig-" + [guid]::NewGuid().ToString('N').Substring(0, 6))
        $cluster = @{ server = $Server }
        if ($SkipTlsVerify) { $cluster['insecure-skip-tls-verify'] = $true }
        [ordered]@{
            apiVersion = 'v1'; kind = 'Config'; 'current-context' = 'c'
            clusters = @(@{ name = 'c'; cluster = $cluster })
            contexts = @(@{ name = 'c'; context = @{ cluster = 'c'; user = 'u' } })
            users = @(@{ name = 'u'; user = @{ token = 'not-a-real-token' } })
        } | ConvertTo-Json -Depth 6 | Set-Content -Path $path
        $path
    }

    $script:savedHome = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $script:sshKey = Join-Path $TestDrive 'id_ecdsa'
    Set-Content -Path $script:sshKey -Value $key.ExportECPrivateKeyPem()
    $script:aws = @{
        Name = 'hostile1'; Provider = 'AWS'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = 'v1.29.6+fips.0'
        KubernetesImageRepository = 'docker.io/mesosphere'; EtcdVersion = '3.5.10+fips.0'; EtcdImageRepository = 'docker.io/mesosphere'
        EndpointUrl = "http://127.0.0.1:$script:closed"; KeyFilePath = $script:sshKey; KnownHostsPath = (Join-Path $TestDrive 'known_hosts')
        AwsCredential = [pscredential]::new('AKIAHOSTILETEST00000', (ConvertTo-SecureString -String 'not-a-real-secret' -AsPlainText -Force))
    }
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:savedHome
    Remove-Module FipsCluster -ErrorAction SilentlyContinue
}

Describe 'A Docker engine on tcp:// without TLS' {
    It 'is refused by Get-SwarmJoinToken without -AllowInsecureTransport' {
        { Get-SwarmJoinToken -DockerHost "tcp://127.0.0.1:$script:closed" -ErrorAction Stop } |
            Should -Throw -ErrorId 'InsecureTransportRefused,FipsCluster.Commands.GetSwarmJoinTokenCommand'
    }

    It 'says what the refusal protects and how to accept it' {
        $null = Get-SwarmJoinToken -DockerHost "tcp://127.0.0.1:$script:closed" -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors | Should -HaveCount 1
        $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errors[0].Exception.Message | Should -Match 'join tokens'
        $errors[0].Exception.Message | Should -Match '-AllowInsecureTransport'
    }

    It 'is accepted with -AllowInsecureTransport, with a warning, and then really tried' {
        $null = Get-SwarmJoinToken -DockerHost "tcp://127.0.0.1:$script:closed" -AllowInsecureTransport -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match "^-AllowInsecureTransport: tcp://127\.0\.0\.1:$script:closed"
        "$($warnings[0])" | Should -Match 'join tokens'
        $errors[0].FullyQualifiedErrorId | Should -Match '^DockerEngineUnreachable,'
    }

    It 'is refused the same way by Test-SwarmJoinToken, which still answers -Quiet' {
        $token = 'SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61'
        $answer = Test-SwarmJoinToken -Token $token -DockerHost "tcp://127.0.0.1:$script:closed" -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue
        $answer | Should -BeFalse
        $errors[0].FullyQualifiedErrorId | Should -Be 'InsecureTransportRefused,FipsCluster.Commands.TestSwarmJoinTokenCommand'
    }

    It 'is no exception on loopback IPv6 either' {
        { Update-SwarmJoinToken -Role Worker -DockerHost "tcp://[::1]:$script:closed" -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'InsecureTransportRefused,FipsCluster.Commands.UpdateSwarmJoinTokenCommand'
    }
}

Describe 'A kubeconfig server without verified TLS' {
    It 'on http:// is refused without -AllowInsecureTransport' {
        $kubeconfig = New-TestKubeconfig -Server "http://127.0.0.1:$script:closed"
        $null = Test-FipsCluster -Kubeconfig $kubeconfig -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors | Should -HaveCount 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'InsecureTransportRefused,FipsCluster.Commands.TestFipsClusterCommand'
        $errors[0].Exception.Message | Should -Match 'credentials'
        $errors[0].Exception.Message | Should -Not -Match 'not-a-real-token'
    }

    It 'with insecure-skip-tls-verify is refused without -AllowInsecureTransport' {
        $kubeconfig = New-TestKubeconfig -Server "https://127.0.0.1:$script:closed" -SkipTlsVerify
        Test-FipsCluster -Kubeconfig $kubeconfig -Quiet -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeFalse
        $errors[0].FullyQualifiedErrorId | Should -Be 'InsecureTransportRefused,FipsCluster.Commands.TestFipsClusterCommand'
        $errors[0].Exception.Message | Should -Match 'insecure-skip-tls-verify'
    }

    It 'is accepted with -AllowInsecureTransport (<Kind>), with a warning, and then really tried' -ForEach @(
        @{ Kind = 'http://'; Skip = $false; Scheme = 'http' }
        @{ Kind = 'insecure-skip-tls-verify'; Skip = $true; Scheme = 'https' }
    ) {
        $kubeconfig = New-TestKubeconfig -Server "$($Scheme)://127.0.0.1:$script:closed" -SkipTlsVerify:$Skip
        $null = Test-FipsCluster -Kubeconfig $kubeconfig -AllowInsecureTransport -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable errors -ErrorAction SilentlyContinue
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match ([regex]::Escape($Kind))
        $errors[0].FullyQualifiedErrorId | Should -Match '^EndpointUnreachable,'
    }
}

Describe 'An http:// EC2 endpoint whose console output would vouch for host keys' {
    It 'is refused before any request is sent (New-FipsCluster, HostKeyPolicy Strict)' {
        $parameters = $script:aws
        { New-FipsCluster @parameters -WhatIf -ErrorAction Stop } |
            Should -Throw -ErrorId 'InsecureTransportRefused,FipsCluster.Commands.NewFipsClusterCommand'
    }

    It 'is accepted with -AllowInsecureTransport, with a warning, and then really tried' {
        $parameters = $script:aws
        $caught = $null
        try {
            New-FipsCluster @parameters -AllowInsecureTransport -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        }
        catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -Match '^EndpointUnreachable,'
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -Match 'host keys'
    }

    It 'is no question under -HostKeyPolicy AcceptNew, which reads no console' {
        $parameters = $script:aws
        $caught = $null
        try {
            New-FipsCluster @parameters -HostKeyPolicy AcceptNew -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
        }
        catch {
            $caught = $_
        }
        $caught.FullyQualifiedErrorId | Should -Match '^EndpointUnreachable,'
        $warnings | Where-Object { "$_" -like '-AllowInsecureTransport*' } | Should -BeNullOrEmpty
    }
}

Describe 'The switch' {
    It '<Name> has -AllowInsecureTransport, described in its help' -ForEach @(
        @{ Name = 'New-FipsCluster' }, @{ Name = 'Add-FipsClusterNode' }, @{ Name = 'Get-FipsClusterNode' }, @{ Name = 'Remove-FipsCluster' },
        @{ Name = 'Remove-FipsClusterNode' }, @{ Name = 'Test-FipsCluster' }, @{ Name = 'Get-SwarmJoinToken' }, @{ Name = 'Test-SwarmJoinToken' },
        @{ Name = 'Update-SwarmJoinToken' }
    ) {
        (Get-Command $Name).Parameters['AllowInsecureTransport'].ParameterType | Should -Be ([switch])
        $help = Get-Help $Name -Parameter AllowInsecureTransport
        ($help.description | Out-String) | Should -Match 'InsecureTransportRefused'
    }
}
