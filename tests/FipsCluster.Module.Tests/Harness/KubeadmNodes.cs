namespace FipsCluster.Module.Tests.Harness;

/// <summary>
/// "EC2 instances" for the join tests: a real sshd (tests/Infrastructure/sshd.sh) on several loopback addresses, one per
/// instance, whose sessions get a PATH (sshd SetEnv) that starts with a folder of stand-ins for the programs an
/// instance would have and this host has not: kubeadm, cloud-init and sudo. They are the remote end, not mocks of the
/// module's code: the module connects, authenticates, checks host keys and runs its commands over SSH for real.
/// - kubeadm prints what kubeadm prints (a join command with a fresh random token; a certificate key) and records every
///   call as "&lt;node address&gt; &lt;arguments&gt;" in calls.log. `join` also records what `ps -eo args` shows at that
///   moment (ps.&lt;node&gt;.&lt;n&gt;), and reads its --config file: its path, its mode and owner while kubeadm runs, and a
///   copy of its content (config.&lt;node&gt;.*). It fails on a node listed in the fail file and then, as a worst case,
///   quotes the token from its configuration to stderr followed by 390 characters, so that the last 400 characters of
///   the output begin inside the token.
/// - cloud-init status (each poll logged in cloud-init.log) answers from the file cloud-init.&lt;address&gt;, else cloud-init (default: done).
/// - sudo drops -n and runs the command as the login user (the test user is not root, and need not be).
/// </summary>
public sealed class KubeadmNodes : IDisposable
{
    private readonly SshNodesFixture.ExtraSshd _sshd;

    public KubeadmNodes(SshNodesFixture fixture, int count)
    {
        var octet = Random.Shared.Next(100, 250);
        Addresses = Enumerable.Range(1, count).Select(i => $"127.0.{octet}.{i}").ToArray();
        State = Path.Combine(fixture.WorkDirectory, "kubeadm-" + Guid.NewGuid().ToString("N")[..6]);
        var bin = Path.Combine(State, "bin");
        Directory.CreateDirectory(bin);
        File.SetUnixFileMode(State, (UnixFileMode)0x1FF); // 0777: the login user writes calls.log here
        File.SetUnixFileMode(bin, (UnixFileMode)0x1ED);
        Write(bin, "sudo", "#!/bin/sh\n# Stand-in for sudo (see KubeadmNodes): non-interactive, runs the command as the login user.\n[ \"$1\" = -n ] && shift\nexec \"$@\"\n");
        Write(bin, "cloud-init", $$"""
            #!/bin/sh
            # Stand-in for cloud-init (see KubeadmNodes): `cloud-init status` as the test sets it per node.
            set -- $SSH_CONNECTION
            echo "$3" >> {{State}}/cloud-init.log
            f={{State}}/cloud-init.$3
            [ -f "$f" ] || f={{State}}/cloud-init
            s=$(cat "$f" 2>/dev/null || echo done)
            echo "status: $s"
            [ "$s" = error ] && exit 1
            exit 0
            """);
        Write(bin, "kubeadm", $$"""
            #!/bin/sh
            # Stand-in for kubeadm (see KubeadmNodes): the remote program; records each call, prints what kubeadm prints.
            set -e
            node=$(echo "$SSH_CONNECTION" | cut -d' ' -f3)
            echo "$node $*" >> {{State}}/calls.log
            hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
            case "$1 $2" in
              "token create")
                t=$(hex 11)
                echo "kubeadm join $node:6443 --token $(echo "$t" | cut -c1-6).$(echo "$t" | cut -c7-22) --discovery-token-ca-cert-hash sha256:$(hex 32) " ;;
              "init phase")
                echo '[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace'
                echo '[upload-certs] Using certificate key:'
                hex 32; echo ;;
              "join "*)
                ps -eo args > {{State}}/ps.$node.$(date +%s%N)
                config=""; previous=""
                for a in "$@"; do [ "$previous" = --config ] && config=$a; previous=$a; done
                if [ -n "$config" ]; then
                  echo "$config" > {{State}}/config.$node.path
                  stat -c '%a %U' "$config" > {{State}}/config.$node.mode
                  cat "$config" > {{State}}/config.$node.yaml
                fi
                if grep -qx "$node" {{State}}/fail 2>/dev/null; then
                  token=$(sed -n 's/^ *token: *//p' "$config" 2>/dev/null)
                  echo "error execution phase preflight: unable to join with: kubeadm $*" >&2
                  echo "error execution phase preflight: couldn't validate the identity of the API Server with token $token $(printf '%390s' '' | tr ' ' '.')" >&2
                  exit 1
                fi
                echo "This node has joined the cluster." ;;
              "token delete") echo "bootstrap token \"$3\" deleted" ;;
              *) echo "kubeadm stand-in: unexpected call: $*" >&2; exit 2 ;;
            esac
            """);
        _sshd = fixture.StartSshd(new[] { "--setenv", $"PATH={bin}:/usr/bin:/bin" }, Addresses);
    }

    public string[] Addresses { get; }

    public string State { get; }

    public int Port => _sshd.Port;

    public string KnownHosts => _sshd.KnownHosts;

    /// <summary>The sshd's public host keys, as cloud-init prints them to an instance's console ("type base64 comment").</summary>
    public IReadOnlyList<string> HostKeyLines => new[] { "host_ecdsa.pub", "host_rsa.pub" }
        .Select(f => File.ReadAllText(Path.Combine(Path.GetDirectoryName(KnownHosts)!, f)).Trim()).ToList();

    /// <summary>Every kubeadm call: (node address, arguments).</summary>
    public IReadOnlyList<(string Node, string Arguments)> Calls => File.Exists(Path.Combine(State, "calls.log"))
        ? File.ReadAllLines(Path.Combine(State, "calls.log")).Select(l => (l[..l.IndexOf(' ')], l[(l.IndexOf(' ') + 1)..])).ToList()
        : new List<(string, string)>();

    /// <summary>What kubeadm join on a node was given in its --config file (the last join there): the file's path, its mode and owner while kubeadm ran, and its content.</summary>
    public (string Path, string Mode, string Yaml)? JoinConfig(string node)
    {
        var prefix = System.IO.Path.Combine(State, "config." + node);
        return File.Exists(prefix + ".path")
            ? (File.ReadAllText(prefix + ".path").Trim(), File.ReadAllText(prefix + ".mode").Trim(), File.ReadAllText(prefix + ".yaml"))
            : null;
    }

    /// <summary>Every `ps -eo args` listing taken while kubeadm join ran, on any node.</summary>
    public IReadOnlyList<string> ProcessListings => Directory.GetFiles(State, "ps.*").Select(File.ReadAllText).ToList();

    /// <summary>The nodes `cloud-init status` was asked on, one line per poll.</summary>
    public IReadOnlyList<string> StatusPolls => File.Exists(Path.Combine(State, "cloud-init.log")) ? File.ReadAllLines(Path.Combine(State, "cloud-init.log")) : Array.Empty<string>();

    /// <summary>What `cloud-init status` says: on every node, or on one.</summary>
    public void CloudInit(string status, string? node = null) => File.WriteAllText(Path.Combine(State, node is null ? "cloud-init" : "cloud-init." + node), status + "\n");

    /// <summary>kubeadm join fails on these nodes.</summary>
    public void FailJoin(params string[] nodes) => File.WriteAllLines(Path.Combine(State, "fail"), nodes);

    private static void Write(string dir, string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n") + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
    }

    public void Dispose() => _sshd.Dispose();
}
