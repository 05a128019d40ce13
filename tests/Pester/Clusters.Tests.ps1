#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The cluster store through the cmdlets, without network: an empty store in $TestDrive, name validation,
# and the errors a runbook matches on. (Creating clusters needs a Docker engine: see the xunit module tests.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:savedHome = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:savedHome
}

Describe 'The cluster store' {
    It 'starts empty' {
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It 'says which cluster is missing' {
        $null = Get-FipsCluster -Name prod -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'FipsClusterNotFound,FipsCluster.Commands.GetFipsClusterCommand'
    }

    It 'refuses names that could build a path' {
        { New-FipsCluster -Name '../etc' -Provider Swarm -DockerHost 'unix:///nonexistent.sock' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidClusterName,FipsCluster.Commands.NewFipsClusterCommand'
    }

    It 'will not change a cluster that does not exist' {
        $null = Set-FipsCluster -Name prod -Description x -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'FipsClusterNotFound,FipsCluster.Commands.SetFipsClusterCommand'
    }
}

Describe 'Evidence read over SSH, with no SSH key anywhere' {
    BeforeAll {
        # A home whose ~/.ssh has no key: -ComputerName and -NodeCheck Ssh cannot reach their hosts.
        $script:savedUserHome = $env:HOME
        $script:keylessHome = Join-Path $TestDrive 'keyless-home'
        New-Item -ItemType Directory -Force -Path (Join-Path $keylessHome '.ssh') | Out-Null
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $script:closedPort = $listener.LocalEndpoint.Port
        $listener.Stop()
        $script:kubeconfig = Join-Path $TestDrive 'kubeconfig'
        Set-Content -Path $kubeconfig -Value @"
apiVersion: v1
kind: Config
clusters:
- name: down
  cluster:
    server: https://127.0.0.1:$closedPort
    insecure-skip-tls-verify: true
contexts:
- name: down
  context: { cluster: down, user: u }
current-context: down
users:
- name: u
  user: { token: t }
"@
    }
    BeforeEach {
        $env:HOME = $keylessHome
    }
    AfterEach {
        $env:HOME = $savedUserHome
    }

    It 'New-FipsCluster -ComputerName refuses before it contacts the engine, never taking this machine as that host' {
        { New-FipsCluster -Name keyless -Provider Swarm -DockerHost 'unix:///nonexistent.sock' -ComputerName 'manager-1.invalid' -ErrorAction Stop } |
            Should -Throw -ErrorId 'SshKeyFileInvalid,FipsCluster.Commands.NewFipsClusterCommand'
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It 'Test-FipsCluster -NodeCheck Ssh says it has no key instead of judging the cluster without its nodes' {
        $null = Test-FipsCluster -Kubeconfig $kubeconfig -NodeCheck Ssh -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'SshKeyFileInvalid,FipsCluster.Commands.TestFipsClusterCommand'
        Test-FipsCluster -Kubeconfig $kubeconfig -NodeCheck Ssh -Quiet -ErrorAction SilentlyContinue | Should -BeFalse
    }
}
