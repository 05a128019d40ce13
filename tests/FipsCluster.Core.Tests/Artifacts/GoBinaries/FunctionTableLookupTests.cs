using FipsCluster.Core.Compliance.Artifacts.GoBinaries;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.GoBinaries;

/// <summary>
/// The shortcuts into Go's function table, checked against the long ways on every Go binary of this machine and the
/// fixture's builds: the binary search by name offset finds the function the walk over every function finds (and does
/// find it, so the shortcut is taken); runtime.firstmoduledata leads to the table the search of .data.rel.ro finds; and
/// the one pass over a name table says what one search per name said.
/// </summary>
[Collection(GoToolchainCollection.Name)]
public sealed class FunctionTableLookupTests(GoToolchainFixture go)
{
    private List<string> GoBinaries()
    {
        go.RequireGo();
        return GoBinaryAnalyzer.Expand(go.GoBinaryPlaces(), recurse: false).ToList();
    }

    /// <summary>Each Go binary opened, with its function table as the analyzer finds it (named by a section, else located); closed when the loop moves on.</summary>
    private IEnumerable<(string Path, BinaryFile File, ExecutableImage Image, GoFuncTable? Table)> Opened()
    {
        foreach (var path in GoBinaries())
        {
            using var file = BinaryFile.Open(path, out _);
            if (file is null || ExecutableImage.Identify(file.Window(0, 16)) is not { } kind || ExecutableImage.Read(file, kind) is not { } image)
            {
                continue;
            }
            var table = image.PcLnTab is { } named ? GoFuncTable.Read(file, named, image.BigEndian)
                : image.RelroData is { } relro ? GoFuncTable.Locate(file, relro, image) : null;
            yield return (path, file, image, table);
        }
    }

    [SkippableFact]
    public void The_binary_search_finds_each_sig_function_the_walk_finds()
    {
        var searched = 0;
        foreach (var (path, file, _, found) in Opened())
        {
            if (found is not { } table)
            {
                continue;
            }
            foreach (var (nameOffset, kind) in CryptoScanner.SigNames(file, table.FuncNames, default))
            {
                var walked = new List<int>();
                for (var i = 0; i < table.Count; i++)
                {
                    if (table.NameOffset(file, i) == (uint)nameOffset)
                    {
                        walked.Add(i);
                    }
                }
                var index = table.Search(file, nameOffset);
                Assert.True(index is not null, $"{path}: the search missed {kind} (the walk found it at {string.Join(",", walked)})");
                Assert.Contains(index!.Value, walked);
                searched++;
            }
            // A name no function has is not invented.
            Assert.Null(table.Search(file, (int)table.FuncNames.Length + 1));
        }
        Assert.True(searched >= 10, $"only {searched} sig functions were looked up");
    }

    [SkippableFact]
    public void The_module_data_leads_to_the_table_the_search_of_the_read_only_data_finds()
    {
        var pie = 0;
        foreach (var (path, file, image, _) in Opened())
        {
            if (image.PcLnTab is not null || image.RelroData is not { } relro || image.NoPtrData is not { } moduleData || image.BigEndian)
            {
                continue;
            }
            var viaModuleData = GoFuncTable.FromModuleData(file, moduleData, relro, image);
            var bySearch = GoFuncTable.SearchData(file, relro, image);
            Assert.Equal(bySearch, viaModuleData);
            // Read in small chunks, the words are found across chunk boundaries alike.
            Assert.Equal(viaModuleData, GoFuncTable.FromModuleData(file, moduleData, relro, image, chunkSize: 4104));
            Assert.True(viaModuleData is { Located: true }, $"{path}: no table through runtime.firstmoduledata");
            pie++;
        }
        FipsCluster.Testing.TestEnvironment.Require(pie == 0 ? "no PIE Go binary without a .gopclntab section is installed (docker and dockerd are)" : null, "the module-data lookup cannot be compared");
    }

    /// <summary>What the names say, one search per name (the reader before the single pass).</summary>
    private static (string Sig, int Boring, bool Standard) OneSearchPerName(ReadOnlySpan<byte> table)
    {
        var sig = new List<(int Offset, string Kind)>();
        ReadOnlySpan<byte> package = "crypto/internal/boring/sig."u8;
        for (var at = 0; sig.Count < 64 && table[at..].IndexOf(package) is var i and >= 0;)
        {
            i += at;
            at = i + package.Length;
            var rest = table[at..];
            var end = rest.IndexOfAny((byte)0, (byte)'.');
            var name = System.Text.Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
            if (name is CryptoScanner.BoringCrypto or CryptoScanner.StandardCrypto or CryptoScanner.FipsOnly)
            {
                sig.Add((i, name));
            }
        }
        var boring = 0;
        if (sig.Count == 0 || sig.Exists(n => n.Kind == CryptoScanner.BoringCrypto))
        {
            for (var rest = table; rest.IndexOf("_Cfunc__goboringcrypto_"u8) is var i and >= 0; rest = rest[(i + 23)..])
            {
                boring++;
            }
        }
        var standard = table.IndexOf("\0crypto/"u8) >= 0 || table.IndexOf("golang.org/x/crypto/"u8) >= 0;
        return (string.Join(",", sig.Select(n => $"{n.Offset}:{n.Kind}")), boring, standard);
    }

    private static (string Sig, int Boring, bool Standard) OnePass(BinaryFile file, FileRange table, int chunkSize = BinaryFile.ChunkSize)
    {
        var names = CryptoScanner.ScanNames(file, new[] { table }, default, chunkSize);
        var sig = string.Join(",", names.SigNamesByTable[table.Offset].Select(n => $"{n.Offset}:{n.Kind}"));
        // The sig-only reader (the function table's) finds the same sig names.
        Assert.Equal(sig, string.Join(",", CryptoScanner.SigNames(file, table, default, chunkSize).Select(n => $"{n.Offset}:{n.Kind}")));
        return (sig, names.BoringFunctions, names.StandardPackages);
    }

    [SkippableFact]
    public void One_pass_over_a_name_table_says_what_one_search_per_name_said()
    {
        var tables = 0;
        var boring = 0;
        foreach (var (_, file, image, found) in Opened())
        {
            foreach (var table in image.SymbolStrings.Concat(found?.NameTables ?? Array.Empty<FileRange>()))
            {
                var expected = OneSearchPerName(file.Window(table.Offset, table.Length));
                Assert.Equal(expected, OnePass(file, table));
                // Chunks of an odd size put chunk boundaries everywhere in the names, through every kind of name.
                Assert.Equal(expected, OnePass(file, table, chunkSize: 4093));
                tables++;
                boring += expected.Boring;
            }
        }
        Assert.True(tables >= 20 && boring > 0, $"{tables} tables, {boring} BoringCrypto wrappers compared");
    }

    [Theory]
    [InlineData("crypto/internal/boring/sig.StandardCrypto\0")] // at the very start: no NUL before it
    [InlineData("\0vendor/crypto/internal/boring/sig.BoringCrypto.abi0\0x._Cfunc__goboringcrypto_SHA256\0")] // inside a longer name
    [InlineData("\0x._Cfunc__goboringcrypto_A\0_Cfunc__goboringcrypto__Cfunc__goboringcrypto_B\0")] // back to back
    [InlineData("\0golang.org/x/crypto/ssh.Dial\0cryptocrypto/\0")] // x/crypto, and "crypto" twice in a row
    [InlineData("\0main.cryptoHelper\0crypto\0")] // "crypto" that is none of the names, and at the very end
    [InlineData("\0crypto/internal/boring/sig.FIPSOnly\0crypto/internal/boring/sig.Other\0crypto/sha256.New\0")]
    public void Crafted_tables_read_alike(string text)
    {
        // As it is, and behind other names: there the names of interest lie past what the first chunk holds (twice the
        // context a name needs is carried from chunk to chunk), so chunks of every size cut each name at every place.
        foreach (var table in new[] { text, string.Concat(Enumerable.Repeat("\0main.filler", 40)) + text })
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(table);
            var path = Path.Combine(Path.GetTempPath(), "fc-names-" + Guid.NewGuid().ToString("N"));
            File.WriteAllBytes(path, bytes);
            try
            {
                using var file = BinaryFile.Open(path, out _)!;
                var expected = OneSearchPerName(bytes);
                Assert.Equal(expected, OnePass(file, new FileRange(0, bytes.Length)));
                for (var chunk = 1; chunk <= bytes.Length; chunk++)
                {
                    Assert.Equal(expected, OnePass(file, new FileRange(0, bytes.Length), chunk));
                }
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
