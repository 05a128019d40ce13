#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The fault drive: every exported cmdlet driven into its failure modes — dead endpoints (closed loopback ports), missing
# and garbage files, credentials that are refused or missing, TLS that is not trusted — without any service: the
# endpoints that answer are tiny listeners started here. Every error must carry an id from [FipsCluster.ErrorIds] and a
# category other than NotSpecified; every Test-* case, run again with -Quiet, must answer exactly one [bool] $false.
# Which failures are terminating is part of each case (about_FipsCluster, ERRORS). A cmdlet without a case fails the run.
# Plaintext is refused (InsecureTransportRefused) unless -AllowInsecureTransport: "an engine that is down" is a unix socket
# that is not there, and the canned HTTP servers (plain, as HttpListener is on Linux) are accepted explicitly.

BeforeDiscovery {
    # Every case: the cmdlet, what goes wrong, the id expected first, whether that error ends the command (Terminating),
    # and the command itself (a script ending with the cmdlet's call; $f holds the fixtures built in BeforeAll).
    $script:cases = @(
        # Add-FipsClusterNode
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Add-FipsClusterNode -Cluster nosuch -DockerHost $f.DeadDocker -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'a swarm whose manager is down'; Id = 'DockerEngineUnreachable'
           Run = 'Add-FipsClusterNode -Cluster swarm1 -DockerHost $f.LocalEngine -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'a node engine that is down'; Id = 'DockerEngineUnreachable'
           Run = 'Add-FipsClusterNode -Cluster swarm1 -DockerHost $f.DeadSocket -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'a swarm whose manager is on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Add-FipsClusterNode -Cluster swarmtcp -DockerHost $f.LocalEngine -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = "this machine's evidence for an engine reached over tcp"; Id = 'NodeIdentityMismatch'
           Run = 'Add-FipsClusterNode -Cluster swarm1 -DockerHost $f.TlsDocker -DockerTlsVerify -DockerCertPath $f.DockerCertPath -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = "a local engine whose ID is not this machine's"; Id = 'NodeIdentityMismatch'
           Run = 'Add-FipsClusterNode -Cluster swarm1 -DockerHost $f.ForeignEngine -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'a local engine whose ID this machine does not hold'; Id = 'NodeIdentityUnavailable'
           Run = 'Add-FipsClusterNode -Cluster swarm1 -DockerHost $f.UnknownEngine -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'AWS: an http:// EC2 endpoint whose console would vouch for host keys'; Id = 'InsecureTransportRefused'
           Run = 'Add-FipsClusterNode -Cluster aws1 -Count 1 -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -KeyFilePath $f.GarbageKey -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'AWS: the EC2 endpoint refuses connections'; Id = 'EndpointUnreachable'; MaxSeconds = 5
           Run = 'Add-FipsClusterNode -Cluster aws1 -Count 1 -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -KeyFilePath $f.GarbageKey -AllowInsecureTransport -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'AWS: no credentials anywhere'; Id = 'AwsCredentialsUnavailable'; NoAws = $true
           Run = 'Add-FipsClusterNode -Cluster aws1 -Count 1 -KeyFilePath $f.GarbageKey -Confirm:$false' }
        @{ Cmdlet = 'Add-FipsClusterNode'; Case = 'AWS: keys EC2 does not accept'; Id = 'AwsAuthenticationFailed'
           Run = 'Add-FipsClusterNode -Cluster aws1 -Count 1 -EndpointUrl $f.Ec2AuthFailureUrl -Credential $f.AwsCredential -KeyFilePath $f.GarbageKey -AllowInsecureTransport -Confirm:$false' }

        # Compare-FipsComplianceReport
        @{ Cmdlet = 'Compare-FipsComplianceReport'; Case = 'an object that is not a report'; Id = 'InvalidComplianceReport'
           Run = 'Compare-FipsComplianceReport -ReferenceReport $f.Report -DifferenceReport ([datetime]::UnixEpoch)' }
        @{ Cmdlet = 'Compare-FipsComplianceReport'; Case = 'a report cut short by ConvertTo-Json depth'; Id = 'InvalidComplianceReport'
           Run = 'Compare-FipsComplianceReport -ReferenceReport $f.Report -DifferenceReport $f.ShallowReport' }
        @{ Cmdlet = 'Compare-FipsComplianceReport'; Case = 'nothing to compare'; Id = 'ComplianceReportRequired'; Terminating = $true
           Run = 'Compare-FipsComplianceReport -ReferenceReport @() -DifferenceReport @()' }

        # ConvertFrom-SwarmJoinToken
        @{ Cmdlet = 'ConvertFrom-SwarmJoinToken'; Case = 'text that is not a token'; Id = 'InvalidSwarmJoinToken'
           Run = 'ConvertFrom-SwarmJoinToken -Token "SWMTKN-1-not-a-token"' }
        @{ Cmdlet = 'ConvertFrom-SwarmJoinToken'; Case = 'an object that is not a token'; Id = 'InvalidTokenInput'
           Run = 'ConvertFrom-SwarmJoinToken -Token ([datetime]::UnixEpoch)' }

        # ConvertTo-FipsPrivateKey
        @{ Cmdlet = 'ConvertTo-FipsPrivateKey'; Case = 'a key file that does not exist'; Id = 'PrivateKeyFileNotFound'
           Run = 'ConvertTo-FipsPrivateKey -Path $f.Missing -NewPassphrase $f.Passphrase -Confirm:$false' }
        @{ Cmdlet = 'ConvertTo-FipsPrivateKey'; Case = 'the wrong passphrase'; Id = 'PrivateKeyPassphraseIncorrect'
           Run = 'ConvertTo-FipsPrivateKey -Path $f.EncryptedKey -Passphrase $f.WrongPassphrase -Confirm:$false' }
        @{ Cmdlet = 'ConvertTo-FipsPrivateKey'; Case = 'a file that is not a key'; Id = 'PrivateKeyFileInvalid'
           Run = 'ConvertTo-FipsPrivateKey -Path $f.Garbage -NewPassphrase $f.Passphrase -Confirm:$false' }
        @{ Cmdlet = 'ConvertTo-FipsPrivateKey'; Case = 'no passphrase at all (a bad argument)'; Id = 'PrivateKeyPassphraseRequired'; Terminating = $true
           Run = 'ConvertTo-FipsPrivateKey -Path $f.EncryptedKey -Confirm:$false' }
        @{ Cmdlet = 'ConvertTo-FipsPrivateKey'; Case = 'a key with another hard link (it would keep the original)'; Id = 'PrivateKeyHardLinked'
           Run = 'ConvertTo-FipsPrivateKey -Path $f.LinkedKey -Passphrase $f.Passphrase -Iterations 1000 -Confirm:$false' }

        # Export-FipsClusterManifest
        @{ Cmdlet = 'Export-FipsClusterManifest'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Export-FipsClusterManifest -Name nosuch' }
        @{ Cmdlet = 'Export-FipsClusterManifest'; Case = 'a swarm (no spec to render)'; Id = 'InvalidClusterSpec'
           Run = 'Export-FipsClusterManifest -Name swarm1' }
        @{ Cmdlet = 'Export-FipsClusterManifest'; Case = 'a spec whose name is not a DNS-1123 label'; Id = 'InvalidClusterName'
           Run = '[FipsCluster.AwsClusterSpec]@{ Name = "My_Cluster"; Region = "us-east-1"; Ami = "ami-0123456789abcdef0"; KubernetesVersion = "v1.29.6+fips.0"; EtcdVersion = "3.5.10+fips.0" } | Export-FipsClusterManifest' }
        @{ Cmdlet = 'Export-FipsClusterManifest'; Case = 'a folder that does not exist'; Id = 'ManifestWriteFailed'
           Run = 'Export-FipsClusterManifest -Name aws1 -Path (Join-Path $f.Missing capi.yaml)' }
        @{ Cmdlet = 'Export-FipsClusterManifest'; Case = 'a drive that does not exist'; Id = 'PathNotFound'
           Run = 'Export-FipsClusterManifest -Name aws1 -Path nosuchdrive:/capi.yaml' }
        @{ Cmdlet = 'Export-FipsClusterManifest'; Case = 'a wildcard that matches no file'; Id = 'ManifestWriteFailed'
           Run = 'Export-FipsClusterManifest -Name aws1 -Path (Join-Path $f.Missing "*.yaml")' }

        # Export-FipsComplianceReport
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'an object that is not a report (the rest is exported)'; Id = 'InvalidComplianceReport'
           Run = '@([datetime]::UnixEpoch, $f.Report) | Export-FipsComplianceReport -Format Csv' }
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'a report cut short by ConvertTo-Json depth'; Id = 'InvalidComplianceReport'
           Run = '@($f.ShallowReport, $f.Report) | Export-FipsComplianceReport -Format Markdown' }
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'no report at all'; Id = 'ComplianceReportRequired'; Terminating = $true
           Run = '@() | Export-FipsComplianceReport' }
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'a file that exists, without -Force'; Id = 'ComplianceReportExists'; Terminating = $true
           Run = '$f.Report | Export-FipsComplianceReport -Format JUnit -Path $f.Garbage'
           After = '(Get-Content -Raw $f.Garbage) | Should -Match "this is not a certificate"' }
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'a folder that does not exist'; Id = 'ComplianceReportWriteFailed'; Terminating = $true
           Run = '$f.Report | Export-FipsComplianceReport -Path (Join-Path $f.Missing report.html)' }
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'a drive that does not exist'; Id = 'PathNotFound'; Terminating = $true
           Run = '$f.Report | Export-FipsComplianceReport -Path nosuchdrive:/report.html' }
        @{ Cmdlet = 'Export-FipsComplianceReport'; Case = 'a wildcard that matches no file'; Id = 'ComplianceReportWriteFailed'; Terminating = $true
           Run = '$f.Report | Export-FipsComplianceReport -Path (Join-Path $f.Missing "*.html")' }

        # Get-FipsCluster
        @{ Cmdlet = 'Get-FipsCluster'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Get-FipsCluster -Name nosuch' }
        @{ Cmdlet = 'Get-FipsCluster'; Case = 'a record edited on disk'; Id = 'FipsClusterRecordTampered'
           Run = 'Get-FipsCluster -Name tampered' }
        @{ Cmdlet = 'Get-FipsCluster'; Case = "another cluster's record copied over this one"; Id = 'FipsClusterRecordTampered'
           Run = 'Copy-Item -Path (Join-Path $env:FIPSCLUSTER_HOME clusters/aws1/cluster.json) -Destination (Join-Path $env:FIPSCLUSTER_HOME clusters/swarm1/cluster.json) -Force; Get-FipsCluster -Name swarm1' }
        @{ Cmdlet = 'Get-FipsCluster'; Case = 'an older version of the record put back'; Id = 'FipsClusterRecordTampered'
           Run = '$path = Join-Path $env:FIPSCLUSTER_HOME clusters/swarm1/cluster.json; $old = Get-Content -Path $path -Raw; Set-FipsCluster -Name swarm1 -Description newer -Confirm:$false; Set-Content -Path $path -Value $old -NoNewline; Get-FipsCluster -Name swarm1' }

        # Get-FipsClusterDependency: the one failure it can have is a broken installation, shown in a fresh pwsh.
        @{ Cmdlet = 'Get-FipsClusterDependency'; Case = 'a dependency missing from the installed module'; Id = 'DependencyLoadFailed'; Terminating = $true; MaxSeconds = 20
           Run = 'Invoke-BrokenInstall' }

        # Get-FipsClusterNode
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Get-FipsClusterNode -Cluster nosuch' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'a swarm whose manager is down'; Id = 'DockerEngineUnreachable'
           Run = 'Get-FipsClusterNode -Cluster swarm1' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'a swarm whose manager is on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Get-FipsClusterNode -Cluster swarmtcp' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'the same, accepted with -AllowInsecureTransport: the manager is down'; Id = 'DockerEngineUnreachable'
           Run = 'Get-FipsClusterNode -Cluster swarmtcp -AllowInsecureTransport' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'AWS: the EC2 endpoint refuses connections'; Id = 'EndpointUnreachable'; MaxSeconds = 5
           Run = 'Get-FipsClusterNode -Cluster aws1 -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'AWS: no credentials anywhere'; Id = 'AwsCredentialsUnavailable'; NoAws = $true
           Run = 'Get-FipsClusterNode -Cluster aws1' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'AWS: keys EC2 does not accept'; Id = 'AwsAuthenticationFailed'
           Run = 'Get-FipsClusterNode -Cluster aws1 -EndpointUrl $f.Ec2AuthFailureUrl -Credential $f.AwsCredential' }
        @{ Cmdlet = 'Get-FipsClusterNode'; Case = 'AWS: an endpoint whose certificate is not trusted'; Id = 'TlsHandshakeFailed'; MaxSeconds = 5
           Run = 'Get-FipsClusterNode -Cluster aws1 -EndpointUrl $f.TlsUrl -Credential $f.AwsCredential' }

        # Get-FipsComplianceProfile
        @{ Cmdlet = 'Get-FipsComplianceProfile'; Case = 'a profile name that does not exist'; Id = 'ComplianceProfileNotFound'
           Run = 'Get-FipsComplianceProfile -Name FIPS-999' }
        @{ Cmdlet = 'Get-FipsComplianceProfile'; Case = 'a profile file that does not exist'; Id = 'ComplianceProfileNotFound'
           Run = 'Get-FipsComplianceProfile -Path $f.Missing' }
        @{ Cmdlet = 'Get-FipsComplianceProfile'; Case = 'a profile wildcard that matches nothing'; Id = 'ComplianceProfileNotFound'
           Run = 'Get-FipsComplianceProfile -Path (Join-Path $f.Missing "*.yaml")' }
        @{ Cmdlet = 'Get-FipsComplianceProfile'; Case = 'a file that is not a profile'; Id = 'InvalidComplianceProfile'
           Run = 'Get-FipsComplianceProfile -Path $f.GarbageYaml' }

        # Get-SwarmJoinToken
        @{ Cmdlet = 'Get-SwarmJoinToken'; Case = 'an engine on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Get-SwarmJoinToken -DockerHost $f.DeadDocker' }
        @{ Cmdlet = 'Get-SwarmJoinToken'; Case = 'an engine port that is closed (tcp:// accepted without TLS)'; Id = 'DockerEngineUnreachable'
           Run = 'Get-SwarmJoinToken -DockerHost $f.DeadDocker -AllowInsecureTransport' }
        @{ Cmdlet = 'Get-SwarmJoinToken'; Case = 'an engine socket that does not exist'; Id = 'DockerEngineUnreachable'
           Run = 'Get-SwarmJoinToken -DockerHost $f.DeadSocket' }
        @{ Cmdlet = 'Get-SwarmJoinToken'; Case = 'an address that is not a Docker host'; Id = 'InvalidDockerHost'
           Run = 'Get-SwarmJoinToken -DockerHost "ftp://127.0.0.1"' }
        @{ Cmdlet = 'Get-SwarmJoinToken'; Case = 'an engine whose certificate is not trusted'; Id = 'TlsHandshakeFailed'
           Run = 'Get-SwarmJoinToken -DockerHost $f.TlsDocker -DockerTlsVerify -DockerCertPath $f.DockerCertPath' }
        @{ Cmdlet = 'Get-SwarmJoinToken'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Get-SwarmJoinToken -Cluster nosuch' }

        # New-FipsCluster: it creates one cluster, so its failures end the command.
        @{ Cmdlet = 'New-FipsCluster'; Case = 'Swarm: the engine is down'; Id = 'DockerEngineUnreachable'; Terminating = $true
           Run = 'New-FipsCluster -Name s2 -Provider Swarm -Fips:$false -DockerHost $f.DeadSocket -Confirm:$false' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'Swarm: a name that is not a DNS-1123 label, before the engine is asked'; Id = 'InvalidClusterName'; Terminating = $true
           Run = 'New-FipsCluster -Name Prod -Provider Swarm -Fips:$false -DockerHost $f.DeadSocket -Confirm:$false' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: a name that is not a DNS-1123 label, before any credential is looked for'; Id = 'InvalidClusterName'; Terminating = $true; NoAws = $true
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name my_cluster @spec -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'Swarm: an engine on tcp:// without TLS'; Id = 'InsecureTransportRefused'; Terminating = $true
           Run = 'New-FipsCluster -Name s2 -Provider Swarm -Fips:$false -DockerHost $f.DeadDocker -ComputerName 127.0.0.1 -KeyFilePath $f.SshKey -Confirm:$false' }
        @{ Cmdlet = 'New-FipsCluster'; Case = "Swarm: this machine's evidence for an engine reached over tcp"; Id = 'NodeIdentityMismatch'; Terminating = $true
           Run = 'New-FipsCluster -Name s2 -Provider Swarm -Fips:$false -DockerHost $f.TlsDocker -DockerTlsVerify -DockerCertPath $f.DockerCertPath -Confirm:$false' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: an http:// EC2 endpoint whose console would vouch for host keys (no request sent)'; Id = 'InsecureTransportRefused'; Terminating = $true
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name a2 @spec -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -KeyFilePath $f.SshKey -Confirm:$false' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: a bad CIDR is refused before any credential is looked for'; Id = 'InvalidIngressCidr'; Terminating = $true; NoAws = $true
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name a2 @spec -ApiAllowedCidr 10.0.0.0/33 -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: an incomplete spec is refused before any credential is looked for'; Id = 'InvalidClusterSpec'; Terminating = $true; NoAws = $true
           Run = 'New-FipsCluster -Name a2 -Provider AWS -Region us-east-1 -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = '-Provider aws (any casing) is AWS'; Id = 'InvalidClusterSpec'; Terminating = $true; NoAws = $true
           Run = 'New-FipsCluster -Name a2 -Provider aws -Region us-east-1 -DockerHost $f.DeadDocker -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: a name the store already has'; Id = 'FipsClusterExists'; Terminating = $true; NoAws = $true
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name aws1 @spec -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: no credentials anywhere'; Id = 'AwsCredentialsUnavailable'; Terminating = $true; NoAws = $true
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name a2 @spec -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: the EC2 endpoint refuses connections (promptly)'; Id = 'EndpointUnreachable'; Terminating = $true; MaxSeconds = 5
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name a2 @spec -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: keys EC2 does not accept'; Id = 'AwsAuthenticationFailed'; Terminating = $true
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name a2 @spec -EndpointUrl $f.Ec2AuthFailureUrl -Credential $f.AwsCredential -WhatIf' }
        @{ Cmdlet = 'New-FipsCluster'; Case = 'AWS: an endpoint whose certificate is not trusted'; Id = 'TlsHandshakeFailed'; Terminating = $true; MaxSeconds = 5
           Run = '$spec = $f.AwsSpec; New-FipsCluster -Name a2 @spec -EndpointUrl $f.TlsUrl -Credential $f.AwsCredential -WhatIf' }

        # New-SwarmJoinToken
        @{ Cmdlet = 'New-SwarmJoinToken'; Case = 'a root CA file that does not exist'; Id = 'RootCertificateNotFound'
           Run = 'New-SwarmJoinToken -RootCertificate $f.Missing' }
        @{ Cmdlet = 'New-SwarmJoinToken'; Case = 'a file that is not a certificate'; Id = 'InvalidRootCertificate'
           Run = 'New-SwarmJoinToken -RootCertificate $f.Garbage' }

        # Remove-FipsCluster
        @{ Cmdlet = 'Remove-FipsCluster'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Remove-FipsCluster -Name nosuch -Force -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsCluster'; Case = 'AWS: deprovisioning through an endpoint that refuses connections'; Id = 'EndpointUnreachable'; MaxSeconds = 5
           Run = 'Remove-FipsCluster -Name aws1 -Deprovision -Force -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -Confirm:$false'
           # Nothing lost: the record stays while its instances may still run.
           After = '(Get-FipsCluster -Name aws1).Name | Should -Be aws1' }
        @{ Cmdlet = 'Remove-FipsCluster'; Case = 'AWS: deprovisioning without credentials'; Id = 'AwsCredentialsUnavailable'; NoAws = $true
           Run = 'Remove-FipsCluster -Name aws1 -Deprovision -Force -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsCluster'; Case = 'Swarm: deprovisioning an engine on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Remove-FipsCluster -Name swarmtcp -Deprovision -Force -Confirm:$false'
           After = '(Get-FipsCluster -Name swarmtcp).Name | Should -Be swarmtcp' }

        # Remove-FipsClusterNode
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Remove-FipsClusterNode -Cluster nosuch -Node n1 -Force -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'a node the cluster does not have'; Id = 'FipsClusterNodeNotFound'
           Run = 'Remove-FipsClusterNode -Cluster aws1 -Node i-0ffffffffffffffff -Force -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'AWS: terminating through an endpoint that refuses connections'; Id = 'EndpointUnreachable'; MaxSeconds = 5
           Run = 'Remove-FipsClusterNode -Cluster aws1 -Node i-0000000000000000b -Force -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'a swarm whose manager is down'; Id = 'DockerEngineUnreachable'
           Run = 'Remove-FipsClusterNode -Cluster swarm1 -Node manager1 -Force -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'a swarm whose manager is on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Remove-FipsClusterNode -Cluster swarmtcp -Node manager1 -Force -Confirm:$false' }
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'AWS: a kubeconfig on http://, refused before anything is terminated'; Id = 'InsecureTransportRefused'
           Run = 'Remove-FipsClusterNode -Cluster aws1 -Node i-0000000000000000b -Force -Kubeconfig $f.Kubeconfig.Unauthorized -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -Confirm:$false'
           After = '(Get-FipsCluster -Name aws1).Nodes.NodeId | Should -Contain i-0000000000000000b' }
        @{ Cmdlet = 'Remove-FipsClusterNode'; Case = 'AWS: a kubeconfig that cannot be used, refused before anything is terminated'; Id = 'InvalidKubeconfig'
           Run = 'Remove-FipsClusterNode -Cluster aws1 -Node i-0000000000000000b -Force -Kubeconfig $f.Garbage -EndpointUrl $f.DeadUrl -Credential $f.AwsCredential -Confirm:$false' }

        # Set-FipsCluster
        @{ Cmdlet = 'Set-FipsCluster'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Set-FipsCluster -Name nosuch -Description x -Confirm:$false' }
        @{ Cmdlet = 'Set-FipsCluster'; Case = 'a change of FIPS mode'; Id = 'FipsModeImmutable'
           Run = 'Set-FipsCluster -Name swarm1 -Fips -Confirm:$false' }
        @{ Cmdlet = 'Set-FipsCluster'; Case = 'a record edited on disk'; Id = 'FipsClusterRecordTampered'
           Run = 'Set-FipsCluster -Name tampered -Description x -Confirm:$false' }

        # Test-FipsBinary
        @{ Cmdlet = 'Test-FipsBinary'; Case = 'a path that does not exist'; Id = 'BinaryNotFound'
           Run = 'Test-FipsBinary -Path $f.Missing' }
        @{ Cmdlet = 'Test-FipsBinary'; Case = 'a drive that does not exist'; Id = 'PathNotFound'
           Run = 'Test-FipsBinary -Path nosuchdrive:/kubelet' }
        @{ Cmdlet = 'Test-FipsBinary'; Case = 'a wildcard that matches nothing'; Id = 'BinaryNotFound'
           Run = 'Test-FipsBinary -Path (Join-Path $f.Missing "*")' }
        @{ Cmdlet = 'Test-FipsBinary'; Case = 'a literal path that does not exist'; Id = 'BinaryNotFound'
           Run = 'Test-FipsBinary -LiteralPath (Join-Path $f.Missing "kube[let]")' }
        @{ Cmdlet = 'Test-FipsBinary'; Case = 'an item of another provider'; Id = 'BinaryNotFound'
           Run = 'Test-FipsBinary -Path Env:/PATH' }

        # Test-FipsCertificate
        @{ Cmdlet = 'Test-FipsCertificate'; Case = 'a file that does not exist'; Id = 'CertificateFileNotFound'
           Run = 'Test-FipsCertificate -Path $f.Missing' }
        @{ Cmdlet = 'Test-FipsCertificate'; Case = 'a wildcard that matches nothing'; Id = 'CertificateFileNotFound'
           Run = 'Test-FipsCertificate -Path (Join-Path $f.Missing "*.pem")' }
        @{ Cmdlet = 'Test-FipsCertificate'; Case = 'a file that is not a certificate'; Id = 'CertificateFileInvalid'
           Run = 'Test-FipsCertificate -Path $f.Garbage' }

        # Test-FipsCluster
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a cluster that does not exist'; Id = 'FipsClusterNotFound'
           Run = 'Test-FipsCluster -Name nosuch' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a kubeconfig that does not exist'; Id = 'InvalidKubeconfig'
           Run = 'Test-FipsCluster -Kubeconfig $f.Missing' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a file that is not a kubeconfig'; Id = 'InvalidKubeconfig'
           Run = 'Test-FipsCluster -Kubeconfig $f.Garbage' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'an API server that is down'; Id = 'EndpointUnreachable'; MaxSeconds = 5
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.Dead' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a token the API server rejects (401)'; Id = 'KubernetesAuthenticationFailed'
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.Unauthorized -AllowInsecureTransport' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a user the API server forbids (403)'; Id = 'KubernetesPermissionDenied'
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.Forbidden -AllowInsecureTransport' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'an API server on http://'; Id = 'InsecureTransportRefused'
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.Unauthorized' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a kubeconfig with insecure-skip-tls-verify'; Id = 'InsecureTransportRefused'
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.SkipVerify' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'an API server whose certificate is not trusted'; Id = 'TlsHandshakeFailed'
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.Untrusted' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'an AWS cluster without its kubeconfig'; Id = 'KubeconfigRequired'
           Run = 'Test-FipsCluster -Name aws1' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a node-check image by tag, not by digest'; Id = 'NodeCheckImageNotPinned'
           Run = 'Test-FipsCluster -Kubeconfig $f.Kubeconfig.Dead -NodeCheck DaemonSet -NodeCheckImage docker.io/library/busybox:1.36.1' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a swarm whose manager is down'; Id = 'DockerEngineUnreachable'
           Run = 'Test-FipsCluster -Name swarm1' }
        @{ Cmdlet = 'Test-FipsCluster'; Case = 'a swarm whose manager is on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Test-FipsCluster -Name swarmtcp' }

        # Test-FipsNode
        @{ Cmdlet = 'Test-FipsNode'; Case = 'an image root that does not exist'; Id = 'InvalidRootPath'
           Run = 'Test-FipsNode -Root $f.Missing' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'a root wildcard that matches nothing'; Id = 'InvalidRootPath'
           Run = 'Test-FipsNode -Root (Join-Path $f.Missing "img*")' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'a literal root that does not exist'; Id = 'InvalidRootPath'
           Run = 'Test-FipsNode -LiteralPath (Join-Path $f.Missing "img[1]")' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'an image holding more than one node''s facts'; Id = 'NodeOutputTooLarge'
           Run = 'Test-FipsNode -Root $f.HugeImage' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'an SSH port that is closed'; Id = 'NodeUnreachable'; MaxSeconds = 8
           Run = 'Test-FipsNode -ComputerName $f.DeadSsh -UserName fault -KeyFilePath $f.SshKey -KnownHostsPath $f.KnownHosts -TimeoutSeconds 3' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'password login to an SSH port that is closed'; Id = 'NodeUnreachable'; MaxSeconds = 8
           Run = 'Test-FipsNode -ComputerName $f.DeadSsh -SshCredential $f.SshCredential -KnownHostsPath $f.KnownHosts -TimeoutSeconds 3' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'a port that does not speak SSH'; Id = 'SshConnectionFailed'; MaxSeconds = 8
           Run = 'Test-FipsNode -ComputerName $f.NotSsh -UserName fault -KeyFilePath $f.SshKey -KnownHostsPath $f.KnownHosts -TimeoutSeconds 1' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'a key file that is not a key'; Id = 'SshKeyFileInvalid'
           Run = 'Test-FipsNode -ComputerName $f.DeadSsh -UserName fault -KeyFilePath $f.GarbageKey -KnownHostsPath $f.KnownHosts' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'the wrong key passphrase'; Id = 'SshKeyFileInvalid'
           Run = 'Test-FipsNode -ComputerName $f.DeadSsh -UserName fault -KeyFilePath $f.EncryptedKey -KeyPassphrase $f.WrongPassphrase -KnownHostsPath $f.KnownHosts' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'a key file that does not exist'; Id = 'SshKeyFileInvalid'
           Run = 'Test-FipsNode -ComputerName $f.DeadSsh -UserName fault -KeyFilePath $f.Missing -KnownHostsPath $f.KnownHosts' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'an address that is not one'; Id = 'InvalidNodeTarget'
           Run = 'Test-FipsNode -ComputerName "[::1" -UserName fault -KeyFilePath $f.SshKey -KnownHostsPath $f.KnownHosts' }
        @{ Cmdlet = 'Test-FipsNode'; Case = 'an address that carries a known_hosts line'; Id = 'InvalidNodeTarget'
           Run = 'Test-FipsNode -ComputerName $f.InjectedAddress -UserName fault -KeyFilePath $f.SshKey -KnownHostsPath $f.KnownHosts -HostKeyPolicy AcceptNew' }

        # Enable-FipsMode
        @{ Cmdlet = 'Enable-FipsMode'; Case = 'an image root that does not exist'; Id = 'InvalidRootPath'
           Run = 'Enable-FipsMode -Root $f.Missing -Confirm:$false' }
        @{ Cmdlet = 'Enable-FipsMode'; Case = 'a Debian image (no validated modules)'; Id = 'FipsModeUnsupported'
           Run = 'Enable-FipsMode -Root $f.DebianImage -Confirm:$false' }
        @{ Cmdlet = 'Enable-FipsMode'; Case = 'an SSH port that is closed'; Id = 'NodeUnreachable'; MaxSeconds = 8
           Run = 'Enable-FipsMode -ComputerName $f.DeadSsh -UserName fault -KeyFilePath $f.SshKey -KnownHostsPath $f.KnownHosts -TimeoutSeconds 3 -Confirm:$false' }
        @{ Cmdlet = 'Enable-FipsMode'; Case = 'a key file that is not a key'; Id = 'SshKeyFileInvalid'
           Run = 'Enable-FipsMode -ComputerName $f.DeadSsh -UserName fault -KeyFilePath $f.GarbageKey -KnownHostsPath $f.KnownHosts -Confirm:$false' }
        @{ Cmdlet = 'Enable-FipsMode'; Case = 'a password and a key login at once'; Id = 'SshLoginConflict'
           Run = 'Enable-FipsMode -ComputerName $f.DeadSsh -SshCredential $f.SshCredential -KeyFilePath $f.SshKey -KnownHostsPath $f.KnownHosts -Confirm:$false' }

        # Test-FipsPrivateKey
        @{ Cmdlet = 'Test-FipsPrivateKey'; Case = 'a key file that does not exist'; Id = 'PrivateKeyFileNotFound'
           Run = 'Test-FipsPrivateKey -Path $f.Missing' }
        @{ Cmdlet = 'Test-FipsPrivateKey'; Case = 'a literal key path that does not exist'; Id = 'PrivateKeyFileNotFound'
           Run = 'Test-FipsPrivateKey -LiteralPath (Join-Path $f.Missing "k[1].key")' }
        @{ Cmdlet = 'Test-FipsPrivateKey'; Case = 'a file that is not a key'; Id = 'PrivateKeyFileInvalid'
           Run = 'Test-FipsPrivateKey -Path $f.Garbage' }

        # Test-FipsTlsEndpoint
        @{ Cmdlet = 'Test-FipsTlsEndpoint'; Case = 'a port that is closed'; Id = 'TlsEndpointUnreachable'
           Run = 'Test-FipsTlsEndpoint -ComputerName 127.0.0.1 -Port $f.DeadPort -TimeoutSeconds 3' }
        @{ Cmdlet = 'Test-FipsTlsEndpoint'; Case = 'an address that is not one'; Id = 'InvalidNodeTarget'
           Run = 'Test-FipsTlsEndpoint -ComputerName "[::1" -TimeoutSeconds 3' }
        @{ Cmdlet = 'Test-FipsTlsEndpoint'; Case = 'a host name with junk .NET would ignore'; Id = 'InvalidNodeTarget'
           Run = 'Test-FipsTlsEndpoint -ComputerName $f.InjectedAddress -TimeoutSeconds 3' }

        # Test-SwarmJoinToken
        @{ Cmdlet = 'Test-SwarmJoinToken'; Case = 'an object that is not a token'; Id = 'InvalidTokenInput'
           Run = 'Test-SwarmJoinToken -Token ([datetime]::UnixEpoch) -ReferenceToken $f.Token' }
        @{ Cmdlet = 'Test-SwarmJoinToken'; Case = 'nothing to check the token against'; Id = 'RootCertificateRequired'
           Run = 'Test-SwarmJoinToken -Token $f.Token' }
        @{ Cmdlet = 'Test-SwarmJoinToken'; Case = 'a root CA file that does not exist'; Id = 'RootCertificateNotFound'
           Run = 'Test-SwarmJoinToken -Token $f.Token -RootCertificate $f.Missing' }
        @{ Cmdlet = 'Test-SwarmJoinToken'; Case = 'an engine that is down'; Id = 'DockerEngineUnreachable'
           Run = 'Test-SwarmJoinToken -Token $f.Token -DockerHost $f.DeadSocket' }
        @{ Cmdlet = 'Test-SwarmJoinToken'; Case = 'an engine on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Test-SwarmJoinToken -Token $f.Token -DockerHost $f.DeadDocker' }

        # Update-SwarmJoinToken
        @{ Cmdlet = 'Update-SwarmJoinToken'; Case = 'an engine that is down'; Id = 'DockerEngineUnreachable'
           Run = 'Update-SwarmJoinToken -Role Worker -DockerHost $f.DeadDocker -AllowInsecureTransport -Confirm:$false' }
        @{ Cmdlet = 'Update-SwarmJoinToken'; Case = 'an engine on tcp:// without TLS'; Id = 'InsecureTransportRefused'
           Run = 'Update-SwarmJoinToken -Role Worker -DockerHost $f.DeadDocker -Confirm:$false' }
        @{ Cmdlet = 'Update-SwarmJoinToken'; Case = 'an address that is not a Docker host'; Id = 'InvalidDockerHost'
           Run = 'Update-SwarmJoinToken -Role Worker -DockerHost "ftp://127.0.0.1" -Confirm:$false' }
    )
    foreach ($case in $script:cases) {
        $case.Terminating = [bool]$case.Terminating
        $case.NoAws = [bool]$case.NoAws
        if (-not $case.MaxSeconds) { $case.MaxSeconds = 10 }
        if (-not $case.After) { $case.After = $null }
    }
    $script:quietCases = $script:cases | Where-Object { $_.Cmdlet -like 'Test-*' }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:modulePath = Join-Path $PSScriptRoot '../../out/FipsCluster'

    # The ids scripts may match on: the public constants of [FipsCluster.ErrorIds] (Models loads in the default context).
    $script:errorIds = [FipsCluster.ErrorIds].GetFields([Reflection.BindingFlags]'Public,Static') |
        Where-Object { $_.IsLiteral } | ForEach-Object { $_.GetValue($null) }

    function Get-ClosedPort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $port
    }

    # A listener on loopback that answers every request with one canned HTTP response, from a background runspace.
    function Start-CannedHttp([int] $Status, [string] $ContentType, [string] $Body) {
        $port = Get-ClosedPort
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/")
        $listener.Start()
        $runner = [powershell]::Create()
        $null = $runner.AddScript({
            param($listener, $status, $type, $body)
            $bytes = [Text.Encoding]::UTF8.GetBytes($body)
            while ($listener.IsListening) {
                try { $context = $listener.GetContext() } catch { break }
                try {
                    $context.Request.InputStream.CopyTo([IO.Stream]::Null)
                    $context.Response.StatusCode = $status
                    $context.Response.ContentType = $type
                    $context.Response.ContentLength64 = $bytes.Length
                    $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                    $context.Response.Close()
                } catch { }
            }
        }).AddArgument($listener).AddArgument($Status).AddArgument($ContentType).AddArgument($Body)
        $null = $runner.BeginInvoke()
        $script:servers.Add(@{ Stop = { $listener.Stop() }.GetNewClosure(); Runner = $runner })
        $port
    }

    # A TLS server on loopback with a self-signed certificate nobody trusts: every client handshake fails.
    function Start-UntrustedTls {
        $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $key, 'SHA256')
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $runner = [powershell]::Create()
        $null = $runner.AddScript({
            param($listener, $certificate)
            while ($true) {
                try { $client = $listener.AcceptTcpClient() } catch { break }
                try {
                    $ssl = [System.Net.Security.SslStream]::new($client.GetStream(), $false)
                    $ssl.AuthenticateAsServer($certificate)
                    $ssl.Dispose()
                } catch { } finally { $client.Dispose() }
            }
        }).AddArgument($listener).AddArgument($certificate)
        $null = $runner.BeginInvoke()
        $script:servers.Add(@{ Stop = { $listener.Stop() }.GetNewClosure(); Runner = $runner })
        $listener.LocalEndpoint.Port
    }

    # A Docker engine on a unix socket that says who it is (GET /version, GET /info) and nothing else: its ID, and the
    # data root where its host would keep that ID (engine-id, as moby 23 and later do).
    function Start-FakeDockerEngine([string] $Id, [string] $DataRoot) {
        $socket = Join-Path $TestDrive "engine-$([guid]::NewGuid().ToString('N').Substring(0, 8)).sock"
        $listener = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::Unix, [System.Net.Sockets.SocketType]::Stream, [System.Net.Sockets.ProtocolType]::Unspecified)
        $listener.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($socket))
        $listener.Listen(16)
        $info = @{ ID = $Id; Name = 'fault-drive'; DockerRootDir = $DataRoot; OperatingSystem = 'Fault Drive Linux' } | ConvertTo-Json -Compress
        $version = @{ Version = '25.0.3'; GoVersion = 'go1.21.6'; ApiVersion = '1.44' } | ConvertTo-Json -Compress
        $runner = [powershell]::Create()
        $null = $runner.AddScript({
            param($listener, $info, $version)
            while ($true) {
                try { $client = $listener.Accept() } catch { break }
                try {
                    $stream = [System.Net.Sockets.NetworkStream]::new($client, $true)
                    $reader = [IO.StreamReader]::new($stream, [Text.Encoding]::ASCII)
                    $requestLine = $reader.ReadLine()
                    while ($reader.ReadLine()) { }
                    $body = if ($requestLine -match '/version ') { $version } elseif ($requestLine -match '/info ') { $info } else { '{"message":"not here"}' }
                    $status = if ($body -eq '{"message":"not here"}') { '404 Not Found' } else { '200 OK' }
                    $bytes = [Text.Encoding]::UTF8.GetBytes($body)
                    $head = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 $status`r`nContent-Type: application/json`r`nContent-Length: $($bytes.Length)`r`nConnection: close`r`n`r`n")
                    $stream.Write($head, 0, $head.Length)
                    $stream.Write($bytes, 0, $bytes.Length)
                    $stream.Flush()
                } catch { } finally { $client.Dispose() }
            }
        }).AddArgument($listener).AddArgument($info).AddArgument($version)
        $null = $runner.BeginInvoke()
        $script:servers.Add(@{ Stop = { $listener.Dispose() }.GetNewClosure(); Runner = $runner })
        "unix://$socket"
    }

    function New-Kubeconfig([string] $Name, [string] $Server, [string] $Token, [switch] $SkipTlsVerify) {
        $path = Join-Path $TestDrive "$Name.kubeconfig"
        $cluster = @{ server = $Server }
        if ($SkipTlsVerify) { $cluster['insecure-skip-tls-verify'] = $true }
        # JSON is YAML: the kubeconfig comes from a serializer, as every generated document must.
        [ordered]@{
            apiVersion = 'v1'; kind = 'Config'; 'current-context' = $Name
            clusters = @(@{ name = $Name; cluster = $cluster })
            contexts = @(@{ name = $Name; context = @{ cluster = $Name; user = $Name } })
            users = @(@{ name = $Name; user = @{ token = $Token } })
        } | ConvertTo-Json -Depth 6 | Set-Content -Path $path
        $path
    }

    $script:servers = [System.Collections.Generic.List[object]]::new()
    $script:secrets = @('Sk-FaultDrive-7d1e-never-shown', 'Kt-FaultDrive-0b9c-never-shown', 'Pw-FaultDrive-51aa-never-shown', 'Kp-FaultDrive-3c2f-right', 'Kp-FaultDrive-e4d0-wrong')
    $dead = Get-ClosedPort
    $statusBody = @{ kind = 'Status'; apiVersion = 'v1'; status = 'Failure' }
    $k401 = Start-CannedHttp -Status 401 -ContentType 'application/json' -Body (($statusBody + @{ message = 'Unauthorized'; reason = 'Unauthorized'; code = 401 }) | ConvertTo-Json)
    $k403 = Start-CannedHttp -Status 403 -ContentType 'application/json' -Body (($statusBody + @{ message = 'forbidden: User "fault" cannot get path "/version"'; reason = 'Forbidden'; code = 403 }) | ConvertTo-Json)
    $ec2AuthFailure = Start-CannedHttp -Status 401 -ContentType 'text/xml' -Body '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>fault-drive</RequestID></Response>'
    $tls = Start-UntrustedTls

    # Files: missing, garbage, an encrypted key, an SSH key, client certificates of a CA the TLS server does not use.
    $garbage = Join-Path $TestDrive 'garbage.bin'
    Set-Content -Path $garbage -Value 'this is not a certificate, a key, a kubeconfig or a token'
    $garbageYaml = Join-Path $TestDrive 'garbage.yaml'
    Set-Content -Path $garbageYaml -Value "checks: [unclosed`n  - : :"
    $garbageKey = Join-Path $TestDrive 'garbage_key'
    Set-Content -Path $garbageKey -Value "-----BEGIN OPENSSH PRIVATE KEY-----`nbm90IGEga2V5`n-----END OPENSSH PRIVATE KEY-----"
    $ecKey = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $encryptedKey = Join-Path $TestDrive 'encrypted_key.pem'
    $pbe = [System.Security.Cryptography.PbeParameters]::new('Aes256Cbc', 'SHA256', 100000)
    Set-Content -Path $encryptedKey -Value $ecKey.ExportEncryptedPkcs8PrivateKeyPem($script:secrets[3], $pbe)
    $sshKey = Join-Path $TestDrive 'id_ecdsa'
    Set-Content -Path $sshKey -Value $ecKey.ExportECPrivateKeyPem()
    $knownHosts = Join-Path $TestDrive 'known_hosts'
    Set-Content -Path $knownHosts -Value ''
    $clientKey = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $clientCertificate = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=another CA', $clientKey, 'SHA256').CreateSelfSigned(
        [DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
    $dockerCertPath = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'docker-certs')
    Set-Content -Path (Join-Path $dockerCertPath 'ca.pem') -Value $clientCertificate.ExportCertificatePem()
    Set-Content -Path (Join-Path $dockerCertPath 'cert.pem') -Value $clientCertificate.ExportCertificatePem()
    Set-Content -Path (Join-Path $dockerCertPath 'key.pem') -Value $clientKey.ExportPkcs8PrivateKeyPem()

    # An image with more configuration than one node's facts may hold (16 MiB): 70 dracut files of 256 KiB.
    $hugeImage = Join-Path $TestDrive 'huge-image'
    $dracut = New-Item -ItemType Directory -Path (Join-Path $hugeImage 'etc/dracut.conf.d')
    $chunk = [byte[]]::new(256KB)
    [Array]::Fill($chunk, [byte][char]'#')
    foreach ($i in 1..70) { [IO.File]::WriteAllBytes((Join-Path $dracut "$i.conf"), $chunk) }

    function Secure([string] $Text) { ConvertTo-SecureString -String $Text -AsPlainText -Force }

    # A key with a second name (hard link): converting one name would leave the original under the other.
    $linkedKey = Join-Path $TestDrive 'linked_key.pem'
    Set-Content -Path $linkedKey -Value $ecKey.ExportEncryptedPkcs8PrivateKeyPem($script:secrets[3], $pbe)
    $null = New-Item -ItemType HardLink -Path (Join-Path $TestDrive 'linked_key_other_name.pem') -Target $linkedKey

    # Engines on local sockets: one whose ID this machine's data root holds (engine-id), one whose data root holds
    # another ID, one whose data root holds none.
    $localRoot = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'engine-root-local')
    Set-Content -Path (Join-Path $localRoot 'engine-id') -Value 'f00dfa17-0000-4000-8000-000000000001' -NoNewline
    $foreignRoot = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'engine-root-foreign')
    Set-Content -Path (Join-Path $foreignRoot 'engine-id') -Value 'f00dfa17-0000-4000-8000-0000000000ff' -NoNewline
    $emptyRoot = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'engine-root-empty')
    $localEngine = Start-FakeDockerEngine -Id 'f00dfa17-0000-4000-8000-000000000001' -DataRoot $localRoot.FullName
    $foreignEngine = Start-FakeDockerEngine -Id 'f00dfa17-0000-4000-8000-000000000002' -DataRoot $foreignRoot.FullName
    $unknownEngine = Start-FakeDockerEngine -Id 'f00dfa17-0000-4000-8000-000000000003' -DataRoot $emptyRoot.FullName

    $script:f = @{
        DeadPort = $dead
        DeadDocker = "tcp://127.0.0.1:$dead"
        DeadSocket = 'unix://' + (Join-Path $TestDrive 'no-docker.sock')
        LocalEngine = $localEngine
        ForeignEngine = $foreignEngine
        UnknownEngine = $unknownEngine
        LinkedKey = $linkedKey
        TlsDocker = "tcp://127.0.0.1:$tls"
        DockerCertPath = $dockerCertPath.FullName
        DeadUrl = "http://127.0.0.1:$dead"
        TlsUrl = "https://127.0.0.1:$tls"
        Ec2AuthFailureUrl = "http://127.0.0.1:$ec2AuthFailure"
        DeadSsh = "127.0.0.1:$dead"
        NotSsh = "127.0.0.1:$tls"
        Missing = Join-Path $TestDrive 'no-such-file'
        HugeImage = $hugeImage
        DebianImage = (Copy-Item -Recurse -PassThru (Join-Path $PSScriptRoot '../FipsCluster.Core.Tests/Fixtures/Roots/debian12') (Join-Path $TestDrive 'debian12-image') | Select-Object -First 1).FullName
        Garbage = $garbage
        GarbageYaml = $garbageYaml
        GarbageKey = $garbageKey
        EncryptedKey = $encryptedKey
        SshKey = $sshKey
        KnownHosts = $knownHosts
        Passphrase = Secure $script:secrets[3]
        WrongPassphrase = Secure $script:secrets[4]
        AwsCredential = [pscredential]::new('AKIAFAULTDRIVE0TEST', (Secure $script:secrets[0]))
        SshCredential = [pscredential]::new('fault', (Secure $script:secrets[2]))
        Token = 'SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61'
        AwsSpec = @{
            Provider = 'AWS'; Region = 'us-east-1'; Ami = 'ami-0123456789abcdef0'; KubernetesVersion = 'v1.29.6+fips.0'
            KubernetesImageRepository = 'docker.io/mesosphere'; EtcdVersion = '3.5.10+fips.0'; EtcdImageRepository = 'docker.io/mesosphere'
        }
        Kubeconfig = @{
            Dead = New-Kubeconfig -Name dead -Server "https://127.0.0.1:$dead" -Token $script:secrets[1]
            Unauthorized = New-Kubeconfig -Name unauthorized -Server "http://127.0.0.1:$k401" -Token $script:secrets[1]
            Forbidden = New-Kubeconfig -Name forbidden -Server "http://127.0.0.1:$k403" -Token $script:secrets[1]
            Untrusted = New-Kubeconfig -Name untrusted -Server "https://127.0.0.1:$tls" -Token $script:secrets[1]
            SkipVerify = New-Kubeconfig -Name skipverify -Server "https://127.0.0.1:$tls" -Token $script:secrets[1] -SkipTlsVerify
        }
        # What a hostile kubelet or input puts where an address belongs: .NET reads it as ::1, known_hosts would gain a line.
        InjectedAddress = "::1%lo`n* ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA3DSXE2lVfV+SwIUMirISeqpNS0QYjQ8E4lgEqyZjtw"
    }
    $script:secrets += $script:f.Token.Substring($script:f.Token.Length - 25)
    # A report as Test-FipsNode writes one (no service needed), and the same cut short by ConvertTo-Json's depth.
    $script:f.Report = [FipsCluster.NodeComplianceReport]@{
        ComputerName = 'fault-node'; Profile = 'FIPS-140-3'; Status = 'NonCompliant'
        Checks = [FipsCluster.CheckResult[]]@([FipsCluster.CheckResult]@{ CheckId = 'LNX-FIPS-01'; Title = 'Kernel FIPS mode flag'; Status = 'Fail'; Actual = '0' })
    }
    $script:f.ShallowReport = $script:f.Report | ConvertTo-Json -Depth 1 -WarningAction SilentlyContinue | ConvertFrom-Json

    # The cluster store: a temporary one, seeded before every case with records as the module writes them
    # ({"mac": HMAC-SHA256(store.key, record), "record": …}, the provider as text) — a Swarm whose manager is a closed
    # port, an AWS cluster, and a record edited after it was written.
    $script:savedHome = $env:FIPSCLUSTER_HOME
    $env:FIPSCLUSTER_HOME = Join-Path $TestDrive 'store'
    function Reset-Store {
        $storeHome = $env:FIPSCLUSTER_HOME
        Remove-Item -Path $storeHome -Recurse -Force -ErrorAction SilentlyContinue
        $null = New-Item -ItemType Directory -Path (Join-Path $storeHome 'clusters')
        $key = [byte[]]::new(32)
        [System.Security.Cryptography.RandomNumberGenerator]::Fill($key)
        [IO.File]::WriteAllBytes((Join-Path $storeHome 'store.key'), $key)
        $created = '2026-01-01T00:00:00+00:00'
        $records = @(
            [ordered]@{
                name = 'swarm1'; provider = 'Swarm'; fips = $false; complianceProfile = 'FIPS-140-3'; endpoints = @($script:f.DeadSocket)
                nodes = @([ordered]@{ name = 'manager1'; nodeId = 'n0000000000000000000000001'; role = 'Manager'; endpoint = $script:f.DeadSocket; compliant = $true })
                createdAt = $created; updatedAt = $created; version = 1
            }
            [ordered]@{
                name = 'swarmtcp'; provider = 'Swarm'; fips = $false; complianceProfile = 'FIPS-140-3'; endpoints = @($script:f.DeadDocker)
                nodes = @([ordered]@{ name = 'manager1'; nodeId = 'n0000000000000000000000002'; role = 'Manager'; endpoint = $script:f.DeadDocker; compliant = $true })
                createdAt = $created; updatedAt = $created; version = 1
            }
            [ordered]@{
                name = 'aws1'; provider = 'AWS'; fips = $true; complianceProfile = 'FIPS-140-3'; endpoints = @('ec2:us-east-1')
                awsSpec = [ordered]@{
                    name = 'aws1'; region = 'us-east-1'; ami = 'ami-0123456789abcdef0'; kubernetesVersion = 'v1.29.6+fips.0'; sshPort = 22
                    kubernetesImageRepository = 'docker.io/mesosphere'; etcdVersion = '3.5.10+fips.0'; etcdImageRepository = 'docker.io/mesosphere'
                }
                resources = @('sg-00000000000000001', 'i-0000000000000000a', 'i-0000000000000000b')
                nodes = @(
                    [ordered]@{ name = 'cp1'; nodeId = 'i-0000000000000000a'; role = 'ControlPlane'; endpoint = '10.0.0.10'; compliant = $true; joinState = 'Initialized' }
                    [ordered]@{ name = 'w1'; nodeId = 'i-0000000000000000b'; role = 'Worker'; endpoint = '10.0.0.11'; compliant = $true; joinState = 'Joined' }
                )
                createdAt = $created; updatedAt = $created; version = 1
            }
            [ordered]@{ name = 'tampered'; provider = 'Swarm'; fips = $true; complianceProfile = 'FIPS-140-3'; endpoints = @($script:f.DeadDocker); createdAt = $created; updatedAt = $created; version = 1 }
        )
        foreach ($record in $records) {
            $raw = $record | ConvertTo-Json -Depth 8 -Compress
            $mac = [Convert]::ToBase64String([System.Security.Cryptography.HMACSHA256]::HashData($key, [Text.Encoding]::UTF8.GetBytes($raw)))
            if ($record.name -eq 'tampered') {
                $record.fips = $false # edited after the MAC was computed
            }
            $dir = New-Item -ItemType Directory -Path (Join-Path $storeHome "clusters/$($record.name)")
            [ordered]@{ mac = $mac; record = $record } | ConvertTo-Json -Depth 9 -Compress | Set-Content -Path (Join-Path $dir 'cluster.json') -NoNewline
        }
    }

    # No AWS credentials anywhere (the variables, the shared files, the instance metadata service); Restore-Aws undoes it.
    function Clear-Aws {
        $saved = @(Get-ChildItem Env: | Where-Object Name -like 'AWS_*')
        $saved | ForEach-Object { Remove-Item -Path "Env:$($_.Name)" }
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-aws-credentials'
        $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-aws-config'
        $env:AWS_EC2_METADATA_DISABLED = 'true'
        , $saved
    }

    function Restore-Aws($Saved) {
        Get-ChildItem Env: | Where-Object Name -like 'AWS_*' | ForEach-Object { Remove-Item -Path "Env:$($_.Name)" }
        $Saved | ForEach-Object { Set-Item -Path "Env:$($_.Name)" -Value $_.Value }
    }

    # Get-FipsClusterDependency's failure: the module installed without one of its private assemblies, in a fresh pwsh.
    function Invoke-BrokenInstall {
        $broken = Join-Path $TestDrive 'broken/FipsCluster'
        if (-not (Test-Path $broken)) {
            $null = New-Item -ItemType Directory -Path (Split-Path $broken)
            Copy-Item -Path $script:modulePath -Destination $broken -Recurse
            Remove-Item -Path (Join-Path $broken 'dependencies/YamlDotNet.dll')
        }
        # pwsh runs as its own executable or as a dotnet tool (dotnet pwsh.dll): start it the same way.
        $exe = [Environment]::ProcessPath
        [string[]] $prefix = if ([IO.Path]::GetFileNameWithoutExtension($exe) -ne 'pwsh') { Join-Path $PSHOME 'pwsh.dll' }
        $child = "Import-Module '$broken/FipsCluster.psd1'; try { Get-FipsClusterDependency -ErrorAction Stop | Out-Null; 'no error' } " +
            "catch { `$_.FullyQualifiedErrorId; [string]`$_.CategoryInfo.Category; `$_.Exception.Message }"
        $lines = @(& $exe @prefix -NoProfile -NonInteractive -Command $child)
        if ($lines.Count -lt 3) {
            return $lines # no error: the case fails on that
        }
        # Rebuild what the child saw as an error record, so the case is judged like every other.
        $exception = [Exception]::new($lines[2])
        $record = [System.Management.Automation.ErrorRecord]::new($exception, $lines[0], [System.Management.Automation.ErrorCategory]$lines[1], $null)
        throw $record
    }

    # Runs one case: its output, its errors (in order), and the terminating error if there was one.
    function Invoke-Fault([string] $Run, [switch] $Quiet, [switch] $NoAws) {
        $collected = [System.Collections.Generic.List[object]]::new()
        $terminating = $null
        $command = if ($Run -eq 'Invoke-BrokenInstall') { $Run } else { "$Run$(if ($Quiet) { ' -Quiet' }) -ErrorAction Continue" }
        $saved = if ($NoAws) { Clear-Aws }
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try {
            # Streamed, so what came before a terminating error is kept; 2>&1 puts the errors in order among the output.
            . ([scriptblock]::Create($command)) 2>&1 | ForEach-Object { $collected.Add($_) }
        }
        catch {
            $terminating = $_
        }
        finally {
            $seconds = $clock.Elapsed.TotalSeconds
            if ($NoAws) { Restore-Aws $saved }
        }
        [pscustomobject]@{
            Output = @($collected | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] })
            Errors = @($collected | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) + @($terminating | Where-Object { $_ })
            Terminating = $terminating
            Seconds = $seconds
        }
    }
}

AfterAll {
    foreach ($server in $script:servers) {
        & $server.Stop
        $server.Runner.Dispose()
    }
    $env:FIPSCLUSTER_HOME = $script:savedHome
    Remove-Module FipsCluster -ErrorAction SilentlyContinue
}

Describe 'Every failure of every cmdlet has an id from ErrorIds' {
    BeforeEach {
        Reset-Store
    }

    It '<Cmdlet>: <Case> -> <Id>' -ForEach $cases {
        $result = Invoke-Fault -Run $Run -NoAws:$NoAws
        $result.Errors | Should -Not -BeNullOrEmpty -Because 'the case must fail'
        foreach ($record in $result.Errors) {
            $script:errorIds | Should -Contain $record.FullyQualifiedErrorId.Split(',')[0] -Because "'$($record.FullyQualifiedErrorId)' must start with an id from ErrorIds ($($record.Exception.Message))"
            $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified' -Because $record.FullyQualifiedErrorId
            $text = "$record $($record.Exception) $($record.ErrorDetails) $($record.TargetObject)"
            foreach ($secret in $script:secrets) {
                $text | Should -Not -Match ([regex]::Escape($secret)) -Because 'no error may carry a secret'
            }
        }
        $result.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be $Id -Because $result.Errors[0].Exception.Message
        [bool]$result.Terminating | Should -Be $Terminating -Because 'terminating or not is part of the contract'
        $result.Seconds | Should -BeLessThan $MaxSeconds
        if ($After) { & ([scriptblock]::Create($After)) }
    }

    It '<Cmdlet> -Quiet: <Case> -> one [bool] $false' -ForEach $quietCases {
        $result = Invoke-Fault -Run $Run -Quiet -NoAws:$NoAws
        $result.Terminating | Should -BeNullOrEmpty -Because 'a Test-* cmdlet answers -Quiet even when it cannot judge'
        $result.Output | Should -HaveCount 1
        $result.Output[0] | Should -BeOfType ([bool])
        $result.Output[0] | Should -BeFalse
        $result.Errors[0].FullyQualifiedErrorId.Split(',')[0] | Should -Be $Id
    }

    It 'covers every exported cmdlet' -ForEach @(@{ Covered = $cases.Cmdlet }) {
        $exported = (Get-Command -Module FipsCluster).Name
        $exported | Should -Not -BeNullOrEmpty
        $exported | Where-Object { $_ -notin $Covered } | Should -BeNullOrEmpty -Because 'every exported cmdlet needs a fault case here'
    }
}

Describe 'The provider of a cluster' {
    It 'binds from any casing' {
        $command = Get-Command New-FipsCluster
        $command.Parameters['Provider'].ParameterType | Should -Be ([FipsCluster.FipsClusterProvider])
        [FipsCluster.FipsClusterProvider]'aws' | Should -Be ([FipsCluster.FipsClusterProvider]::AWS)
        [FipsCluster.FipsClusterProvider]'SWARM' | Should -Be ([FipsCluster.FipsClusterProvider]::Swarm)
    }

    It 'completes its names' {
        $completion = TabExpansion2 -inputScript 'New-FipsCluster -Provider ' -cursorColumn 'New-FipsCluster -Provider '.Length
        $completion.CompletionMatches.CompletionText | Sort-Object | Should -Be @('AWS', 'Swarm')
    }

    It 'reads records written with the provider as text' {
        Reset-Store
        (Get-FipsCluster -Name aws1).Provider | Should -Be ([FipsCluster.FipsClusterProvider]::AWS)
        (Get-FipsCluster -Name swarm1).Provider | Should -Be 'Swarm'
    }
}
