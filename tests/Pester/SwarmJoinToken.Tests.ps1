#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Join-token cmdlets without a Docker engine: parse, generate, verify.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:v1 = 'SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-4myj5xihyto11dg1cn55w8p61'

    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=swarm-ca', $key, 'SHA256')
    $script:ca = $request.CreateSelfSigned([datetimeoffset]::UtcNow.AddMinutes(-1), [datetimeoffset]::UtcNow.AddDays(1))
    $script:caPath = Join-Path $TestDrive 'ca.pem'
    [System.IO.File]::WriteAllText($script:caPath, $script:ca.ExportCertificatePem() + "`n")
}

Describe 'ConvertFrom-SwarmJoinToken' {
    It 'reads swarmkit''s published v1 vector' {
        $t = $script:v1 | ConvertFrom-SwarmJoinToken
        $t | Should -BeOfType ([FipsCluster.SwarmJoinToken])
        $t.Version | Should -Be 1
        $t.Fips | Should -BeFalse
        $t.RootCaDigest | Should -Be 'sha256:3f72881f0095fc4e38ad6749af77f610c0b2d0506554c559a64b1b47935ac3ce'
        $t.ToString() | Should -Not -Match '4myj5xihyto11dg1cn55w8p61'
    }

    It 'reads v2-1 as FIPS' {
        ($script:v1 -replace '^SWMTKN-1-', 'SWMTKN-2-1-' | ConvertFrom-SwarmJoinToken).Fips | Should -BeTrue
    }

    It 'rejects a 24-character secret with InvalidSwarmJoinToken' {
        { ConvertFrom-SwarmJoinToken -Token 'SWMTKN-1-3wkodtpeoipd1u1hi0ykdcdwhw16dk73ulqqtn14b3indz68rf-4myj5xihyto11dg1cn55w8p6' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidSwarmJoinToken,FipsCluster.Commands.ConvertFromSwarmJoinTokenCommand'
    }

    It 'keeps going after a bad token in the pipeline' {
        $out = 'garbage', $script:v1 | ConvertFrom-SwarmJoinToken -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -HaveCount 1
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -Match '^InvalidSwarmJoinToken,'
    }
}

Describe 'New-SwarmJoinToken and Test-SwarmJoinToken' {
    It 'generates a FIPS token that verifies against its CA' {
        New-SwarmJoinToken -RootCertificate $script:caPath -Fips |
            Test-SwarmJoinToken -RootCertificate $script:caPath -RequireFips -Quiet | Should -BeTrue
    }

    It 'gives the same digest for the file, the PEM text and the certificate object' {
        $a = New-SwarmJoinToken -RootCertificate $script:caPath
        $b = New-SwarmJoinToken -RootCertificate (Get-Content -Raw $script:caPath)
        $c = New-SwarmJoinToken -RootCertificate $script:ca
        $a.RootCaDigest | Should -Be $b.RootCaDigest
        $a.RootCaDigest | Should -Be $c.RootCaDigest
    }

    It 'fails a v1 token when FIPS is required' {
        $r = New-SwarmJoinToken -RootCertificate $script:caPath | Test-SwarmJoinToken -RequireFips
        $r.Valid | Should -BeFalse
        $r.FipsSatisfied | Should -BeFalse
        $r.DigestMatches | Should -BeTrue
    }

    It 'reports a malformed token as malformed before asking what to check it against' {
        $r = Test-SwarmJoinToken 'SWMTKN-1-abc' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs | Should -HaveCount 0
        $r.Valid | Should -BeFalse
        $r.Reasons | Should -HaveCount 1
        $r.Reasons[0] | Should -Match 'join token has 4 or 5 parts'
        $r.Reasons[0] | Should -Not -Match 'RootCertificate'
        Test-SwarmJoinToken 'SWMTKN-1-abc' -Quiet | Should -BeFalse
    }

    It 'still asks for a root CA when a well-formed token has nothing to be checked against' {
        { Test-SwarmJoinToken $script:v1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'RootCertificateRequired,FipsCluster.Commands.TestSwarmJoinTokenCommand'
    }

    It 'returns plain text only when asked' {
        New-SwarmJoinToken -RootCertificate $script:caPath -AsPlainText | Should -Match '^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$'
        (New-SwarmJoinToken -RootCertificate $script:caPath).Token | Should -BeOfType ([securestring])
    }
}
