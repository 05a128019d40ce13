#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# What each kind of pipeline input becomes in Test-FipsNode: folders are image roots, strings and objects with an
# address are SSH nodes, anything else is a clear error. SSH targets are a closed loopback port (connection
# refused at once), so no service is needed: what is asserted is the transport each record got and that the SSH
# path runs to a real per-node verdict (NodeUnreachable), never a NullReferenceException.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force

    function New-Image([string] $Path, [string] $Id) {
        foreach ($file in @(
                @('etc/os-release', "ID=`"$Id`"`nVERSION_ID=`"9.4`"`n"),
                @('boot/loader/entries/a.conf', "title Linux`noptions root=/dev/vda ro fips=1`n"))) {
            $target = Join-Path $Path $file[0]
            New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
            Set-Content -Path $target -Value $file[1] -NoNewline
        }
        Get-Item $Path
    }

    $script:images = Join-Path $TestDrive 'images'
    $script:rhel = New-Image (Join-Path $images 'rhel9') 'rhel'
    $script:alma = New-Image (Join-Path $images 'alma9') 'almalinux'
    $script:file = New-Item -ItemType File -Path (Join-Path $TestDrive 'nodes.txt') -Force

    # A loopback port that nothing listens on: taken from the OS, then released.
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $script:closedPort = $listener.LocalEndpoint.Port
    $listener.Stop()

    $script:key = Join-Path $TestDrive 'id_ecdsa'
    & ssh-keygen -q -t ecdsa -b 256 -N '' -f $key
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $key)) { throw 'ssh-keygen failed' }
    $script:ssh = @{ KeyFilePath = $key; KnownHostsPath = (Join-Path $TestDrive 'known_hosts'); TimeoutSeconds = 5 }
    $script:nodeId = 'FipsCluster.Commands.TestFipsNodeCommand'
}

Describe 'Test-FipsNode pipeline input: folders' {
    It 'judges a folder from Get-Item as an image root' {
        $report = $rhel | Test-FipsNode -ErrorVariable errs
        $errs | Should -HaveCount 0
        $report | Should -HaveCount 1
        $report.Transport | Should -Be 'Root'
        $report.ComputerName | Should -Be $rhel.FullName
        $report.Os.Id | Should -Be 'rhel'
        ($report.Checks | Where-Object CheckId -eq 'LNX-FIPS-04').Status | Should -Be 'Pass'
    }

    It 'judges every folder from Get-ChildItem -Directory, one report each' {
        $reports = Get-ChildItem $images -Directory | Test-FipsNode -ErrorVariable errs
        $errs | Should -HaveCount 0
        $reports | Should -HaveCount 2
        $reports.Transport | Sort-Object -Unique | Should -Be 'Root'
        ($reports.ComputerName | Sort-Object) | Should -Be (@($alma.FullName, $rhel.FullName) | Sort-Object)
        ($reports.Os.Id | Sort-Object) | Should -Be @('almalinux', 'rhel')
    }

    It 'still takes -Root on the command line' {
        (Test-FipsNode -Root $rhel.FullName).Transport | Should -Be 'Root'
    }

    It 'refuses a file with an InvalidRootPath error, neither a root nor a host' {
        $report = $file | Test-FipsNode -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be "InvalidRootPath,$nodeId"
        $errs[0].Exception.Message | Should -Match 'is a file'
        $report.Transport | Should -Be 'Root'
        $report.Status | Should -Be 'Error'
    }

    It 'refuses an item of another provider (Get-Item env:HOME) as a root that is not a file system path' {
        $report = Get-Item env:HOME | Test-FipsNode -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be "InvalidRootPath,$nodeId"
        $errs[0].Exception.Message | Should -Match 'not a file system path'
        $report.Transport | Should -Be 'Root'
        $report.Status | Should -Be 'Error'
    }

    It 'tests nothing, not this machine, when the pipeline is empty' {
        Get-ChildItem (Join-Path $TestDrive 'no-such-images') -Directory -ErrorAction SilentlyContinue | Test-FipsNode | Should -BeNullOrEmpty
        @() | Test-FipsNode -Quiet | Should -BeFalse
    }
}

Describe 'Test-FipsNode pipeline input: host names and addresses' {
    It 'takes host:port strings as SSH nodes and reports each unreachable one with its name' {
        $target = "127.0.0.1:$closedPort"
        $report = $target | Test-FipsNode @ssh -ErrorVariable errs -ErrorAction SilentlyContinue
        $report.Transport | Should -Be 'Ssh'
        $report.ComputerName | Should -Be $target
        $report.ErrorId | Should -Be 'NodeUnreachable'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be "NodeUnreachable,$nodeId"
        $errs[0].Exception.Message | Should -Not -Match 'NullReference'
    }

    It 'takes lines from Get-Content as host names, not as the file they came from' {
        Set-Content -Path $file -Value "127.0.0.1:$closedPort"
        $report = Get-Content $file | Test-FipsNode @ssh -ErrorAction SilentlyContinue
        $report.Transport | Should -Be 'Ssh'
        $report.ComputerName | Should -Be "127.0.0.1:$closedPort"
    }

    It 'takes an EC2 instance (AWS.Tools) by its PrivateIpAddress, before its public DNS name' {
        $instance = [pscustomobject]@{ InstanceId = 'i-0abc'; PublicDnsName = 'ec2-203-0-113-7.compute-1.amazonaws.com'; PrivateIpAddress = '127.0.0.1'; PublicIpAddress = '203.0.113.7' }
        $report = $instance | Test-FipsNode @ssh -SshPort $closedPort -ErrorVariable errs -ErrorAction SilentlyContinue
        $report.Transport | Should -Be 'Ssh'
        $report.ComputerName | Should -Be '127.0.0.1'
        $report.ErrorId | Should -Be 'NodeUnreachable'
        $errs[0].FullyQualifiedErrorId | Should -Be "NodeUnreachable,$nodeId"
    }

    It 'takes a cluster node by its Address before its Hostname' {
        $node = [FipsCluster.FipsClusterNode]@{ Cluster = 'c1'; Hostname = 'worker-1.invalid'; Address = '127.0.0.1'; Role = 'Worker' }
        $report = $node | Test-FipsNode @ssh -SshPort $closedPort -ErrorAction SilentlyContinue
        $report.ComputerName | Should -Be '127.0.0.1'
        $report.ErrorId | Should -Be 'NodeUnreachable'
    }

    It 'refuses an object whose address is empty with a clear error and goes on with the next' {
        $stopped = [pscustomobject]@{ InstanceId = 'i-0dead'; PrivateIpAddress = $null; PublicDnsName = 'ec2-x.compute-1.amazonaws.com' }
        $reports = $stopped, "127.0.0.1:$closedPort" | Test-FipsNode @ssh -ErrorVariable errs -ErrorAction SilentlyContinue
        $reports | Should -HaveCount 1
        $reports.ComputerName | Should -Be "127.0.0.1:$closedPort"
        $errs[0].FullyQualifiedErrorId | Should -Be "ParameterArgumentTransformationError,$nodeId"
        $errs[0].Exception.Message | Should -Match 'address is empty'
    }

    It 'never turns <Kind> into a host name' -ForEach @(
        @{ Kind = 'a hashtable'; Value = @{ Name = 'node1' } }
        @{ Kind = 'a custom object'; Value = [pscustomobject]@{ Name = 'node1'; Id = 1 } }
        @{ Kind = 'a number'; Value = 42 }
    ) {
        $reports = $Value | Test-FipsNode @ssh -ErrorVariable errs -ErrorAction SilentlyContinue
        $reports | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be "ParameterArgumentTransformationError,$nodeId"
        $errs[0].Exception.Message | Should -Match 'neither a host name nor an object with an address'
        $errs[0].Exception.Message | Should -Match 'PrivateIpAddress'
    }

    It 'refuses a bad key file once, before any piped node is contacted' {
        Set-Content -Path (Join-Path $TestDrive 'bad_key') -Value 'not a key'
        $reports = "127.0.0.1:$closedPort", '127.0.0.2' | Test-FipsNode -KeyFilePath (Join-Path $TestDrive 'bad_key') -ErrorVariable errs -ErrorAction SilentlyContinue
        $reports | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be "SshKeyFileInvalid,$nodeId"
        "127.0.0.1:$closedPort" | Test-FipsNode -KeyFilePath (Join-Path $TestDrive 'bad_key') -Quiet -ErrorAction SilentlyContinue | Should -BeExactly $false
    }
}

Describe 'Test-FipsNode pipeline input: folders and hosts in one pipeline' {
    BeforeAll {
        # A home whose ~/.ssh holds the default key, as on an admin's machine: no SSH parameter is given.
        $script:savedHome = $env:HOME
        $script:sshHome = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory -Force -Path (Join-Path $sshHome '.ssh') | Out-Null
        Copy-Item $key (Join-Path $sshHome '.ssh/id_ecdsa')
    }
    AfterAll {
        $env:HOME = $savedHome
    }

    It 'judges each record with its own transport' {
        $env:HOME = $sshHome
        try {
            $reports = $rhel, "127.0.0.1:$closedPort" | Test-FipsNode -TimeoutSeconds 5 -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally {
            $env:HOME = $savedHome
        }
        $reports | Should -HaveCount 2
        $root = $reports | Where-Object Transport -eq 'Root'
        $root.ComputerName | Should -Be $rhel.FullName
        ($root.Checks | Where-Object CheckId -eq 'LNX-FIPS-04').Status | Should -Be 'Pass'
        $node = $reports | Where-Object Transport -eq 'Ssh'
        $node.ComputerName | Should -Be "127.0.0.1:$closedPort"
        $node.ErrorId | Should -Be 'NodeUnreachable'
        $errs | Should -HaveCount 1
    }

    It 'says once that no key was found when hosts arrive and ~/.ssh has none, and still judges the folders' {
        $env:HOME = Join-Path $TestDrive 'empty-home'
        New-Item -ItemType Directory -Force -Path $env:HOME | Out-Null
        try {
            $reports = $rhel, '127.0.0.1', $rhel, '127.0.0.2' | Test-FipsNode -ErrorVariable errs -ErrorAction SilentlyContinue
        }
        finally {
            $env:HOME = $savedHome
        }
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be "SshKeyFileInvalid,$nodeId"
        $reports | Should -HaveCount 2
        $reports.Transport | Should -Be @('Root', 'Root')
    }

    It 'refuses folders with an SSH parameter given (those select the SSH parameter sets) and still tests the hosts' {
        $reports = $rhel, "127.0.0.1:$closedPort" | Test-FipsNode @ssh -ErrorVariable errs -ErrorAction SilentlyContinue
        $reports | Should -HaveCount 1
        $reports.Transport | Should -Be 'Ssh'
        $errs.FullyQualifiedErrorId | Should -Contain "InputObjectNotBound,$nodeId"
        $errs.FullyQualifiedErrorId | Should -Contain "NodeUnreachable,$nodeId"
    }
}

Describe 'Test-FipsTlsEndpoint pipeline input' {
    It 'takes host names the way Test-FipsNode does: the same address properties, in the same order' {
        (Get-Command Test-FipsTlsEndpoint).Parameters['ComputerName'].Aliases | Should -Be (Get-Command Test-FipsNode).Parameters['ComputerName'].Aliases
    }

    It 'probes an EC2 instance at its PrivateIpAddress' {
        $instance = [pscustomobject]@{ InstanceId = 'i-0abc'; PublicDnsName = 'ec2-203-0-113-7.compute-1.amazonaws.com'; PrivateIpAddress = '127.0.0.1' }
        $null = $instance | Test-FipsTlsEndpoint -Port $closedPort -TimeoutSeconds 2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'TlsEndpointUnreachable,FipsCluster.Commands.TestFipsTlsEndpointCommand'
        $errs[0].Exception.Message | Should -Match "^127\.0\.0\.1:$closedPort"
    }

    It 'never probes an object without an address as a host name' {
        $null = @{ Name = 'api' } | Test-FipsTlsEndpoint -TimeoutSeconds 2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'ParameterArgumentTransformationError,FipsCluster.Commands.TestFipsTlsEndpointCommand'
        $errs[0].Exception.Message | Should -Not -Match 'Port'
    }
}
