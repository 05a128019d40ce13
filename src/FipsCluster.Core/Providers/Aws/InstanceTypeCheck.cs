using Amazon.EC2;
using Amazon.EC2.Model;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The instance types of a spec must exist in its region and run its architecture (an arm64 AMI boots only on
/// Graviton types, an x86_64 one never there): EC2 would otherwise refuse the launch only after the security group and
/// the first instances exist. DescribeInstanceTypes is read-only and runs before any mutating call.
/// </summary>
public static class InstanceTypeCheck
{
    public static async Task VerifyAsync(IAmazonEC2 ec2, AwsClusterSpec spec, OperationContext context)
    {
        // Both types, even without workers now: Add-FipsClusterNode launches the recorded worker type later.
        var wanted = new[] { spec.ControlPlaneInstanceType, spec.WorkerInstanceType }.Distinct(StringComparer.Ordinal).ToList();
        DescribeInstanceTypesResponse response;
        try
        {
            response = await ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = wanted }, context.Cancellation).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode is "InvalidInstanceType" or "InvalidParameterValue")
        {
            // EC2's message names the types it does not know.
            throw Refused(spec, $"{ex.Message.TrimEnd('.')} in {spec.Region} ({ex.ErrorCode})", ex);
        }
        foreach (var type in wanted)
        {
            var info = response.InstanceTypes?.FirstOrDefault(t => t.InstanceType?.Value == type)
                ?? throw Refused(spec, $"instance type {type} does not exist in {spec.Region}", null);
            var architectures = info.ProcessorInfo?.SupportedArchitectures?.Select(a => a.ToString()).ToList() ?? new List<string>();
            if (!architectures.Contains(spec.Architecture, StringComparer.Ordinal))
            {
                var hint = spec.Architecture == "arm64" ? " (Graviton families such as m7g, c7g, r7g, t4g)" : "";
                throw Refused(spec, $"instance type {type} runs {string.Join("/", architectures.DefaultIfEmpty("no known architecture"))}, not {spec.Architecture}: choose {spec.Architecture} instance types{hint}", null);
            }
        }
    }

    private static FipsClusterException Refused(AwsClusterSpec spec, string why, Exception? inner) =>
        new(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument, $"The cluster spec for '{spec.Name}' is not valid: {why}.", spec.Name, inner);
}
