using System.Diagnostics;
using Xunit;

namespace FipsCluster.Core.Tests.Artifacts.Keys;

/// <summary>
/// Key and certificate material made by the real openssl CLI, once per run, in a temporary directory. Without openssl the
/// tests skip, except under CI=true, where they fail.
/// </summary>
public sealed class OpenSslFixture : IDisposable
{
    public const string Passphrase = "correct horse battery staple";

    private const string Config = """
        [req]
        distinguished_name = dn
        prompt = no
        [dn]
        CN = unused
        [v3_ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [v3_leaf]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        """;

    public OpenSslFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "fips-keys-" + Guid.NewGuid().ToString("N")[..12]);
        OpenSsl = FindOpenSsl();
        if (OpenSsl is null)
        {
            Unavailable = "the openssl CLI is not on PATH (set OPENSSL to its path)";
            return;
        }
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllText(P("openssl.cnf"), Config);
        try
        {
            Generate();
        }
        catch (Exception e)
        {
            GenerationError = "openssl could not generate the test material: " + e.Message;
        }
    }

    public string Directory { get; }

    public string? OpenSsl { get; }

    public string? Unavailable { get; }

    /// <summary>openssl is there but failed: a test failure, never a skip.</summary>
    public string? GenerationError { get; }

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public void RequireOpenSsl()
    {
        if (GenerationError is not null)
        {
            Assert.Fail(GenerationError);
        }
        if (Unavailable is null)
        {
            return;
        }
        if (InCi)
        {
            Assert.Fail("CI=true and openssl cannot run: " + Unavailable);
        }
        Skip.If(true, Unavailable);
    }

    /// <summary>A file of the shared material.</summary>
    public string P(string name) => Path.Combine(Directory, name);

    /// <summary>Copies a material file into a fresh directory of its own (for tests that change or convert it).</summary>
    public string Copy(string name, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var dir = Path.Combine(Directory, "t-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, Path.GetFileName(name));
        File.Copy(P(name), path);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
        return path;
    }

    public static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    public string Run(params string[] args)
    {
        var start = new ProcessStartInfo(OpenSsl!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["OPENSSL_CONF"] = P("openssl.cnf");
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(true);
            throw new TimeoutException("openssl " + string.Join(' ', args) + " did not finish");
        }
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} exited {p.ExitCode}: {stderr.Result.Trim()}");
        }
        return stdout.Result;
    }

    /// <summary>Runs openssl and reports failure instead of throwing (for algorithms a build may refuse).</summary>
    public bool TryRun(params string[] args)
    {
        try
        {
            Run(args);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The public key of a key file, as openssl prints it (the conversion round-trip check).</summary>
    public string PublicKey(string keyFile, string? passphrase = null)
    {
        var args = new List<string> { "pkey", "-in", keyFile, "-pubout" };
        if (passphrase is not null)
        {
            args.Add("-passin");
            args.Add("pass:" + passphrase);
        }
        return Run(args.ToArray());
    }

    private void Generate()
    {
        var pass = "pass:" + Passphrase;
        // Plain PKCS#8 keys.
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", P("rsa1024.key"));
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", P("rsa2048.key"));
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-out", P("rsa4096.key"));
        Run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", P("ca.key"));
        Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", P("ec256.key"));
        Run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", P("ec384.key"));
        Run("genpkey", "-algorithm", "ED25519", "-out", P("ed25519.key"));
        P224 = TryRun("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-224", "-out", P("ec224.key"));
        Dsa = TryRun("genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:2048", "-out", P("dsa.param"))
            && TryRun("genpkey", "-paramfile", P("dsa.param"), "-out", P("dsa.key"));

        // Self-signed certificates for each key type (CA: TRUE, so they are trust anchors).
        foreach (var name in new[] { "rsa1024", "rsa2048", "rsa4096", "ec256", "ec384" })
        {
            SelfSigned(name, name, "-sha256");
        }
        SelfSigned("ed25519", "ed25519");
        if (P224)
        {
            SelfSigned("ec224", "ec224", "-sha256");
        }
        if (Dsa)
        {
            Dsa = TryRun("req", "-x509", "-new", "-key", P("dsa.key"), "-subj", "/CN=dsa", "-days", "365", "-sha256",
                "-config", P("openssl.cnf"), "-extensions", "v3_ca", "-out", P("dsa.crt"));
        }
        SelfSigned("rsa2048", "sha224", "-sha224");
        SelfSigned("rsa2048", "pss", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32");
        Md5 = TryRun("req", "-x509", "-new", "-key", P("rsa2048.key"), "-subj", "/CN=md5", "-days", "365", "-md5",
            "-config", P("openssl.cnf"), "-extensions", "v3_ca", "-out", P("md5.crt"));

        // A CA and a leaf it signs, with SHA-1 and with SHA-256.
        foreach (var digest in new[] { "sha1", "sha256" })
        {
            Run("req", "-x509", "-new", "-key", P("ca.key"), "-subj", $"/CN={digest} test CA/O=FipsCluster tests", "-days", "365", "-" + digest,
                "-config", P("openssl.cnf"), "-extensions", "v3_ca", "-out", P($"ca-{digest}.crt"));
            Run("req", "-new", "-key", P("ec256.key"), "-subj", $"/CN={digest} leaf", "-config", P("openssl.cnf"), "-out", P($"leaf-{digest}.csr"));
            Run("x509", "-req", "-in", P($"leaf-{digest}.csr"), "-CA", P($"ca-{digest}.crt"), "-CAkey", P("ca.key"), "-set_serial", "2",
                "-days", "365", "-" + digest, "-extfile", P("openssl.cnf"), "-extensions", "v3_leaf", "-out", P($"leaf-{digest}.crt"));
            File.WriteAllText(P($"bundle-{digest}.pem"), File.ReadAllText(P($"leaf-{digest}.crt")) + File.ReadAllText(P($"ca-{digest}.crt")));
        }
        Run("x509", "-req", "-in", P("leaf-sha256.csr"), "-CA", P("ca-sha256.crt"), "-CAkey", P("ca.key"), "-set_serial", "3",
            "-days", "365", "-sha224", "-extfile", P("openssl.cnf"), "-extensions", "v3_leaf", "-out", P("leaf-sha224.crt"));
        Md5 = Md5 && TryRun("x509", "-req", "-in", P("leaf-sha256.csr"), "-CA", P("ca-sha256.crt"), "-CAkey", P("ca.key"), "-set_serial", "4",
            "-days", "365", "-md5", "-extfile", P("openssl.cnf"), "-extensions", "v3_leaf", "-out", P("leaf-md5.crt"));
        Run("x509", "-in", P("rsa2048.crt"), "-outform", "DER", "-out", P("rsa2048.der"));

        // Private keys in every storage format.
        Run("rsa", "-in", P("rsa2048.key"), "-aes256", "-traditional", "-passout", pass, "-out", P("legacy-rsa.pem"));
        Run("ec", "-in", P("ec256.key"), "-des3", "-passout", pass, "-out", P("legacy-ec.pem"));
        Pkcs8("pkcs8-sha1.pem", "rsa2048.key", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA1", "-iter", "100000");
        Pkcs8("pkcs8-sha256.pem", "rsa2048.key", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-iter", "100000");
        Pkcs8("pkcs8-ec-sha256.pem", "ec256.key", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA256", "-iter", "100000");
        Pkcs8("pkcs8-lowiter.pem", "rsa2048.key", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-iter", "500");
        Pkcs8("pkcs8-des3.pem", "rsa2048.key", "-v2", "des3", "-v2prf", "hmacWithSHA256");
        Pkcs8("pkcs8-pbes1.pem", "rsa2048.key", "-v1", "PBE-SHA1-3DES");
        Pkcs8("pkcs8-scrypt.pem", "rsa2048.key", "-scrypt");
        Pkcs8("pkcs8-sha256.der", "rsa2048.key", "-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256", "-outform", "DER");
        Run("rsa", "-in", P("rsa2048.key"), "-traditional", "-out", P("pkcs1.pem"));
        Run("ec", "-in", P("ec256.key"), "-out", P("sec1.pem"));
        Run("pkcs8", "-topk8", "-nocrypt", "-in", P("rsa2048.key"), "-outform", "DER", "-out", P("pkcs8.der"));
    }

    public bool P224 { get; private set; }

    public bool Dsa { get; private set; }

    public bool Md5 { get; private set; }

    private void SelfSigned(string key, string name, params string[] extra)
    {
        var args = new List<string> { "req", "-x509", "-new", "-key", P(key + ".key"), "-subj", "/CN=" + name, "-days", "365",
            "-config", P("openssl.cnf"), "-extensions", "v3_ca", "-out", P(name + ".crt") };
        args.AddRange(extra);
        Run(args.ToArray());
    }

    private void Pkcs8(string output, string input, params string[] extra)
    {
        var args = new List<string> { "pkcs8", "-topk8", "-in", P(input), "-passout", "pass:" + Passphrase, "-out", P(output) };
        args.AddRange(extra);
        Run(args.ToArray());
    }

    private static string? FindOpenSsl()
    {
        var configured = Environment.GetEnvironmentVariable("OPENSSL");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }
        var names = OperatingSystem.IsWindows() ? new[] { "openssl.exe" } : new[] { "openssl" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class OpenSslCollection : ICollectionFixture<OpenSslFixture>
{
    public const string Name = "openssl material";
}
