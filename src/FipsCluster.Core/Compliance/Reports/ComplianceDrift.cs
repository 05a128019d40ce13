namespace FipsCluster.Core.Compliance.Reports;

/// <summary>
/// Compare-FipsComplianceReport's service: what changed between two runs. Targets are matched by kind, cluster and name,
/// checks by id. A check whose status differs is one change; a target's own verdict is a change only when no check explains
/// it (it could not be examined in one run, or it is in one run only). Newly failing first, then other changes, resolved,
/// added and removed; within each, by severity and name.
/// </summary>
public static class ComplianceDrift
{
    public static IReadOnlyList<ComplianceChange> Compare(IEnumerable<object> reference, IEnumerable<object> difference, CancellationToken cancellation = default)
    {
        var before = Latest(ComplianceReportSet.From(reference, cancellation));
        var after = Latest(ComplianceReportSet.From(difference, cancellation));
        var changes = new List<ComplianceChange>();
        foreach (var key in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            cancellation.ThrowIfCancellationRequested();
            before.TryGetValue(key, out var old);
            after.TryGetValue(key, out var now);
            if (old is null || now is null)
            {
                changes.Add(TargetChange(old, now));
                continue;
            }
            var checkChanges = old.Checks.Count == 0 || now.Checks.Count == 0 ? new List<ComplianceChange>() : CheckChanges(old, now);
            if (checkChanges.Count == 0 && old.Status != now.Status)
            {
                changes.Add(TargetChange(old, now));
            }
            changes.AddRange(checkChanges);
        }
        return changes
            .OrderBy(c => c.Kind)
            .ThenByDescending(c => c.Severity)
            .ThenBy(c => c.Target, StringComparer.Ordinal)
            .ThenBy(c => c.CheckId, StringComparer.Ordinal)
            .ToList();
    }

    private static List<ComplianceChange> CheckChanges(JudgedTarget old, JudgedTarget now)
    {
        var oldChecks = ById(old.Checks);
        var newChecks = ById(now.Checks);
        var changes = new List<ComplianceChange>();
        foreach (var id in oldChecks.Keys.Union(newChecks.Keys, StringComparer.Ordinal))
        {
            oldChecks.TryGetValue(id, out var was);
            newChecks.TryGetValue(id, out var isNow);
            if (was is not null && isNow is not null && was.Status == isNow.Status)
            {
                continue;
            }
            var shown = isNow ?? was!;
            var kind = (was, isNow) switch
            {
                (null, { } n) => ReportText.IsFailing(n.Status) ? ComplianceChangeKind.NewlyFailing : ComplianceChangeKind.Added,
                ({ }, null) => ComplianceChangeKind.Removed,
                var (w, n) => Movement(ReportText.IsFailing(w!.Status), ReportText.IsFailing(n!.Status)),
            };
            changes.Add(new ComplianceChange
            {
                Kind = kind,
                Target = now.Name,
                TargetKind = now.Kind,
                Cluster = now.Cluster,
                CheckId = id,
                Title = shown.Title,
                ReferenceStatus = was?.Status.ToString() ?? "",
                DifferenceStatus = isNow?.Status.ToString() ?? "",
                Severity = shown.Severity,
                Required = shown.Required,
                Actual = shown.Actual,
                Remediation = isNow is not null && ReportText.IsFailing(isNow.Status) ? isNow.Remediation : "",
                ReferenceTimestamp = old.Timestamp,
                DifferenceTimestamp = now.Timestamp,
            });
        }
        return changes;
    }

    private static ComplianceChange TargetChange(JudgedTarget? old, JudgedTarget? now)
    {
        var shown = now ?? old!;
        var failingNow = now is not null && now.Status is not ComplianceStatus.Compliant;
        var kind = (old, now) switch
        {
            (null, _) => failingNow ? ComplianceChangeKind.NewlyFailing : ComplianceChangeKind.Added,
            (_, null) => ComplianceChangeKind.Removed,
            _ => Movement(old.Status is not ComplianceStatus.Compliant, failingNow),
        };
        return new ComplianceChange
        {
            Kind = kind,
            Target = shown.Name,
            TargetKind = shown.Kind,
            Cluster = shown.Cluster,
            Title = now is { Status: ComplianceStatus.Error } ? $"{shown.Kind} could not be examined" : $"{shown.Kind} verdict",
            ReferenceStatus = old?.Status.ToString() ?? "",
            DifferenceStatus = now?.Status.ToString() ?? "",
            Severity = CheckSeverity.High,
            Required = true,
            Actual = now is null ? "not in the newer run" : now.Errors.Count > 0 ? string.Join("; ", now.Errors) : $"{now.FailingChecks} failing check(s)",
            ReferenceTimestamp = old?.Timestamp,
            DifferenceTimestamp = now?.Timestamp,
        };
    }

    private static ComplianceChangeKind Movement(bool wasFailing, bool isFailing) =>
        (wasFailing, isFailing) switch
        {
            (false, true) => ComplianceChangeKind.NewlyFailing,
            (true, false) => ComplianceChangeKind.Resolved,
            _ => ComplianceChangeKind.Changed,
        };

    private static Dictionary<string, CheckResult> ById(IReadOnlyList<CheckResult> checks)
    {
        var byId = new Dictionary<string, CheckResult>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            byId.TryAdd(check.CheckId, check);
        }
        return byId;
    }

    /// <summary>One target per key: when a run holds the same target twice, its latest report counts.</summary>
    private static Dictionary<string, JudgedTarget> Latest(ComplianceReportSet set)
    {
        var latest = new Dictionary<string, JudgedTarget>(StringComparer.Ordinal);
        foreach (var target in set.Targets)
        {
            if (!latest.TryGetValue(target.Key, out var seen) || (target.Timestamp ?? default) >= (seen.Timestamp ?? default))
            {
                latest[target.Key] = target;
            }
        }
        return latest;
    }
}
