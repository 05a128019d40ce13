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

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = SpecSet)]
    [ValidateNotNull]
    public AwsClusterSpec InputObject { get; set; } = new();

    /// <summary>A stored AWS cluster: its recorded spec is rendered.</summary>
    [Parameter(Mandatory = true, ParameterSetName = NameSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterName")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    [Parameter]
    [ValidateSet("ClusterAPI", "Kubeadm", "CloudInit")]
    public string Format { get; set; } = "ClusterAPI";

    /// <summary>Cluster API version of the core and kubeadm kinds: v1beta2 (default) or v1beta1 for DKP 2.x-era management clusters.</summary>
    [Parameter]
    [ValidateSet("v1beta2", "v1beta1")]
    public string ApiVersion { get; set; } = "v1beta2";

    /// <summary>Which node's user data -Format CloudInit renders.</summary>
    [Parameter]
    [ValidateSet("ControlPlane", "Worker")]
    public string Role { get; set; } = "ControlPlane";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override void ProcessRecordCore()
    {
        try
        {
            if (ParameterSetName == NameSet)
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
            var text = Format switch
            {
                "Kubeadm" => KubeadmRenderer.Render(spec),
                "CloudInit" => CloudInitRenderer.Render(spec, Role),
                _ => ClusterApiRenderer.Render(spec, ApiVersion),
            };
            if (Path is null)
            {
                WriteObject(text);
                return;
            }
            var target = GetUnresolvedProviderPathFromPSPath(Path);
            var withDefaults = defaults.Count > 0 ? " with the defaults: " + string.Join("; ", defaults) : "";
            if (ShouldProcess(target, $"Write the {Format} manifest of cluster '{spec.Name}'{withDefaults}"))
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
            WriteFailure(new FipsClusterException(ErrorIds.ManifestWriteFailed, FipsErrorCategory.WriteError, $"'{Path}' could not be written: {ex.Message}", Path, ex));
        }
    }
}
