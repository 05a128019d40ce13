using FipsCluster.Core.Compliance.Reports;
using FipsCluster.Core.Tests.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>Drift between two runs: exactly what changed, newly failing first.</summary>
public sealed class ComplianceDriftTests
{
    [Fact]
    public void Two_runs_over_a_real_image_root_with_one_file_changed_report_exactly_that_check()
    {
        // The same image, judged by the real reader and evaluator, before and after /etc/system-fips is removed.
        using var root = FixtureRoot.Copy("rhel8-fips");
        var before = root.Evaluate();
        root.Delete("/etc/system-fips");
        var after = root.Evaluate();

        var change = Assert.Single(ComplianceDrift.Compare(new object[] { before }, new object[] { after }));
        Assert.Equal(("LNX-FIPS-07", ComplianceChangeKind.NewlyFailing), (change.CheckId, change.Kind));
        Assert.Equal(before.StatusOf("LNX-FIPS-07").ToString(), change.ReferenceStatus);
        Assert.Equal(after.StatusOf("LNX-FIPS-07").ToString(), change.DifferenceStatus);
        Assert.Equal("fixture", change.Target);
        Assert.NotEmpty(change.Remediation);

        // And back: resolved. The same run against itself: nothing.
        Assert.Equal(ComplianceChangeKind.Resolved, Assert.Single(ComplianceDrift.Compare(new object[] { after }, new object[] { before })).Kind);
        Assert.Empty(ComplianceDrift.Compare(new object[] { before }, new object[] { before }));
    }

    [Fact]
    public void Newly_failing_first_then_changed_resolved_added_removed()
    {
        var old = ReportFleet.Nodes(3, checks: 4, seed: 1, unreachableEvery: 0).ToList();
        NodeComplianceReport With(NodeComplianceReport report, params (int Index, CheckStatus Status)[] edits) => new()
        {
            ComputerName = report.ComputerName, Profile = report.Profile, Status = ComplianceStatus.NonCompliant, Timestamp = report.Timestamp.AddDays(1),
            Checks = report.Checks.Select((c, i) => edits.Any(e => e.Index == i) ? ReportFleet.Check(c.CheckId, i, report.ComputerName, edits.First(e => e.Index == i).Status) : c).ToList(),
        };
        var first = old[0];
        var passing = first.Checks.Select((c, i) => (c, i)).First(x => x.c.Status is CheckStatus.Pass).i;
        var failing = old[1].Checks.ToList().FindIndex(c => c.Status is CheckStatus.Fail);
        var now = new List<object>
        {
            With(first, (passing, CheckStatus.Fail)),
            failing >= 0 ? With(old[1], (failing, CheckStatus.Pass)) : old[1],
            new NodeComplianceReport { ComputerName = "new-node", Profile = "FIPS-140-3", Status = ComplianceStatus.Error, Errors = new[] { "unreachable" } },
        };
        var changes = ComplianceDrift.Compare(old, now);
        Assert.Equal(ComplianceChangeKind.NewlyFailing, changes[0].Kind);
        Assert.Equal(changes.Select(c => c.Kind).Order().ToList(), changes.Select(c => c.Kind).ToList());
        Assert.Contains(changes, c => c.Target == first.ComputerName && c.CheckId == first.Checks[passing].CheckId && c.Kind is ComplianceChangeKind.NewlyFailing);
        Assert.Contains(changes, c => c.Target == "new-node" && c.CheckId == "" && c.Kind is ComplianceChangeKind.NewlyFailing && c.DifferenceStatus == "Error");
        Assert.Contains(changes, c => c.Target == old[2].ComputerName && c.Kind is ComplianceChangeKind.Removed && c.ReferenceStatus.Length > 0 && c.DifferenceStatus == "");
        if (failing >= 0)
        {
            Assert.Contains(changes, c => c.Target == old[1].ComputerName && c.Kind is ComplianceChangeKind.Resolved);
        }
    }

    [Fact]
    public void A_node_that_became_unreachable_is_one_change_not_one_per_check()
    {
        var before = ReportFleet.Nodes(1, unreachableEvery: 0)[0];
        var after = new NodeComplianceReport
        {
            ComputerName = before.ComputerName, Profile = before.Profile, Status = ComplianceStatus.Error, ErrorId = ErrorIds.NodeUnreachable,
            Errors = new[] { "connection refused" },
        };
        var change = Assert.Single(ComplianceDrift.Compare(new object[] { before }, new object[] { after }));
        Assert.Equal(("", "Error", "connection refused"), (change.CheckId, change.DifferenceStatus, change.Actual));
        Assert.Equal(before.Status is ComplianceStatus.Compliant ? ComplianceChangeKind.NewlyFailing : ComplianceChangeKind.Changed, change.Kind);
    }
}
