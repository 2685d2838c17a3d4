using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace Tend.Modules.Membership.Inventories;

/// <summary>
/// etcd-discovery's inventory: this instance (id and region) from EC2 instance metadata; its auto-scaling
/// group from the instance's <c>aws:autoscaling:groupName</c> tag unless one is configured; the group's
/// instances from EC2 <c>DescribeInstances</c> filtered by that tag, every page. Pending and running
/// instances are candidates; stopping, stopped, shutting-down and terminated ones are departed. A member is
/// addressed by its private DNS name or its private IP, as configured, the same way for every instance.
/// </summary>
internal sealed class AwsInventory : IMembershipInventory
{
    /// <summary>The tag EC2 Auto Scaling puts on every instance it launches.</summary>
    public const string GroupTag = "aws:autoscaling:groupName";

    private readonly InstanceMetadataClient _metadata;
    private readonly Func<string, IAmazonEC2> _clientFactory;
    private readonly string? _group;
    private readonly string? _region;
    private readonly MemberAddressKind _address;
    private InstanceIdentity? _identity;
    private (string Region, IAmazonEC2 Client)? _client;

    /// <param name="metadata">The instance-metadata client.</param>
    /// <param name="clientFactory">Makes the EC2 client of a region (production: the SDK's default credential chain).</param>
    /// <param name="group">The auto-scaling group, or <c>null</c> for this instance's own.</param>
    /// <param name="region">The region, or <c>null</c> for this instance's own.</param>
    /// <param name="address">Private DNS names or private IPs.</param>
    public AwsInventory(InstanceMetadataClient metadata, Func<string, IAmazonEC2> clientFactory, string? group, string? region, MemberAddressKind address)
    {
        _metadata = metadata;
        _clientFactory = clientFactory;
        _group = group;
        _region = region;
        _address = address;
        Description = $"aws (group {group ?? "of this instance"}, by private {(address == MemberAddressKind.Ip ? "IP" : "DNS name")})";
    }

    public string Description { get; }

    /// <summary>The EC2 client the SDK's standard settings describe: credentials from the default chain, <c>AWS_ENDPOINT_URL_EC2</c>.</summary>
    /// <param name="region">The region.</param>
    /// <param name="timeout">Timeout of one request.</param>
    /// <param name="credentials">Explicit credentials (tests); <c>null</c> for the default chain.</param>
    /// <param name="serviceUrl">An explicit endpoint (tests); <c>null</c> for the SDK's (which honours <c>AWS_ENDPOINT_URL_EC2</c>).</param>
    public static IAmazonEC2 CreateClient(string region, TimeSpan timeout, AWSCredentials? credentials = null, string? serviceUrl = null)
    {
        var config = new AmazonEC2Config
        {
            RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region),
            Timeout = timeout,
            MaxErrorRetry = 2,
        };
        if (serviceUrl is not null)
        {
            config.ServiceURL = serviceUrl;
        }

        // A custom endpoint (AWS_ENDPOINT_URL_EC2, a VPC endpoint) is still signed for the region.
        config.AuthenticationRegion = region;
        return credentials is null ? new AmazonEC2Client(config) : new AmazonEC2Client(credentials, config);
    }

    public async Task<InventorySnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        // An instance's id and region never change: ask the metadata service once.
        var identity = _identity ??= await _metadata.GetIdentityAsync(cancellationToken).ConfigureAwait(false);
        var region = _region ?? identity.Region;
        var ec2 = Client(region);
        var group = _group ?? await GroupOfAsync(ec2, identity.InstanceId, cancellationToken).ConfigureAwait(false);
        var instances = await DescribeGroupAsync(ec2, group, cancellationToken).ConfigureAwait(false);

        var candidates = new List<InventoryMember>();
        var departed = new List<string>();
        foreach (var i in instances.DistinctBy(i => i.InstanceId).OrderBy(i => i.InstanceId, StringComparer.Ordinal))
        {
            var state = i.State?.Name?.Value;
            if (state is "pending" or "running")
            {
                var host = _address == MemberAddressKind.Ip ? i.PrivateIpAddress : i.PrivateDnsName;
                candidates.Add(new InventoryMember(i.InstanceId, string.IsNullOrWhiteSpace(host) ? null : host.Trim()));
            }
            else
            {
                departed.Add(i.InstanceId);
            }
        }

        return new InventorySnapshot($"auto-scaling group {group}", identity.InstanceId, candidates, departed);
    }

    public void Dispose()
    {
        _metadata.Dispose();
        _client?.Client.Dispose();
    }

    private IAmazonEC2 Client(string region)
    {
        if (_client is { } c && c.Region == region)
        {
            return c.Client;
        }

        _client?.Client.Dispose();
        _client = null;
        IAmazonEC2 client;
        try
        {
            // The SDK resolves credentials (environment, profile, web identity, container, instance profile) here.
            client = _clientFactory(region);
        }
        catch (AmazonClientException ex)
        {
            throw new MembershipInventoryException($"no AWS credentials for EC2 in {region}: {OneLine(ex.Message)}", ex);
        }

        _client = (region, client);
        return client;
    }

    private static string OneLine(string text) =>
        string.Join("; ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static async Task<string> GroupOfAsync(IAmazonEC2 ec2, string instanceId, CancellationToken cancellationToken)
    {
        var request = new DescribeInstancesRequest { InstanceIds = [instanceId] };
        var response = await CallAsync(() => ec2.DescribeInstancesAsync(request, cancellationToken), $"DescribeInstances of {instanceId}", cancellationToken).ConfigureAwait(false);
        var self = response.Reservations?.SelectMany(r => r.Instances ?? []).FirstOrDefault(i => i.InstanceId == instanceId)
            ?? throw new MembershipInventoryException($"EC2 DescribeInstances does not know this instance ({instanceId}); is the region right?");
        var tag = self.Tags?.FirstOrDefault(t => t.Key == GroupTag)?.Value;
        return string.IsNullOrWhiteSpace(tag)
            ? throw new MembershipInventoryException($"instance {instanceId} has no {GroupTag} tag: it is not in an auto-scaling group; name the group with -scaling-group-name (scaling_group_name).")
            : tag;
    }

    private static async Task<List<Instance>> DescribeGroupAsync(IAmazonEC2 ec2, string group, CancellationToken cancellationToken)
    {
        var instances = new List<Instance>();
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            var request = new DescribeInstancesRequest { Filters = [new Filter("tag:" + GroupTag, [group])], NextToken = next };
            var response = await CallAsync(() => ec2.DescribeInstancesAsync(request, cancellationToken), $"DescribeInstances of group {group}", cancellationToken).ConfigureAwait(false);
            instances.AddRange(response.Reservations?.SelectMany(r => r.Instances ?? []) ?? []);
            next = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
            if (next is not null && !seen.Add(next))
            {
                throw new MembershipInventoryException($"EC2 DescribeInstances of group {group} returned the page token '{next}' twice; stopping rather than reading forever.");
            }
        }
        while (next is not null);
        return instances;
    }

    private static async Task<DescribeInstancesResponse> CallAsync(Func<Task<DescribeInstancesResponse>> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException ex)
        {
            var code = string.IsNullOrEmpty(ex.ErrorCode) ? ((int)ex.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : ex.ErrorCode;
            throw new MembershipInventoryException($"EC2 {what} failed: {code}: {OneLine(ex.Message)}", ex);
        }
        catch (AmazonClientException ex)
        {
            throw new MembershipInventoryException($"EC2 {what} failed: {OneLine(ex.Message)}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new MembershipInventoryException($"EC2 {what} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new MembershipInventoryException($"EC2 {what} timed out.", ex);
        }
    }
}
