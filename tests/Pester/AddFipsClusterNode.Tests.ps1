# Add-FipsClusterNode's surface: one parameter set per way of adding (Swarm, AwsLaunch, AwsInstance). A swarm parameter
# with an AWS one is a parameter-binding error; an AWS set for a swarm's record (or the Swarm set for an AWS cluster's) is
# refused by the provider the record names, ClusterProviderMismatch. Nothing is joined, launched or recorded.

BeforeDiscovery {
    $secret = { ConvertTo-SecureString 'not-a-secret' -AsPlainText -Force }
    $awsOnly = @(
        @{ Parameter = 'Count'; Value = { 2 } }
        @{ Parameter = 'InstanceId'; Value = { 'i-0123456789abcdef0' } }
        @{ Parameter = 'BootstrapTimeoutSeconds'; Value = { 60 } }
        @{ Parameter = 'AwsCredential'; Value = { [pscredential]::new('AKIAFIPSCLUSTERTEST', (ConvertTo-SecureString 'not-a-secret' -AsPlainText -Force)) } }
        @{ Parameter = 'AccessKey'; Value = { 'AKIAFIPSCLUSTERTEST' } }
        @{ Parameter = 'SecretKey'; Value = $secret }
        @{ Parameter = 'SessionToken'; Value = $secret }
        @{ Parameter = 'ProfileName'; Value = { 'ops' } }
        @{ Parameter = 'Region'; Value = { 'us-east-1' } }
        @{ Parameter = 'EndpointUrl'; Value = { 'https://ec2.example' } }
        @{ Parameter = 'UseFipsEndpoint'; Value = { $true } }
    )
    $swarmOnly = @(
        @{ Parameter = 'Role'; Value = { 'Manager' } }
        @{ Parameter = 'DockerHost'; Value = { 'unix:///var/run/docker.sock' } }
        @{ Parameter = 'DockerCertPath'; Value = { '/tmp' } }
        @{ Parameter = 'DockerTlsVerify'; Value = { $true } }
        @{ Parameter = 'ComputerName'; Value = { 'node-7' } }
        @{ Parameter = 'ListenAddress'; Value = { '0.0.0.0:2377' } }
        @{ Parameter = 'AdvertiseAddress'; Value = { '10.0.0.17' } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:storeBefore = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
    $null = [FipsCluster.FipsClusterRecord]@{
        Name = 'swarm1'; Provider = 'Swarm'; Fips = $true; ComplianceProfile = 'FIPS-140-3'; Endpoints = [string[]]@('tcp://127.0.0.1:1')
    } | Add-TestClusterRecord -StorePath $env:FIPSCLUSTER_HOME
    $null = [FipsCluster.FipsClusterRecord]@{
        Name = 'aws1'; Provider = 'AWS'; Fips = $true; ComplianceProfile = 'FIPS-140-3'; Endpoints = [string[]]@('ec2:us-east-1')
        AwsSpec = [FipsCluster.AwsClusterSpec]@{ Name = 'aws1'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = 'v1.29.6+fips.0' }
    } | Add-TestClusterRecord -StorePath $env:FIPSCLUSTER_HOME
    $script:binding = '^(ParameterNotInParameterSet|AmbiguousParameterSet),FipsCluster\.Commands\.AddFipsClusterNodeCommand$'
    function script:Versions { Get-FipsCluster | ForEach-Object { "$($_.Name)=$($_.Version)" } }
    $script:before = Versions
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:storeBefore
}

Describe 'Add-FipsClusterNode: one way of adding at a time' {
    It 'the lists below are exactly the parameters of the AWS sets and of the Swarm set alone' {
        $sets = (Get-Command Add-FipsClusterNode).ParameterSets
        $swarm = ($sets | Where-Object Name -eq 'Swarm').Parameters.Name
        $aws = ($sets | Where-Object Name -in 'AwsLaunch', 'AwsInstance').Parameters.Name | Sort-Object -Unique
        @($aws | Where-Object { $_ -notin $swarm }) | Sort-Object | Should -Be (@($awsOnly.Parameter) | Sort-Object)
        @($swarm | Where-Object { $_ -notin $aws }) | Sort-Object | Should -Be (@($swarmOnly.Parameter) | Sort-Object)
    } -ForEach @(@{ awsOnly = $awsOnly; swarmOnly = $swarmOnly })

    It '-<Parameter> with the swarm''s -DockerHost is a binding error' -ForEach ($awsOnly | Where-Object Parameter -ne 'DockerHost') {
        $arguments = @{ $Parameter = & $Value }
        $e = { Add-FipsClusterNode swarm1 -DockerHost unix:///var/run/docker.sock @arguments -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Match $binding
        $e.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        Versions | Should -Be $before
    }

    It '-<Parameter> with AWS''s -Count is a binding error' -ForEach $swarmOnly {
        $arguments = @{ $Parameter = & $Value }
        $e = { Add-FipsClusterNode aws1 -Count 2 @arguments -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Match $binding
        $e.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        Versions | Should -Be $before
    }

    It '-<Parameter> with AWS''s -InstanceId is a binding error' -ForEach $swarmOnly {
        $arguments = @{ $Parameter = & $Value }
        $e = { Add-FipsClusterNode aws1 -InstanceId i-0123456789abcdef0 @arguments -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -Match $binding
        Versions | Should -Be $before
    }
}

Describe 'Add-FipsClusterNode: the record decides the provider' {
    It 'an AWS way of adding for a swarm is refused with ClusterProviderMismatch' {
        $out = Add-FipsClusterNode swarm1 -Count 2 -KeyFilePath (Join-Path $TestDrive 'none') -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeExactly 'ClusterProviderMismatch,FipsCluster.Commands.AddFipsClusterNodeCommand'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Versions | Should -Be $before
    }

    It 'a swarm engine for an AWS cluster is refused with ClusterProviderMismatch' {
        $out = Add-FipsClusterNode aws1 -DockerHost unix:///var/run/docker.sock -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeExactly 'ClusterProviderMismatch,FipsCluster.Commands.AddFipsClusterNodeCommand'
        Versions | Should -Be $before
    }

    It 'a record piped from Get-FipsCluster binds -ClusterName' {
        $null = Get-FipsCluster swarm1 | Add-FipsClusterNode -Count 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeExactly 'ClusterProviderMismatch,FipsCluster.Commands.AddFipsClusterNodeCommand'
        $errs[0].Exception.Message | Should -Match "'swarm1' is a Swarm cluster"
    }
}
