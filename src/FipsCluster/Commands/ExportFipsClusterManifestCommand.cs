using System.Management.Automation;
using FipsCluster.Core.Providers.Aws;
using FipsCluster.Infrastructure;

namespace FipsCluster.Commands;

/// <summary>Renders one cluster spec as Cluster API manifests, a kubeadm ClusterConfiguration, or a node's cloud-init user data.</summary>
[Cmdlet(VerbsData.Export, "FipsClusterManifest", SupportsShouldProcess = true, DefaultParameterSetName = SpecSet)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportFipsClusterManifestCommand : FipsCmdlet
{
    private const string SpecSet = "Spec";
    private const string NameSet = "Name";
    private const string SpecLiteralSet = "SpecLiteralPath";
    private const string NameLiteralSet = "NameLiteralPath";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SpecSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SpecLiteralSet)]
    [ValidateNotNull]
    public AwsClusterSpec InputObject { get; set; } = new();

    /// <summary>A stored AWS cluster: its recorded spec is rendered.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(Mandatory = true, ParameterSetName = NameLiteralSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>Which document: the Cluster API objects, kubeadm's configuration, or one machine's cloud-init user data.</summary>
    [Parameter]
    [ValidateSet("ClusterAPI", "Kubeadm", "CloudInit")]
    public string ManifestKind { get; set; } = "ClusterAPI";

    /// <summary>Cluster API version of the core and kubeadm kinds: v1beta2 (default) or v1beta1 for DKP 2.x-era management clusters.</summary>
    [Parameter]
    [ValidateSet("v1beta2", "v1beta1")]
    public string ApiVersion { get; set; } = "v1beta2";

    /// <summary>Which machine's user data -ManifestKind CloudInit renders (not -Role: that is a swarm node's role).</summary>
    [Parameter]
    [ValidateSet("ControlPlane", "Worker")]
    public string MachineRole { get; set; } = "ControlPlane";

    /// <summary>The file to write; wildcards, as Out-File's -FilePath, must match exactly one existing file.</summary>
    [Parameter(ParameterSetName = SpecSet)]
    [Parameter(ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string? Path { get; set; }

    /// <summary>The file to write, taken as written (a name with '[' or '*').</summary>
    [Parameter(Mandatory = true, ParameterSetName = SpecLiteralSet)]
    [Parameter(Mandatory = true, ParameterSetName = NameLiteralSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            if (ParameterSetName is NameSet or NameLiteralSet)
            {
                InputObject = ClusterStoreAccess.Store.Get(Name).AwsSpec
                    ?? throw new FipsClusterException(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidOperation, $"Cluster '{Name}' is not an AWS cluster: it has no spec to render.", Name);
            }
            AwsClusterSpecValidator.Validate(InputObject);
            var (spec, defaults) = AwsClusterSpecDefaults.Complete(InputObject);
            foreach (var applied in defaults)
            {
                WriteVerbose($"'{spec.Name}': default {applied}.");
            }
            var text = ManifestKind switch
            {
                "Kubeadm" => KubeadmRenderer.Render(spec),
                "CloudInit" => CloudInitRenderer.Render(spec, MachineRole),
                _ => ClusterApiRenderer.Render(spec, ApiVersion),
            };
            var output = LiteralPath ?? Path;
            if (output is null)
            {
                WriteObject(text);
                return;
            }
            var resolved = ProviderPaths.ResolveOutput(this, output, literal: LiteralPath is not null, ErrorIds.ManifestWriteFailed, "manifest file");
            if (resolved.Failure is { } failure)
            {
                WriteFailure(failure);
                return;
            }
            var target = resolved.Paths[0];
            var withDefaults = defaults.Count > 0 ? " with the defaults: " + string.Join("; ", defaults) : "";
            if (ShouldProcess(target, $"Write the {ManifestKind} manifest of cluster '{spec.Name}'{withDefaults}"))
            {
                File.WriteAllText(target, text);
                WriteObject(new FileInfo(target));
            }
        }
        catch (FipsClusterException ex)
        {
            WriteFailure(ex);
        }
        catch (IOException ex)
        {
            WriteFailure(new FipsClusterException(ErrorIds.ManifestWriteFailed, FipsErrorCategory.WriteError, $"'{LiteralPath ?? Path}' could not be written: {ex.Message}", LiteralPath ?? Path, ex));
        }
    }
}
