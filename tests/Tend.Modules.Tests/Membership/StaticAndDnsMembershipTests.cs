using Tend.Modules.Membership;
using Tend.Modules.Membership.Inventories;
using Xunit;

namespace Tend.Modules.Tests.Membership;

/// <summary>The static and DNS SRV inventories, for machines outside AWS, on real etcd members.</summary>
public sealed class StaticAndDnsMembershipTests
{
    [Fact]
    public async Task Static_ThreeStartTogetherThenOneReplaced_ClusterFollowsTheList()
    {
        await using var group = new AwsGroupHarness();
        var addresses = new Dictionary<string, string> { ["etcd-a"] = LoopbackAddresses.Next(), ["etcd-b"] = LoopbackAddresses.Next(), ["etcd-c"] = LoopbackAddresses.Next() };
        IReadOnlyList<StaticMember> List() => [.. addresses.Select(a => new StaticMember(a.Key, a.Value))];
        AwsGroupHarness.Machine Add(string name) => group.AddMachine(name, addresses[name], o => o with { Inventory = MembershipInventoryKind.Static, Members = List(), Name = name });

        var machines = await AwsGroupHarness.BootstrapAsync([Add("etcd-a"), Add("etcd-b"), Add("etcd-c")]);
        Assert.Equal(["etcd-a", "etcd-b", "etcd-c"], (await AwsGroupHarness.MembersAsync(machines[0])).Select(m => m.Name).Order(StringComparer.Ordinal));

        // etcd-c is retired and etcd-d takes its place in tend.toml on every machine.
        machines[2].Etcd!.Kill();
        addresses.Remove("etcd-c");
        addresses["etcd-d"] = LoopbackAddresses.Next();
        var d = Add("etcd-d");
        foreach (var m in machines)
        {
            m.Options = m.Options with { Members = List() };
        }

        var joined = await d.SettleUntilAsync(r => r.Self == SelfMembership.Learner, TimeSpan.FromSeconds(60));
        Assert.Equal("existing", d.Environment["ETCD_INITIAL_CLUSTER_STATE"]);
        d.StartEtcd();
        var settled = await d.SettleAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(SelfMembership.Voter, settled.Self);
        var members = await AwsGroupHarness.MembersAsync(machines[0]);
        Assert.Equal(["etcd-a", "etcd-b", "etcd-d"], members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(members, m => Assert.False(m.IsLearner));
        Assert.NotNull(joined);
    }

    [Fact]
    public async Task Dns_SrvRecordsListThreeMachines_OneClusterNamedByTarget()
    {
        await using var group = new AwsGroupHarness();
        var targets = new[] { LoopbackAddresses.Next(), LoopbackAddresses.Next(), LoopbackAddresses.Next() };
        var dns = new ScriptedSrv { [DnsInventory.RecordName("cluster.test", "http")] = [.. targets.Select(t => (t + ".", group.PeerPort))] };
        AwsGroupHarness.Machine Add(string target) => group.AddMachine(
            target,
            target,
            o => o with { Inventory = MembershipInventoryKind.Dns, Domain = "cluster.test", Name = target },
            o => new DnsInventory(dns, o.Domain!, o.PeerScheme, o.Name!));

        var machines = await AwsGroupHarness.BootstrapAsync([.. targets.Select(Add)]);

        Assert.Equal("_etcd-server._tcp.cluster.test", dns.Asked.Distinct().Single());
        Assert.Equal(targets.Order(StringComparer.Ordinal), (await AwsGroupHarness.MembersAsync(machines[0])).Select(m => m.Name).Order(StringComparer.Ordinal));
        // The healthy count is awaited: a cluster this young may still be settling its leader on a loaded machine.
        var again = await machines[1].SettleUntilAsync(r => r.Self == SelfMembership.Voter && r.Healthy == 3, TimeSpan.FromSeconds(60));
        Assert.Equal(SelfMembership.Voter, again.Self);
        Assert.Equal(3, again.Healthy);
    }

    [Fact]
    public async Task Dns_LookupFails_ClearErrorNothingWritten()
    {
        await using var group = new AwsGroupHarness();
        var address = LoopbackAddresses.Next();
        var machine = group.AddMachine(
            "dns-fail",
            address,
            o => o with { Inventory = MembershipInventoryKind.Dns, Domain = "missing.test", Name = address },
            o => new DnsInventory(new ScriptedSrv(), o.Domain!, "https", o.Name!));

        var result = await machine.PassAsync();

        Assert.Equal(MembershipOutcome.Failed, result.Outcome);
        Assert.Contains("_etcd-server-ssl._tcp.missing.test", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(machine.EnvironmentFile));
    }

    /// <summary>SRV answers from a table; a name it lacks fails as a resolver's NXDOMAIN does.</summary>
    private sealed class ScriptedSrv : Dictionary<string, List<(string Target, int Port)>>, ISrvLookup
    {
        public List<string> Asked { get; } = [];

        public Task<IReadOnlyList<(string Target, int Port)>> LookupAsync(string name, CancellationToken cancellationToken = default)
        {
            lock (Asked)
            {
                Asked.Add(name);
            }

            return TryGetValue(name, out var records)
                ? Task.FromResult<IReadOnlyList<(string Target, int Port)>>(records)
                : throw new MembershipInventoryException($"DNS SRV lookup of {name} failed: the name does not exist");
        }
    }
}
