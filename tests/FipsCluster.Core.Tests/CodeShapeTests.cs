using System.Reflection;
using System.Runtime.CompilerServices;
using FipsCluster.Core.Compliance;
using Xunit;

namespace FipsCluster.Core.Tests;

/// <summary>
/// The shape issue 16 asks of the code: Core's entry points take an options record rather than long argument lists,
/// and no source file grows past one screenful of jobs. Each rule has an explicit list of today's known offenders
/// that other work removes; a listed entry that no longer offends fails too, so the lists can only shrink.
/// </summary>
public sealed class CodeShapeTests
{
    private const int MaxParameters = 5;
    private const int MaxLines = 450;

    /// <summary>Public Core methods and constructors with more than <see cref="MaxParameters"/> parameters, as "Type.Member/count".</summary>
    private static readonly Dictionary<string, string> KnownLongSignatures = new(StringComparer.Ordinal)
    {
        // Empty: every public Core entry point takes at most five parameters (longer ones take an options record).
    };

    /// <summary>Source files over <see cref="MaxLines"/> lines, relative to the repository root.</summary>
    private static readonly Dictionary<string, string> KnownLongFiles = new(StringComparer.Ordinal)
    {
        // Empty: no source file is over the limit.
    };

    [Fact]
    public void No_public_Core_method_or_constructor_takes_more_than_five_parameters()
    {
        var offenders = LongSignatures(typeof(CheckResults).Assembly).ToList();

        var unlisted = offenders.Where(o => !KnownLongSignatures.ContainsKey(o)).ToList();
        var fixedSince = KnownLongSignatures.Keys.Where(k => !offenders.Contains(k)).ToList();
        Assert.True(unlisted.Count == 0, $"more than {MaxParameters} parameters (take an options record): " + string.Join(", ", unlisted));
        Assert.True(fixedSince.Count == 0, "no longer offending, remove from the known list: " + string.Join(", ", fixedSince));
    }

    [Fact]
    public void The_parameter_rule_sees_a_long_signature()
    {
        // The rule itself, on a type made to break it: counted, and records' generated members not counted twice.
        var found = LongSignatures(typeof(CodeShapeTests).Assembly).ToList();
        Assert.Contains($"{typeof(LongSignatureSample).FullName}..ctor/6", found);
        Assert.Contains($"{typeof(LongSignatureSample).FullName}.Six/6", found);
        Assert.DoesNotContain(found, f => f.Contains(nameof(LongSignatureSample.Five), StringComparison.Ordinal));
        Assert.DoesNotContain(found, f => f.Contains("Deconstruct", StringComparison.Ordinal));
    }

    [Fact]
    public void No_source_file_in_src_is_longer_than_450_lines()
    {
        var root = RepositoryRoot();
        var lengths = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "obj" or "bin"))
            .ToDictionary(path => path, path => File.ReadLines(Path.Combine(root, path)).Count(), StringComparer.Ordinal);
        Assert.True(lengths.Count > 100, $"only {lengths.Count} source files found under {root}/src");

        var offenders = lengths.Where(f => f.Value > MaxLines).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var unlisted = offenders.Where(o => !KnownLongFiles.ContainsKey(o.Key)).Select(o => $"{o.Key} ({o.Value} lines)").ToList();
        var fixedSince = KnownLongFiles.Keys.Where(k => !offenders.ContainsKey(k)).ToList();
        Assert.True(unlisted.Count == 0, $"longer than {MaxLines} lines (split by job): " + string.Join(", ", unlisted));
        Assert.True(fixedSince.Count == 0, "no longer over the limit (or gone), remove from the known list: " + string.Join(", ", fixedSince));
    }

    /// <summary>Public and protected methods and constructors of the assembly's exported types, over the limit, as "Type.Member/count".</summary>
    private static IEnumerable<string> LongSignatures(Assembly assembly)
    {
        const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes().Where(t => !typeof(Delegate).IsAssignableFrom(t)))
        {
            var members = type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared))
                .Where(m => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly)
                .Where(m => !m.IsDefined(typeof(CompilerGeneratedAttribute))); // a record's Deconstruct mirrors its constructor
            foreach (var member in members)
            {
                var count = member.GetParameters().Length;
                if (count > MaxParameters)
                {
                    yield return $"{type.FullName}.{member.Name}/{count}";
                }
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FipsCluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No FipsCluster.sln above {AppContext.BaseDirectory}.");
    }
}

/// <summary>Breaks the parameter rule on purpose, for <see cref="CodeShapeTests.The_parameter_rule_sees_a_long_signature"/>.</summary>
public sealed record LongSignatureSample(int A, int B, int C, int D, int E, int F)
{
    public static int Six(int a, int b, int c, int d, int e, int f) => a + b + c + d + e + f;

    public static int Five(int a, int b, int c, int d, int e) => a + b + c + d + e;
}
