#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# An example FIPS compliance suite for a live Kubernetes cluster: one It per cluster-level check, so the Pester report
# names exactly what drifted (a kubelet, an image, a cipher suite) with the evidence in the failure message.
# The cluster comes from $env:FIPS_KUBECONFIG (and optionally $env:FIPS_KUBE_CONTEXT). With $env:FIPS_NODE_CHECK set to
# DaemonSet (or Ssh), every node's host is judged too and gets an It of its own. Tag: Integration.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../../out/FipsCluster/FipsCluster.psd1') -Force
    $script:checkCases = @()
    $script:nodeCases = @()
    $report = $null
    $problems = @()
    if ($env:FIPS_KUBECONFIG) {
        $parameters = @{ Kubeconfig = $env:FIPS_KUBECONFIG }
        if ($env:FIPS_KUBE_CONTEXT) { $parameters.Context = $env:FIPS_KUBE_CONTEXT }
        if ($env:FIPS_NODE_CHECK) { $parameters.NodeCheck = $env:FIPS_NODE_CHECK }
        $report = Test-FipsCluster @parameters -ErrorAction SilentlyContinue -ErrorVariable problems
        $script:checkCases = @($report.Checks | Where-Object Required | ForEach-Object { @{ CheckId = $_.CheckId; Title = $_.Title; Check = $_ } })
        $script:nodeCases = @($report.Nodes | ForEach-Object { @{ Node = $_.ComputerName; Report = $_ } })
    }
    $script:clusterCase = @{ Kubeconfig = $env:FIPS_KUBECONFIG; Report = $report; Problems = @($problems | ForEach-Object { "$_" }) }
}

Describe 'The Kubernetes cluster' -Tag 'Integration' -ForEach $clusterCase {
    It 'was reached and judged' {
        $Kubeconfig | Should -Not -BeNullOrEmpty -Because 'FIPS_KUBECONFIG names the cluster to check'
        $Report | Should -Not -BeNullOrEmpty -Because ($Problems -join '; ')
    }
}

Describe 'FIPS compliance of the Kubernetes cluster' -Tag 'Integration' {
    It '<CheckId>: <Title>' -ForEach $checkCases {
        $Check.IsSatisfied | Should -BeTrue -Because "$($Check.Actual). Fix: $($Check.Remediation)"
    }
}

Describe 'FIPS mode of every node' -Tag 'Integration' {
    It '<Node>' -ForEach $nodeCases {
        $why = @($Report.Findings | ForEach-Object { "$($_.CheckId): $($_.Actual)" }) + @($Report.Errors)
        $Report.Compliant | Should -BeTrue -Because ($why -join '; ')
    }
}
