using System.Buffers.Binary;
using System.IO.Compression;
using AngleSharp.Html.Parser;
using FipsCluster.Core.Compliance.Reports;
using Xunit;

namespace FipsCluster.Core.Tests.Reports;

/// <summary>
/// The HTML report of a 300-node fleet in a real browser: Debian's headless Chromium takes a screenshot (decoded here: it is
/// not blank) and dumps the DOM it built, which must hold exactly nodes × checks matrix cells with the right status on a
/// sample of cells.
/// </summary>
public sealed class ChromiumReportTests : IDisposable
{
    private const int Nodes = 300;
    private const int Checks = 25;
    private readonly string _folder = Directory.CreateTempSubdirectory("fc-chromium-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public void Chromium_renders_the_fleet_report_with_every_matrix_cell()
    {
        var chromium = ReportTools.Require("chromium", "chromium");
        var reports = ReportFleet.Nodes(Nodes, Checks);
        var page = Path.Combine(_folder, "fleet.html");
        File.WriteAllText(page, ReportTools.Export(ComplianceReportFormat.Html, reports, title: "300 nodes"));
        var url = new Uri(page).AbsoluteUri;

        var screenshot = Path.Combine(_folder, "fleet.png");
        var shot = ReportTools.Run(chromium, Browser("--window-size=1400,1800", "--screenshot=" + screenshot, url), TimeSpan.FromMinutes(3));
        Assert.True(shot.ExitCode == 0 && File.Exists(screenshot), $"chromium exited {shot.ExitCode}: {shot.Error}");
        var (width, height, colours, nonWhite) = Png.Inspect(File.ReadAllBytes(screenshot));
        Assert.Equal((1400, 1800), (width, height));
        Assert.True(colours >= 50, $"only {colours} distinct colours: the page looks blank");
        Assert.True(nonWhite > width * height / 10, $"only {nonWhite} of {width * height} pixels are not white");

        var dump = ReportTools.Run(chromium, Browser("--dump-dom", url), TimeSpan.FromMinutes(3));
        Assert.True(dump.ExitCode == 0, $"chromium exited {dump.ExitCode}: {dump.Error}");
        var dom = new HtmlParser().ParseDocument(dump.Output);
        var matrix = dom.QuerySelector("table.matrix[data-kind='Node']");
        Assert.NotNull(matrix);
        Assert.Equal(Nodes * Checks, matrix!.QuerySelectorAll("td[data-status]").Length);
        var rows = matrix.QuerySelectorAll("tbody tr").ToDictionary(r => r.GetAttribute("data-target")!);
        Assert.Equal(Nodes, rows.Count);
        foreach (var index in new[] { 0, 1, 36, 73, 150, 222, 299 })
        {
            var report = reports[index];
            var cells = rows[report.ComputerName].QuerySelectorAll("td[data-status]");
            for (var i = 0; i < Checks; i++)
            {
                Assert.Equal(report.Checks.Count == 0 ? "None" : report.Checks[i].Status.ToString(), cells[i].GetAttribute("data-status"));
            }
        }
        Assert.Contains("Nodes \u00d7 checks (300 \u00d7 25)", dom.QuerySelector("#matrix-Node h2")!.TextContent);
    }

    private string[] Browser(params string[] arguments) => new[]
    {
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
        "--user-data-dir=" + Path.Combine(_folder, "profile"),
    }.Concat(arguments).ToArray();

    /// <summary>Just enough of PNG to look at a screenshot: 8-bit RGB or RGBA, non-interlaced, all five row filters.</summary>
    private static class Png
    {
        public static (int Width, int Height, int Colours, long NonWhite) Inspect(byte[] file)
        {
            Assert.True(file.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }), "not a PNG");
            int width = 0, height = 0, channels = 0;
            using var idat = new MemoryStream();
            for (var at = 8; at < file.Length;)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(at));
                var type = System.Text.Encoding.ASCII.GetString(file, at + 4, 4);
                var data = file.AsSpan(at + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal(8, data[8]);
                    channels = data[9] switch { 2 => 3, 6 => 4, var other => throw new Xunit.Sdk.XunitException($"colour type {other}") };
                    Assert.Equal(0, data[12]);
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }
                at += 12 + length;
            }
            idat.Position = 0;
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
            {
                zlib.CopyTo(inflated);
            }
            var raw = inflated.ToArray();
            var stride = width * channels;
            var previous = new byte[stride];
            var current = new byte[stride];
            var colours = new HashSet<int>();
            long nonWhite = 0;
            for (var y = 0; y < height; y++)
            {
                var filter = raw[y * (stride + 1)];
                Array.Copy(raw, y * (stride + 1) + 1, current, 0, stride);
                for (var i = 0; i < stride; i++)
                {
                    int left = i >= channels ? current[i - channels] : 0, up = previous[i], upLeft = i >= channels ? previous[i - channels] : 0;
                    current[i] = (byte)(current[i] + filter switch
                    {
                        0 => 0,
                        1 => left,
                        2 => up,
                        3 => (left + up) / 2,
                        4 => Paeth(left, up, upLeft),
                        _ => throw new Xunit.Sdk.XunitException($"filter {filter}"),
                    });
                }
                for (var x = 0; x < width; x++)
                {
                    var rgb = (current[x * channels] << 16) | (current[x * channels + 1] << 8) | current[x * channels + 2];
                    colours.Add(rgb);
                    nonWhite += rgb == 0xFFFFFF ? 0 : 1;
                }
                (previous, current) = (current, previous);
            }
            return (width, height, colours.Count, nonWhite);
        }

        private static int Paeth(int a, int b, int c)
        {
            var p = a + b - c;
            int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
