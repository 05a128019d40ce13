# New-FipsCluster's surface: each provider's parameters exist only for that provider. Given with the other provider
# (or a piped spec), they are a parameter-binding error before anything runs, and nothing is created.

BeforeDiscovery {
    $secret = { ConvertTo-SecureString 'not-a-secret' -AsPlainText -Force }
    # Every AWS-only and every Swarm-only parameter, with a value it would bind (the first It checks the lists are complete).
    $awsOnly = @(
        @{ Parameter = 'AwsCredential'; Value = { [pscredential]::new('AKIAFIPSCLUSTERTEST', (ConvertTo-SecureString 'not-a-secret' -AsPlainText -Force)) } }
        @{ Parameter = 'AccessKey'; Value = { 'AKIAFIPSCLUSTERTEST' } }
        @{ Parameter = 'SecretKey'; Value = $secret }
        @{ Parameter = 'SessionToken'; Value = $secret }
        @{ Parameter = 'ProfileName'; Value = { 'ops' } }
        @{ Parameter = 'Region'; Value = { 'us-east-1' } }
        @{ Parameter = 'EndpointUrl'; Value = { 'https://ec2.example' } }
        @{ Parameter = 'UseFipsEndpoint'; Value = { $true } }
        @{ Parameter = 'Ami'; Value = { 'ami-0123456789abcdef0' } }
        @{ Parameter = 'KubernetesVersion'; Value = { 'v1.29.6+fips.0' } }
        @{ Parameter = 'KubernetesImageRepository'; Value = { 'docker.io/mesosphere' } }
        @{ Parameter = 'EtcdVersion'; Value = { '3.5.10+fips.0' } }
        @{ Parameter = 'EtcdImageRepository'; Value = { 'docker.io/mesosphere' } }
        @{ Parameter = 'Architecture'; Value = { 'arm64' } }
        @{ Parameter = 'ControlPlaneCount'; Value = { 3 } }
        @{ Parameter = 'WorkerCount'; Value = { 5 } }
        @{ Parameter = 'ControlPlaneInstanceType'; Value = { 'm5.xlarge' } }
        @{ Parameter = 'WorkerInstanceType'; Value = { 'm5.2xlarge' } }
        @{ Parameter = 'SshKeyName'; Value = { 'ops' } }
        @{ Parameter = 'SubnetId'; Value = { 'subnet-1' } }
        @{ Parameter = 'VpcId'; Value = { 'vpc-1' } }
        @{ Parameter = 'ApiAllowedCidr'; Value = { '203.0.113.0/24' } }
        @{ Parameter = 'SshAllowedCidr'; Value = { '203.0.113.7/32' } }
        @{ Parameter = 'KeepOnFailure'; Value = { $true } }
        @{ Parameter = 'VerifyNode'; Value = { $true } }
        @{ Parameter = 'SkipJoin'; Value = { $true } }
        @{ Parameter = 'BootstrapTimeoutSeconds'; Value = { 60 } }
    )
    $swarmOnly = @(
        @{ Parameter = 'DockerHost'; Value = { 'unix:///var/run/docker.sock' } }
        @{ Parameter = 'DockerCertPath'; Value = { '/tmp' } }
        @{ Parameter = 'DockerTlsVerify'; Value = { $true } }
        @{ Parameter = 'ComputerName'; Value = { 'manager-1' } }
        @{ Parameter = 'ListenAddress'; Value = { '0.0.0.0:2377' } }
        @{ Parameter = 'AdvertiseAddress'; Value = { '10.0.0.10' } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:storeBefore = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
    $script:spec = [FipsCluster.AwsClusterSpec]@{
        Name = 'specced'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = 'v1.29.6+fips.0'; EtcdVersion = '3.5.10+fips.0'
    }
    # The parameters only one provider's parameter set has, as PowerShell declares them (no -Provider: all of them).
    $sets = (Get-Command New-FipsCluster).ParameterSets
    function script:Only([string] $Set, [string[]] $Others) {
        $mine = ($sets | Where-Object Name -eq $Set).Parameters.Name
        $theirs = ($sets | Where-Object Name -in $Others).Parameters.Name
        @($mine | Where-Object { $_ -notin $theirs }) | Sort-Object
    }
}

AfterAll {
    $env:FIPSCLUSTER_HOME = $script:storeBefore
}

Describe 'New-FipsCluster: one provider''s parameters on the other' {
    It 'the lists below are exactly the parameters only one provider has' {
        Only -Set 'Aws' -Others 'Swarm' | Should -Be (@($awsOnly.Parameter) | Sort-Object)
        Only -Set 'Swarm' -Others 'Aws', 'Spec' | Should -Be (@($swarmOnly.Parameter) | Sort-Object)
    } -ForEach @(@{ awsOnly = $awsOnly; swarmOnly = $swarmOnly })

    It '-Provider Swarm -<Parameter> is a binding error, and nothing is created' -ForEach $awsOnly {
        $arguments = @{ $Parameter = & $Value }
        $e = { New-FipsCluster -Name misuse -Provider Swarm @arguments -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeExactly 'NamedParameterNotFound,FipsCluster.Commands.NewFipsClusterCommand'
        $e.Exception | Should -BeOfType ([System.Management.Automation.ParameterBindingException])
        $e.Exception.ParameterName | Should -Be $Parameter
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It '-Provider AWS -<Parameter> is a binding error, and nothing is created' -ForEach $swarmOnly {
        $arguments = @{ $Parameter = & $Value }
        $e = { New-FipsCluster -Name misuse -Provider AWS @arguments -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeExactly 'NamedParameterNotFound,FipsCluster.Commands.NewFipsClusterCommand'
        $e.Exception.ParameterName | Should -Be $Parameter
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It 'a spec with -<Parameter> (a swarm parameter) is a binding error' -ForEach $swarmOnly {
        $arguments = @{ $Parameter = & $Value }
        $e = { New-FipsCluster -InputObject $spec @arguments -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeExactly 'ParameterNotInParameterSet,FipsCluster.Commands.NewFipsClusterCommand'
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It 'a spec with -Provider <Provider> is a binding error (a spec is an AWS cluster already)' -ForEach @(@{ Provider = 'Swarm' }, @{ Provider = 'AWS' }) {
        $e = { New-FipsCluster -Name misuse -Provider $Provider -InputObject $spec -WhatIf } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeExactly 'AmbiguousParameterSet,FipsCluster.Commands.NewFipsClusterCommand'
    }

    It 'Tab after -Provider Swarm offers no AWS parameter, after -Provider AWS no swarm parameter' {
        $line = 'New-FipsCluster -Provider Swarm -'
        $swarm = (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText
        $swarm | Should -Contain '-DockerHost'
        $swarm | Should -Not -Contain '-Ami'
        $swarm | Should -Not -Contain '-Region'
        $line = 'New-FipsCluster -Provider AWS -'
        $aws = (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText
        $aws | Should -Contain '-WorkerCount'
        $aws | Should -Not -Contain '-DockerHost'
        $aws | Should -Not -Contain '-ListenAddress'
    }
}

Describe 'New-FipsCluster: FIPS is the default without a switch' {
    It '-FipsMode is an enum whose default is Enabled, and there is no -Fips' {
        $parameter = (Get-Command New-FipsCluster).Parameters['FipsMode']
        $parameter.ParameterType | Should -Be ([FipsCluster.FipsMode])
        (Get-Command New-FipsCluster).Parameters.ContainsKey('Fips') | Should -BeFalse
        [FipsCluster.Commands.NewFipsClusterCommand]::new().FipsMode | Should -Be ([FipsCluster.FipsMode]::Enabled)
    }
}

Describe 'New-FipsCluster: a spec from the pipeline' {
    It 'is refused by its own check before any AWS credential is looked for, and each piped spec is reported on its own' {
        $bad = [FipsCluster.AwsClusterSpec]@{ Name = 'nover'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0' }
        $taken = [FipsCluster.AwsClusterSpec]@{ Name = 'Bad_Name'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = 'v1.29.6+fips.0'; EtcdVersion = '3.5.10+fips.0' }
        $out = $bad, $taken | New-FipsCluster -AccessKey AKIAFIPSCLUSTERTEST -SecretKey (ConvertTo-SecureString 'x' -AsPlainText -Force) -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $errs | Should -HaveCount 2
        $errs[0].FullyQualifiedErrorId | Should -BeExactly 'InvalidClusterSpec,FipsCluster.Commands.NewFipsClusterCommand'
        $errs[1].FullyQualifiedErrorId | Should -BeExactly 'InvalidClusterName,FipsCluster.Commands.NewFipsClusterCommand'
        Get-FipsCluster | Should -BeNullOrEmpty
    }

    It 'a -Region other than the spec''s is refused' {
        $e = { $spec | New-FipsCluster -Region eu-west-1 -WhatIf -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeExactly 'InvalidClusterSpec,FipsCluster.Commands.NewFipsClusterCommand'
        $e.Exception.Message | Should -Match 'us-east-1'
    }
}
