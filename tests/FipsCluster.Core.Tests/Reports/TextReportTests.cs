using System.Text.Json;
using AngleSharp.Html.Parser;
using FipsCluster.Core.Compliance.Reports;
using Markdig;
using Xunit;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>Markdown rendered by Markdig (GFM tables), CSV read by an RFC 4180 reader, and no secret in any format.</summary>
public sealed class TextReportTests
{
    private static readonly MarkdownPipeline Gfm = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    [Fact]
    public void Markdown_renders_a_summary_table_and_the_failing_checks()
    {
        var reports = ReportFleet.Nodes(60);
        var set = ComplianceReportSet.From(reports);
        var html = Markdown.ToHtml(ReportTools.Export(ComplianceReportFormat.Markdown, reports), Gfm);
        var document = new HtmlParser().ParseDocument(html);
        var tables = document.QuerySelectorAll("table");
        Assert.True(tables.Length >= 2, html[..Math.Min(2000, html.Length)]);
        var summary = tables[0].QuerySelectorAll("tbody tr").Single();
        var cells = summary.QuerySelectorAll("td").Select(c => c.TextContent).ToList();
        Assert.Equal("FIPS-140-3", cells[0]);
        Assert.Equal(set.Targets.Count(t => t.Status is ComplianceStatus.Compliant).ToString(), cells[2]);
        Assert.Equal(set.Targets.Count(t => t.Status is ComplianceStatus.NonCompliant).ToString(), cells[3]);
        Assert.Equal(set.Targets.Count(t => t.Status is ComplianceStatus.Error).ToString(), cells[4]);
        // Every failing (check, status, actual) is a row, and the rows name exactly the failing checks.
        var failing = set.Targets.SelectMany(t => t.Checks).Where(c => ReportText.IsFailing(c.Status)).Select(c => (c.CheckId, c.Status, c.Actual)).Distinct().ToList();
        var rows = tables[1].QuerySelectorAll("tbody tr");
        Assert.Equal(failing.Count, rows.Length);
        Assert.All(rows, r => Assert.Matches(@"^\S+-\S+ ", r.QuerySelectorAll("td")[0].TextContent));
        Assert.DoesNotContain(rows, r => r.QuerySelectorAll("td")[1].TextContent.Contains("Pass", StringComparison.Ordinal));
        Assert.Contains("Not examined", html);
    }

    [Fact]
    public void Markdown_keeps_report_text_as_text()
    {
        var report = new NodeComplianceReport
        {
            ComputerName = "node|one", Profile = "FIPS-140-3", Status = ComplianceStatus.NonCompliant,
            Checks = new[]
            {
                new CheckResult
                {
                    CheckId = "LNX-FIPS-01", Title = "Kernel *FIPS* flag", Status = CheckStatus.Fail,
                    Actual = "<script>alert(1)</script> [link](javascript:alert(2)) ![img](x) `code` | pipe\nnext line www.example.com",
                    Remediation = "<b>reboot</b>",
                },
            },
        };
        var html = Markdown.ToHtml(ReportTools.Export(ComplianceReportFormat.Markdown, new object[] { report }), Gfm);
        var document = new HtmlParser().ParseDocument(html);
        Assert.True(document.QuerySelectorAll("script, a, img, code, b, em").Length == 0, html);
        var row = document.QuerySelectorAll("table")[1].QuerySelector("tbody tr")!;
        Assert.Equal(5, row.QuerySelectorAll("td").Length);
        Assert.Equal("<script>alert(1)</script> [link](javascript:alert(2)) ![img](x) `code` | pipe next line www.example.com", row.QuerySelectorAll("td")[3].TextContent);
        Assert.Equal("node|one", row.QuerySelectorAll("td")[2].TextContent);
    }

    [Fact]
    public void Csv_has_one_row_per_target_and_check_and_reads_back_field_for_field()
    {
        var reports = ReportFleet.Nodes(12).Cast<object>().Concat(ReportFleet.Artifacts()).ToList();
        var set = ComplianceReportSet.From(reports);
        var rows = ParseCsv(ReportTools.Export(ComplianceReportFormat.Csv, reports));
        Assert.Equal(CsvReportWriter.Columns, rows[0]);
        var data = rows.Skip(1).ToList();
        Assert.Equal(set.Targets.Sum(t => Math.Max(1, t.Checks.Count)), data.Count);
        var column = CsvReportWriter.Columns.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
        foreach (var target in set.Targets)
        {
            foreach (var check in target.Checks)
            {
                var row = Assert.Single(data, r => r[column["Target"]] == target.Name && r[column["CheckId"]] == check.CheckId);
                Assert.Equal(check.Status.ToString(), row[column["Status"]]);
                Assert.Equal(check.Actual, row[column["Actual"]]);
                Assert.Equal(string.Join("\n", check.Evidence.Select(e => $"{e.Source}: {e.Excerpt ?? "(absent)"}")), row[column["Evidence"]]);
                Assert.Equal(target.Kind.ToString(), row[column["TargetKind"]]);
            }
        }
    }

    /// <summary>
    /// A report whose evidence, actual values and names hold secret-shaped text: a swarm join token, a kubeadm bootstrap token,
    /// a PEM private key, AWS keys, a bearer token and a password assignment. No format may carry any of them.
    /// </summary>
    [Theory]
    [InlineData(ComplianceReportFormat.Html)]
    [InlineData(ComplianceReportFormat.JUnit)]
    [InlineData(ComplianceReportFormat.Xccdf)]
    [InlineData(ComplianceReportFormat.Csv)]
    [InlineData(ComplianceReportFormat.Markdown)]
    public void No_format_carries_a_secret_shaped_string(ComplianceReportFormat format)
    {
        const string joinSecret = "4myj5xihyto11dg1cn55w8p61";
        const string kubeadmToken = "abcdef.0123456789abcdef";
        const string keyBody = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVGhpcyBpcyBub3QgYSByZWFsIGtleQ";
        const string awsKeyId = "AKIAIOSFODNN7EXAMPLE";
        const string awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        const string bearer = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.payload.signature";
        const string password = "Tr0ub4dor&3-hunter2";
        var leaky = new CheckEvidence("/etc/kubernetes/admin.conf",
            $"token: SWMTKN-1-1kxftv4ofnc6mt30lmgipg6ngf9luhwqopfk1tz6bdmnkubg0e-{joinSecret}\nkubeadm join 10.0.0.1:6443 --token {kubeadmToken}\n"
            + $"-----BEGIN PRIVATE KEY-----\n{keyBody}\n-----END PRIVATE KEY-----\naws_access_key_id = {awsKeyId}\naws_secret_access_key = {awsSecret}\n"
            + $"Authorization: Bearer {bearer}\npassword={password}");
        var report = new NodeComplianceReport
        {
            ComputerName = $"node-{kubeadmToken}", Profile = "FIPS-140-3", Status = ComplianceStatus.NonCompliant, JudgedBy = "root@host",
            Errors = new[] { $"read {awsKeyId}" },
            Checks = new[]
            {
                new CheckResult
                {
                    CheckId = "NODE-KEY-01", Title = "keys", Status = CheckStatus.Fail, Actual = $"passphrase: {password}", Expected = $"Bearer {bearer}",
                    Remediation = $"rotate SWMTKN-2-1-3ohs2fggkflxn2ub5rozfaxkz1v1cs2ct6wx3iyj4rd2kvyo6v-{joinSecret}", Evidence = new[] { leaky },
                },
            },
        };
        var text = ReportTools.Export(format, new object[] { report, ReportFleet.Artifacts()[0] });
        foreach (var secret in new[] { joinSecret, kubeadmToken, keyBody, keyBody[..40], awsKeyId, awsSecret, bearer, bearer[..20], password })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, System.Net.WebUtility.HtmlDecode(text), StringComparison.Ordinal);
        }
        // What is not secret stays: the evidence's source (Markdown lists no evidence), the token's public digest.
        if (format is not ComplianceReportFormat.Markdown)
        {
            Assert.Contains("/etc/kubernetes/admin.conf", text);
        }
        Assert.Contains("3ohs2fggkflxn2ub5rozfaxkz1v1cs2ct6wx3iyj4rd2kvyo6v", text);
    }

    [Fact]
    public void Reports_read_back_from_JSON_as_PowerShell_writes_it()
    {
        // ConvertTo-Json's shapes: enums as numbers, a TimeSpan as an object with Ticks, dates as ISO text.
        var json = """
            [{"ComputerName":"n1","Transport":2,"Profile":"FIPS-140-3","ProfileHash":"sha256:ab","Status":1,"Compliant":false,
              "Duration":{"Ticks":15000000,"TotalSeconds":1.5},"Timestamp":"2026-03-04T05:06:07+00:00","JudgedBy":"me@there",
              "Checks":[{"CheckId":"LNX-FIPS-01","Title":"Kernel FIPS mode flag","Status":2,"Severity":3,"Required":true,"Actual":"0",
                "Evidence":[{"Source":"/proc/sys/crypto/fips_enabled","Excerpt":"0"}]}],
              "PassedCount":0,"Findings":[{"CheckId":"LNX-FIPS-01"}]},
             {"Path":"/usr/bin/dockerd","CryptoModule":"Standard","Status":"Fail","Reason":"standard crypto","IsGo":true}]
            """;
        var reports = ComplianceReportReader.ReadJson(json, "test");
        var node = Assert.IsType<NodeComplianceReport>(reports[0]);
        Assert.Equal(NodeTransport.Ssh, node.Transport);
        Assert.Equal(ComplianceStatus.NonCompliant, node.Status);
        Assert.Equal(TimeSpan.FromSeconds(1.5), node.Duration);
        Assert.Equal(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero), node.Timestamp);
        var check = Assert.Single(node.Checks);
        Assert.Equal((CheckStatus.Fail, CheckSeverity.High), (check.Status, check.Severity));
        Assert.Equal("0", Assert.Single(check.Evidence).Excerpt);
        var binary = Assert.IsType<GoBinaryReport>(reports[1]);
        Assert.Equal((GoCryptoModule.Standard, CheckStatus.Fail), (binary.CryptoModule, binary.Status));

        // System.Text.Json's own shapes read back too: a report round-trips.
        var fleet = ReportFleet.Nodes(3);
        var again = ComplianceReportReader.ReadJson(JsonSerializer.Serialize(fleet), "test").Cast<NodeComplianceReport>().ToList();
        Assert.Equal(fleet.Select(r => (r.ComputerName, r.Status, r.Checks.Count)), again.Select(r => (r.ComputerName, r.Status, r.Checks.Count)));
        Assert.Empty(ComplianceDrift.Compare(fleet, again));
    }

    [Theory]
    [InlineData("""{"ComputerName":"n1","Transport":0,"Checks":["LNX-FIPS-01 Fail: 0"]}""", "serialized too shallow")]
    [InlineData("""{"Name":"x","Value":1}""", "none of the properties")]
    [InlineData("""{"ComputerName":"","Transport":0}""", "names no target")]
    [InlineData("""not json""", "not JSON")]
    public void What_is_not_a_whole_report_is_refused_with_its_reason(string json, string reason)
    {
        var error = Assert.Throws<FipsClusterException>(() => ComplianceReportReader.ReadJson(json, "input #1"));
        Assert.Equal(ErrorIds.InvalidComplianceReport, error.ErrorId);
        Assert.Contains(reason, error.Message);
    }

    /// <summary>RFC 4180 as a spreadsheet reads it: quoted fields, doubled quotes, line breaks inside quotes.</summary>
    private static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                rows.Add(fields.ToArray());
                fields.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        return rows;
    }
}
