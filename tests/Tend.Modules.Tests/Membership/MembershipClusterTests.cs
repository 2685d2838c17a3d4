using Microsoft.Extensions.Logging;
using Tend.Modules.Membership;
using Xunit;

namespace Tend.Modules.Tests.Membership;

/// <summary>
/// The membership module against real etcd 3.4 members on loopback, each started from the environment file Tend
/// wrote; the auto-scaling group and the instance metadata are test doubles at the SDK's endpoint seam.
/// </summary>
public sealed class MembershipClusterTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Pass_ThreeSimultaneousStarters_OneClusterOfThree()
    {
        await using var group = new AwsGroupHarness();
        var machines = await group.BootstrapAsync("i-0a", "i-0b", "i-0c");

        // Every starter wrote the same list (in instance-id order), so etcd's bootstrap made one cluster of them.
        var lists = machines.Select(m => m.Environment["ETCD_INITIAL_CLUSTER"]).Distinct().ToList();
        Assert.Equal($"i-0a={machines[0].PeerUrl},i-0b={machines[1].PeerUrl},i-0c={machines[2].PeerUrl}", Assert.Single(lists));
        Assert.All(machines, m => Assert.Equal("new", m.Environment["ETCD_INITIAL_CLUSTER_STATE"]));
        Assert.All(machines, m => Assert.Equal(m.Id, m.Environment["ETCD_NAME"]));
        Assert.All(machines, m => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(m.EnvironmentFile)));

        var views = await Task.WhenAll(machines.Select(AwsGroupHarness.MembersAsync));
        var ids = views.Select(v => string.Join(',', v.Select(x => x.Id).Order())).Distinct().ToList();
        Assert.Single(ids);
        Assert.Equal(["i-0a", "i-0b", "i-0c"], views[0].Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(views[0], m => Assert.False(m.IsLearner));

        // Once formed, every pass finds it, changes nothing and records it as existing; a young cluster on a loaded
        // machine may still fail a member's linearizable health read for a moment (an election), so the count of
        // healthy members is awaited (a pass during one may even find no member answering, as at bootstrap), while
        // every pass on the way must change nothing.
        foreach (var m in machines)
        {
            var again = await m.SettleUntilAsync(
                r =>
                {
                    Assert.Equal(0, r.Added + r.Removed + r.Promoted);
                    return r.Outcome == MembershipOutcome.Settled && r.Self == SelfMembership.Voter && r.Healthy == 3;
                },
                Long);
            Assert.Equal(SelfMembership.Voter, again.Self);
            Assert.Equal("existing", m.Environment["ETCD_INITIAL_CLUSTER_STATE"]);
            Assert.True(again.Healthy == 3, $"{again.Healthy} healthy\n{string.Join('\n', group.Log.Lines.Select(l => l.Text))}");
        }
    }

    [Fact]
    public async Task Pass_InstanceTerminatedAndReplaced_GoneMemberRemovedReplacementJoinsAsExisting()
    {
        await using var group = new AwsGroupHarness();
        var machines = await group.BootstrapAsync("i-1a", "i-1b", "i-1c");
        var goneId = (await AwsGroupHarness.MembersAsync(machines[0])).Single(m => m.Name == "i-1c").Id;
        machines[2].Etcd!.Kill();
        group.Ec2.SetState("i-1c", "terminated");
        var replacement = group.Launch("i-1d");

        // etcd refuses reconfigurations until every voter has been connected for 5 s (a cluster this young, or one
        // that just lost a member): such a pass waits, and a later one goes on.
        int removed = 0, added = 0;
        MembershipPassResult first = null!;
        await AwsGroupHarness.EventuallyAsync(
            async () =>
            {
                first = await replacement.PassAsync();
                Assert.NotEqual(MembershipOutcome.Failed, first.Outcome);
                (removed, added) = (removed + first.Removed, added + first.Added);
                return first.Self == SelfMembership.Learner;
            },
            Long,
            "the replacement added as a learner");

        Assert.Equal((1, 1), (removed, added));
        Assert.True(group.Log.Contains(LogLevel.Warning, $"removed i-1c [{goneId:x16}]"), string.Join('\n', group.Log.Lines.Select(l => l.Text)));
        var env = replacement.Environment;
        Assert.Equal("existing", env["ETCD_INITIAL_CLUSTER_STATE"]);
        Assert.Equal("i-1d", env["ETCD_NAME"]);
        Assert.Equal($"i-1a={machines[0].PeerUrl},i-1b={machines[1].PeerUrl},i-1d={replacement.PeerUrl}", env["ETCD_INITIAL_CLUSTER"]);
        Assert.Equal(replacement.ClientUrl, env["ETCD_ADVERTISE_CLIENT_URLS"]);

        // etcd starts from that file as a learner, catches up, and a later pass promotes it.
        replacement.StartEtcd();
        var settled = await replacement.SettleAsync(Long);
        Assert.Equal(MembershipOutcome.Settled, settled.Outcome);
        Assert.Equal(SelfMembership.Voter, settled.Self);

        var members = await AwsGroupHarness.MembersAsync(machines[0]);
        Assert.Equal(["i-1a", "i-1b", "i-1d"], members.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(members, m => Assert.False(m.IsLearner));
        await replacement.Etcd!.WaitHealthyAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Pass_MemberDownButInstanceRunning_NotRemoved()
    {
        await using var group = new AwsGroupHarness();
        var machines = await group.BootstrapAsync("i-2a", "i-2b", "i-2c");
        machines[1].Etcd!.Kill();

        // Killing a member may cost the cluster an election: passes during it count fewer healthy members, and none
        // may remove or plan to remove anything.
        var result = await machines[0].SettleUntilAsync(
            r =>
            {
                Assert.Equal(MembershipOutcome.Settled, r.Outcome);
                Assert.Equal(0, r.Removed);
                Assert.Empty(r.Withheld);
                return r.Healthy == 2;
            },
            Long);

        Assert.True(result.Healthy == 2, $"{result.Healthy} healthy\n{string.Join('\n', group.Log.Lines.Select(l => l.Text))}");
        Assert.Equal(3, (await AwsGroupHarness.MembersAsync(machines[0])).Count);

        // The member comes back on its own data; nothing had to be redone.
        machines[1].StartEtcd();
        await machines[1].Etcd!.WaitHealthyAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Pass_RemovalWouldBreakQuorum_MemberKeptUntilSafe()
    {
        await using var group = new AwsGroupHarness();
        var machines = await group.BootstrapAsync("i-3a", "i-3b", "i-3c");

        // i-3b is down (its instance runs); i-3c's instance is terminating but its etcd still answers.
        machines[1].Etcd!.Kill();
        group.Ec2.SetState("i-3c", "shutting-down");

        // Killing a member may cost the cluster an election: passes during it see fewer healthy members or wait
        // for the cluster, and none may remove anything; once it has settled, the removal is withheld and says why.
        var withheld = await machines[0].SettleUntilAsync(
            r =>
            {
                Assert.Equal(0, r.Removed);
                return r.Withheld.Any(w => w.Contains("i-3c", StringComparison.Ordinal) && w.Contains("quorum needs 2", StringComparison.Ordinal));
            },
            Long);
        Assert.Equal(0, withheld.Removed);
        Assert.Contains(withheld.Withheld, w => w.Contains("i-3c", StringComparison.Ordinal) && w.Contains("quorum needs 2", StringComparison.Ordinal));
        Assert.Equal(3, (await AwsGroupHarness.MembersAsync(machines[0])).Count);
        Assert.True(group.Log.Contains(LogLevel.Warning, "keeping member i-3c"));

        // With i-3b back, removing i-3c leaves two healthy voters of two: it goes.
        machines[1].StartEtcd();
        await machines[1].Etcd!.WaitHealthyAsync(TimeSpan.FromSeconds(30));
        MembershipPassResult after = withheld;
        await AwsGroupHarness.EventuallyAsync(async () => (after = await machines[0].PassAsync()).Removed == 1, Long, "i-3c removed once i-3b is back");
        Assert.Equal(["i-3a", "i-3b"], (await AwsGroupHarness.MembersAsync(machines[0])).Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Empty(after.Withheld);
    }

    [Fact]
    public async Task Pass_ProxyMode_WritesEndpointsAndChangesNothing()
    {
        await using var group = new AwsGroupHarness();
        var machines = await group.BootstrapAsync("i-4a", "i-4b", "i-4c");
        var before = await AwsGroupHarness.MembersAsync(machines[0]);

        // A gone member would be removed by a member's pass; a consumer's pass must leave it.
        machines[2].Etcd!.Kill();
        group.Ec2.SetState("i-4c", "terminated");
        var consumer = group.Launch("i-4z", group: "consumers", proxy: true);

        var result = await consumer.PassAsync();

        Assert.Equal(MembershipOutcome.Settled, result.Outcome);
        Assert.Equal(SelfMembership.Proxy, result.Self);
        var env = consumer.Environment;
        Assert.Equal("on", env["ETCD_PROXY"]);
        Assert.Equal("existing", env["ETCD_INITIAL_CLUSTER_STATE"]);
        Assert.Equal("i-4z", env["ETCD_NAME"]);
        Assert.Equal(string.Join(',', machines.Select(m => m.ClientUrl).Order(StringComparer.Ordinal)), env["ETCD_ENDPOINTS"]);
        Assert.False(env.ContainsKey("ETCD_INITIAL_ADVERTISE_PEER_URLS"));
        var after = await AwsGroupHarness.MembersAsync(machines[0]);
        Assert.Equal(before.Select(m => m.Id).Order(), after.Select(m => m.Id).Order());
    }

    [Fact]
    public async Task Pass_MetadataUnreachable_ClearErrorAndNothingChanged()
    {
        await using var group = new AwsGroupHarness();
        var machines = await group.BootstrapAsync("i-5a");
        var machine = machines[0];
        var before = await File.ReadAllTextAsync(machine.EnvironmentFile);
        var members = await AwsGroupHarness.MembersAsync(machine);
        await machine.Metadata.DisposeAsync();
        await machine.RestartTendAsync();

        var result = await machine.PassAsync();

        Assert.Equal(MembershipOutcome.Failed, result.Outcome);
        Assert.True(result.InventoryFailed);
        Assert.Contains($"instance metadata at {machine.Metadata.Endpoint} did not answer", result.Error, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(machine.EnvironmentFile));
        Assert.Equal(members.Select(m => m.Id), (await AwsGroupHarness.MembersAsync(machine)).Select(m => m.Id));
        Assert.True(group.Log.Contains(LogLevel.Error, "nothing was changed"));
    }
}
