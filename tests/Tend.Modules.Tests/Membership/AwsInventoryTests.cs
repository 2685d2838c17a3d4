using Tend.Modules.Membership;
using Tend.Modules.Membership.Inventories;
using Tend.Testing.Aws;
using Xunit;

namespace Tend.Modules.Tests.Membership;

/// <summary>The aws inventory against the EC2 and instance-metadata doubles (no etcd needed).</summary>
public sealed class AwsInventoryTests : IAsyncLifetime
{
    private readonly AwsGroupHarness _group = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _group.DisposeAsync();

    [Fact]
    public async Task Read_GroupOnSeveralPages_EveryPageRead()
    {
        _group.Ec2.PageSize = 2;
        var self = _group.Launch("i-p1");
        foreach (var id in new[] { "i-p2", "i-p3", "i-p4", "i-p5" })
        {
            _group.Launch(id);
        }

        using var inventory = _group.Inventory(self.Metadata);
        var snapshot = await inventory.ReadAsync();

        Assert.Equal(["i-p1", "i-p2", "i-p3", "i-p4", "i-p5"], snapshot.Candidates.Select(c => c.Name));
        Assert.Equal(["page-2", "page-4"], _group.Ec2.TokensSeen);
        Assert.Equal("auto-scaling group etcd-test", snapshot.Source);
        Assert.Equal("i-p1", snapshot.SelfName);
    }

    [Fact]
    public async Task Read_InstanceStates_PendingAndRunningAreCandidatesTheRestDeparted()
    {
        var self = _group.Launch("i-s1");
        _group.Launch("i-s2", state: "pending");
        _group.Launch("i-s3", state: "stopping");
        _group.Launch("i-s4", state: "stopped");
        _group.Launch("i-s5", state: "shutting-down");
        _group.Launch("i-s6", state: "terminated");
        _group.Launch("i-other", group: "another-group");

        using var inventory = _group.Inventory(self.Metadata);
        var snapshot = await inventory.ReadAsync();

        Assert.Equal(["i-s1", "i-s2"], snapshot.Candidates.Select(c => c.Name));
        Assert.Equal(["i-s3", "i-s4", "i-s5", "i-s6"], snapshot.Departed);
    }

    [Fact]
    public async Task Read_NoGroupConfigured_GroupFromTheInstanceTag()
    {
        var self = _group.Launch("i-t1", group: "etcd-blue");
        _group.Launch("i-t2", group: "etcd-blue");
        _group.Launch("i-t3");

        using var inventory = _group.Inventory(self.Metadata);
        var snapshot = await inventory.ReadAsync();

        Assert.Equal("auto-scaling group etcd-blue", snapshot.Source);
        Assert.Equal(["i-t1", "i-t2"], snapshot.Candidates.Select(c => c.Name));
    }

    [Fact]
    public async Task Read_GroupConfigured_ThatGroupEvenForAnInstanceOutsideIt()
    {
        var consumer = _group.Launch("i-c1", group: null);
        _group.Launch("i-m1");

        using var inventory = _group.Inventory(consumer.Metadata, group: AwsGroupHarness.Group);
        var snapshot = await inventory.ReadAsync();

        Assert.Equal(["i-m1"], snapshot.Candidates.Select(c => c.Name));
        Assert.Null(snapshot.Self);
    }

    [Fact]
    public async Task Read_InstanceWithoutGroupTag_ErrorNamesTheFlag()
    {
        var lone = _group.Launch("i-lone", group: null);

        using var inventory = _group.Inventory(lone.Metadata);
        var ex = await Assert.ThrowsAsync<MembershipInventoryException>(() => inventory.ReadAsync());

        Assert.Contains("i-lone has no aws:autoscaling:groupName tag", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-scaling-group-name", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_AddressKinds_PrivateDnsNameOrPrivateIp()
    {
        var self = _group.Launch("i-a1");

        using var byName = _group.Inventory(self.Metadata, address: MemberAddressKind.Hostname);
        using var byIp = _group.Inventory(self.Metadata, address: MemberAddressKind.Ip);

        Assert.Equal($"ip-{self.Address.Replace('.', '-')}.eu-west-1.compute.internal", (await byName.ReadAsync()).Self!.Host);
        Assert.Equal(self.Address, (await byIp.ReadAsync()).Self!.Host);
    }

    [Fact]
    public async Task Read_Ec2Refuses_ErrorCarriesTheCodeAndSigningWasDone()
    {
        var self = _group.Launch("i-e1");
        _group.Ec2.FailWith = "RequestLimitExceeded";

        using var inventory = _group.Inventory(self.Metadata, group: AwsGroupHarness.Group);
        var ex = await Assert.ThrowsAsync<MembershipInventoryException>(() => inventory.ReadAsync());

        Assert.Contains("RequestLimitExceeded", ex.Message, StringComparison.Ordinal);
        Assert.Equal("AKIDTESTHARNESS", _group.Ec2.LastAccessKey);
    }

    [Fact]
    public async Task Read_NoCredentials_InventoryErrorNotACrash()
    {
        // AWSSDK v4 resolves credentials when the client is made, so the failure comes from the factory.
        var self = _group.Launch("i-nc");
        using var inventory = new AwsInventory(
            new InstanceMetadataClient(self.Metadata.Endpoint),
            _ => throw new Amazon.Runtime.AmazonClientException("Failed to resolve AWS credentials.\nException 1 of 1: none found"),
            null,
            null,
            MemberAddressKind.Ip);

        var ex = await Assert.ThrowsAsync<MembershipInventoryException>(() => inventory.ReadAsync());

        Assert.Equal("no AWS credentials for EC2 in eu-west-1: Failed to resolve AWS credentials.; Exception 1 of 1: none found", ex.Message);
    }

    [Fact]
    public async Task Identity_V2Service_TokenFetchedOnceAndSent()
    {
        var self = _group.Launch("i-v2");
        using var client = new InstanceMetadataClient(self.Metadata.Endpoint);

        var identity = await client.GetIdentityAsync();
        var again = await client.GetAsync("latest/meta-data/instance-id");

        Assert.Equal(new InstanceIdentity("i-v2", "eu-west-1"), identity);
        Assert.Equal("i-v2", again);
        Assert.Equal(1, self.Metadata.TokenRequests);
    }

    [Fact]
    public async Task Identity_TokenCallForbidden_FallsBackToV1()
    {
        var self = _group.Launch("i-v1", mode: MetadataMode.V1Only);
        using var client = new InstanceMetadataClient(self.Metadata.Endpoint);

        var identity = await client.GetIdentityAsync();
        await client.GetAsync("latest/meta-data/instance-id");

        Assert.Equal("i-v1", identity.InstanceId);
        Assert.Equal(1, self.Metadata.TokenRequests);
        Assert.Equal(2, self.Metadata.Reads);
    }

    [Fact]
    public void FromEnvironment_SdkSettings_EndpointModeAndDisable()
    {
        using var configured = InstanceMetadataClient.FromEnvironment(null, n => n == "AWS_EC2_METADATA_SERVICE_ENDPOINT" ? "http://127.0.0.1:8111" : null);
        using var ipv6 = InstanceMetadataClient.FromEnvironment(null, n => n == "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE" ? "IPv6" : null);
        using var standard = InstanceMetadataClient.FromEnvironment(null, _ => null);

        Assert.Equal("http://127.0.0.1:8111/", configured.Endpoint.AbsoluteUri);
        Assert.Equal("http://[fd00:ec2::254]/", ipv6.Endpoint.AbsoluteUri);
        Assert.Equal("http://169.254.169.254/", standard.Endpoint.AbsoluteUri);
        Assert.Throws<MembershipInventoryException>(() => InstanceMetadataClient.FromEnvironment(null, n => n == "AWS_EC2_METADATA_SERVICE_ENDPOINT" ? "not a url" : null));
    }

    [Fact]
    public async Task Identity_MetadataDisabled_SaysSoWithoutAsking()
    {
        using var client = InstanceMetadataClient.FromEnvironment(null, n => n == "AWS_EC2_METADATA_DISABLED" ? "true" : null);

        var ex = await Assert.ThrowsAsync<MembershipInventoryException>(() => client.GetIdentityAsync());

        Assert.Contains("AWS_EC2_METADATA_DISABLED", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseIdentity_NotJson_ErrorNamesTheDocument()
    {
        var ex = Assert.Throws<MembershipInventoryException>(() => InstanceMetadataClient.ParseIdentity("<html>", new Uri("http://127.0.0.1:1/")));

        Assert.Contains("instance-identity document is not JSON", ex.Message, StringComparison.Ordinal);
    }
}
