using Amazon.EC2;
using Amazon.EC2.Model;
using FipsCluster.Core.Operations;

namespace FipsCluster.Core.Providers.Aws;

/// <summary>
/// The AMI a FIPS cluster boots must exist, match the requested architecture, and be a RHEL-family image (the
/// distributions DKP's FIPS builds and fips-mode-setup target). Read-only: runs before any mutating call.
/// </summary>
public static class AmiCheck
{
    private static readonly string[] RhelFamily = { "red hat", "rhel", "centos", "rocky", "alma", "oracle linux" };

    public static async Task<Image> VerifyAsync(IAmazonEC2 ec2, AwsClusterSpec spec, OperationContext context)
    {
        DescribeImagesResponse response;
        try
        {
            response = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = new List<string> { spec.Ami } }, context.Cancellation).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode is "InvalidAMIID.NotFound" or "InvalidAMIID.Malformed" or "InvalidAMIID.Unavailable")
        {
            throw Refused(spec, $"AMI {spec.Ami} does not exist in {spec.Region} ({ex.ErrorCode})", ex);
        }
        var image = response.Images?.FirstOrDefault(i => i.ImageId == spec.Ami) ?? throw Refused(spec, $"AMI {spec.Ami} does not exist in {spec.Region}", null);
        if (image.State is { } state && state != ImageState.Available)
        {
            throw Refused(spec, $"AMI {spec.Ami} is {state}, not available", null);
        }
        if (!string.Equals(image.Architecture?.Value, spec.Architecture, StringComparison.Ordinal))
        {
            throw Refused(spec, $"AMI {spec.Ami} is {image.Architecture?.Value}, but {spec.Architecture} was requested", null);
        }
        var description = $"{image.PlatformDetails} {image.Name} {image.Description}".ToLowerInvariant();
        if (!RhelFamily.Any(description.Contains))
        {
            var why = $"AMI {spec.Ami} ('{image.Name}', {image.PlatformDetails}) is not a RHEL-family image";
            if (spec.Fips)
            {
                throw Refused(spec, why + "; FIPS clusters boot RHEL, CentOS, Rocky, Alma or Oracle Linux images prepared for FIPS", null);
            }
            context.Warning(why + "; continuing because the cluster is not FIPS.");
        }
        return image;
    }

    private static FipsClusterException Refused(AwsClusterSpec spec, string why, Exception? inner) =>
        new(ErrorIds.InvalidClusterSpec, FipsErrorCategory.InvalidArgument, $"The cluster spec for '{spec.Name}' is not valid: {why}.", spec.Ami, inner);
}
