using YamlDotNet.RepresentationModel;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The cloud-init user data of a node: for a FIPS spec the kubelet FIPS gate (script + drop-in) and the check that stops
/// a host outside FIPS mode before anything else runs; the kubeadm configuration. New-FipsCluster -Provider AWS sends
/// exactly this text; it holds no secret (user data is readable through the EC2 API and the instance metadata service).
/// </summary>
public static class CloudInitRenderer
{
    public static string Render(AwsClusterSpec spec, string role)
    {
        var files = new YamlSequenceNode();
        if (spec.Fips)
        {
            // The kubelet FIPS gate, only where FIPS is wanted: it refuses to start kubelet on a non-FIPS host.
            files.Add(File(FipsKubeletGuard.ScriptPath, "0755", FipsKubeletGuard.Script));
            files.Add(File(FipsKubeletGuard.DropInPath, "0644", FipsKubeletGuard.DropIn));
        }
        files.Add(File("/etc/kubernetes/kubeadm-config.yaml", "0600", KubeadmRenderer.Render(spec)));
        if (role == "ControlPlane")
        {
            files.Add(File(ControlPlaneInit.ScriptPath, "0755", ControlPlaneInit.Script));
        }
        var commands = new YamlSequenceNode();
        if (spec.Fips)
        {
            // Refuse early and loudly: a node that boots outside FIPS mode never becomes a member. A string item, so
            // cloud-init inserts it verbatim and its exit ends the whole runcmd script (see EarlyCheck).
            commands.Add(FipsKubeletGuard.EarlyCheck);
        }
        commands.Add(new YamlSequenceNode("systemctl", "daemon-reload"));
        if (role == "ControlPlane")
        {
            // Last on purpose: cloud-init's status (done/error) is then kubeadm init's result, which is what
            // New-FipsCluster waits for over SSH before it creates a join command. Other nodes are joined over SSH
            // too: no token, certificate key or join command is ever part of the user data.
            // Only the control plane EC2 launched first initializes the cluster (ControlPlaneInit).
            commands.Add(new YamlSequenceNode(ControlPlaneInit.ScriptPath));
        }
        var root = new YamlMappingNode
        {
            { "write_files", files },
            { "runcmd", commands },
        };
        return "#cloud-config\n" + Yaml.Write(root);
    }

    /// <summary>
    /// The user data as EC2 is given it: the rendering, gzip-compressed. EC2 takes at most 16 KB of user data and the
    /// FIPS gate alone is larger; cloud-init recognises gzip user data and decompresses it before anything else.
    /// </summary>
    public static byte[] Compress(string userData)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(userData));
        }
        return buffer.ToArray();
    }

    private static YamlMappingNode File(string path, string permissions, string content) => new()
    {
        { "path", path },
        { "owner", "root:root" },
        { "permissions", new YamlScalarNode(permissions) { Style = YamlDotNet.Core.ScalarStyle.SingleQuoted } },
        { "content", new YamlScalarNode(content) { Style = YamlDotNet.Core.ScalarStyle.Literal } },
    };
}
