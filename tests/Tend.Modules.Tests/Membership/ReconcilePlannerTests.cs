using Tend.Modules.Membership;
using Tend.Modules.Membership.Inventories;
using Tend.Stores.Etcd;
using Xunit;

namespace Tend.Modules.Tests.Membership;

public sealed class ReconcilePlannerTests
{
    private static readonly MemberUrls Urls = new("https", 2379, "https", 2380);

    [Fact]
    public void Plan_NoClusterAnyStarter_EveryStarterWritesTheSameSortedList()
    {
        // Three machines starting together may see the group in any order; each must write the same cluster.
        var names = new[] { "i-c", "i-a", "i-b" };
        var plans = names.Select(self =>
            Plan(Inventory(self, [.. names.OrderBy(n => n == self ? 0 : 1).Select(n => new InventoryMember(n, Host(n)))]), cluster: null)).ToList();

        Assert.All(plans, p =>
        {
            Assert.Equal("new", p.State);
            Assert.Null(p.Next);
            Assert.Equal(SelfMembership.Bootstrapping, p.Self);
            Assert.Equal([("i-a", "https://10.0.0.97:2380"), ("i-b", "https://10.0.0.98:2380"), ("i-c", "https://10.0.0.99:2380")], p.Environment!.InitialCluster);
        });
        var b = plans[2].Environment!;
        Assert.Equal("i-b", b.Name);
        Assert.Equal(["https://10.0.0.98:2380"], b.AdvertisePeerUrls);
        Assert.Equal(["https://10.0.0.98:2379"], b.AdvertiseClientUrls);
        Assert.Equal(
            "# Written by tend membership (etcd-discovery); rewritten on every change, do not edit.\n"
            + "ETCD_INITIAL_CLUSTER_STATE=\"new\"\nETCD_NAME=\"i-b\"\n"
            + "ETCD_INITIAL_CLUSTER=\"i-a=https://10.0.0.97:2380,i-b=https://10.0.0.98:2380,i-c=https://10.0.0.99:2380\"\n"
            + "ETCD_INITIAL_ADVERTISE_PEER_URLS=\"https://10.0.0.98:2380\"\nETCD_ADVERTISE_CLIENT_URLS=\"https://10.0.0.98:2379\"\n"
            + "ETCD_PROXY=\"off\"\n",
            b.Render());
    }

    [Fact]
    public void Plan_NoClusterCandidateWithoutAddress_WritesNothingAndSaysWhy()
    {
        var plan = Plan(Inventory("i-a", [new("i-a", Host("i-a")), new("i-b", null)]), null);

        Assert.Null(plan.Environment);
        Assert.Null(plan.Next);
        Assert.Contains("i-b", Assert.Single(plan.Withheld), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SelfNotInInventory_RefusesToTakePart()
    {
        var plan = Plan(Inventory("i-x", [new("i-a", Host("i-a"))]), Cluster([Voter(1, "i-a")], healthy: [1]));

        Assert.Null(plan.Environment);
        Assert.Null(plan.Next);
        Assert.Contains("i-x is not a candidate", Assert.Single(plan.Withheld), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ExistingClusterSelfNotMember_AddsSelfAsLearnerAndWritesNothingYet()
    {
        var plan = Plan(Inventory("i-d", Members("i-a", "i-b", "i-c", "i-d")), Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-c")], healthy: [1, 2, 3]));

        var add = Assert.IsType<ReconcileAction>(plan.Next);
        Assert.Equal(ReconcileActionKind.Add, add.Kind);
        Assert.True(add.AsLearner);
        Assert.Equal(["https://10.0.0.100:2380"], add.PeerUrls);
        Assert.Null(plan.Environment);
        Assert.Equal("existing", plan.State);
    }

    [Fact]
    public void Plan_SelfAddedNotStarted_WritesExistingWithCurrentMembers()
    {
        // After the add: the new member has no name yet; it is found by its peer URL and named as this machine.
        var plan = Plan(
            Inventory("i-d", Members("i-a", "i-b", "i-d")),
            Cluster([Voter(1, "i-a"), Voter(2, "i-b"), new EtcdMember(4, string.Empty, ["https://10.0.0.100:2380"], [], true)], healthy: [1, 2]));

        Assert.Null(plan.Next);
        Assert.Equal(SelfMembership.Learner, plan.Self);
        var env = plan.Environment!;
        Assert.Equal("existing", env.State);
        Assert.Equal("i-d", env.Name);
        Assert.Equal([("i-a", "https://10.0.0.97:2380"), ("i-b", "https://10.0.0.98:2380"), ("i-d", "https://10.0.0.100:2380")], env.InitialCluster);
    }

    [Fact]
    public void Plan_ExistingFileListsMembersNotInventory_DownMemberStillInGroupStays()
    {
        // i-b is down but its instance still runs: it is neither removed nor dropped from the file.
        var plan = Plan(Inventory("i-a", Members("i-a", "i-b", "i-c")), Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-c")], healthy: [1, 3]));

        Assert.Null(plan.Next);
        Assert.Empty(plan.Withheld);
        Assert.Equal(3, plan.Environment!.InitialCluster.Count);
        Assert.Equal(SelfMembership.Voter, plan.Self);
    }

    [Fact]
    public void Plan_GoneMemberQuorumKept_RemovesIt()
    {
        var inventory = Inventory("i-a", Members("i-a", "i-b"), departed: ["i-c"]);
        var plan = Plan(inventory, Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-c")], healthy: [1, 2]));

        var remove = Assert.IsType<ReconcileAction>(plan.Next);
        Assert.Equal(ReconcileActionKind.Remove, remove.Kind);
        Assert.Equal(3UL, remove.MemberId);
        Assert.Contains("going or gone", remove.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RemovalWouldLeaveNoHealthyQuorum_WithheldWithNumbers()
    {
        // i-b is down (still in the group); i-c is gone but still answers. Without i-c: 1 healthy of 2, quorum 2.
        var plan = Plan(Inventory("i-a", Members("i-a", "i-b")), Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-c")], healthy: [1, 3]));

        Assert.Null(plan.Next);
        var reason = Assert.Single(plan.Withheld);
        Assert.Contains("i-c", reason, StringComparison.Ordinal);
        Assert.Contains("1 of 2 voting members would be healthy and quorum needs 2", reason, StringComparison.Ordinal);
        Assert.NotNull(plan.Environment);
    }

    [Fact]
    public void Plan_SeveralGone_UnreachableLearnerFirstThenDownVoters()
    {
        var members = new[] { Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-c"), Voter(4, "i-old-up"), Voter(5, "i-old-down"), new EtcdMember(6, "i-learner", [Peer("i-learner")], [], true) };
        var plan = Plan(Inventory("i-a", Members("i-a", "i-b", "i-c")), Cluster(members, healthy: [1, 2, 3, 4]));

        Assert.Equal(6UL, plan.Next!.MemberId);
        var next = Plan(Inventory("i-a", Members("i-a", "i-b", "i-c")), Cluster(members[..5], healthy: [1, 2, 3, 4]));
        Assert.Equal(5UL, next.Next!.MemberId);
    }

    [Fact]
    public void Plan_LastVoterGone_NeverRemoved()
    {
        // A lone member whose inventory no longer lists it and is not this machine (a consumer sees it in proxy mode,
        // a member of a broken inventory here): the last voter is never removed.
        var plan = Plan(Inventory("i-new", Members("i-new")), Cluster([Voter(1, "i-old")], healthy: []));

        Assert.Null(plan.Next);
        Assert.Contains(plan.Withheld, w => w.Contains("last voting member", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_StaleMemberHoldsSelfAddressAndIsDown_RemovedBeforeTheAdd()
    {
        // EC2 gave the terminated i-old's private IP to this machine, i-new.
        var plan = Plan(
            Inventory("i-new", [new("i-a", Host("i-a")), new("i-new", "10.0.0.5")]),
            Cluster([Voter(1, "i-a"), new EtcdMember(2, "i-old", ["https://10.0.0.5:2380"], ["https://10.0.0.5:2379"], false)], healthy: [1]));

        Assert.Equal(ReconcileActionKind.Remove, plan.Next!.Kind);
        Assert.Equal(2UL, plan.Next.MemberId);
    }

    [Fact]
    public void Plan_StaleNameAnsweringAtCandidateAddress_LeftAloneWithWarning()
    {
        var plan = Plan(
            Inventory("i-a", [new("i-a", Host("i-a")), new("i-b", "10.0.0.5")]),
            Cluster([Voter(1, "i-a"), new EtcdMember(2, "etcd-legacy", ["https://10.0.0.5:2380"], ["https://10.0.0.5:2379"], false)], healthy: [1, 2]));

        Assert.Null(plan.Next);
        Assert.Contains("now belongs to i-b", Assert.Single(plan.Withheld), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_UnstartedMemberOfAnotherCandidate_NotGone()
    {
        // Another machine added itself and has not started yet: no name, matched by its peer URL.
        var plan = Plan(
            Inventory("i-a", Members("i-a", "i-b", "i-c")),
            Cluster([Voter(1, "i-a"), Voter(2, "i-b"), new EtcdMember(3, string.Empty, [Peer("i-c")], [], true)], healthy: [1, 2]));

        Assert.Null(plan.Next);
        Assert.Contains(("i-c", Peer("i-c")), plan.Environment!.InitialCluster);
    }

    [Fact]
    public void Plan_StartedLearnerOfCandidate_PromotedUnlessRefusedThisPass()
    {
        var cluster = Cluster([Voter(1, "i-a"), Voter(2, "i-b"), new EtcdMember(3, "i-c", [Peer("i-c")], [Client("i-c")], true)], healthy: [1, 2, 3]);
        var inventory = Inventory("i-c", Members("i-a", "i-b", "i-c"));

        var plan = Plan(inventory, cluster);
        Assert.Equal(ReconcileActionKind.Promote, plan.Next!.Kind);
        Assert.Equal(SelfMembership.Learner, plan.Self);

        var refused = ReconcilePlanner.Plan(new ReconcileInput { Urls = Urls, Inventory = inventory, Cluster = cluster, PromotionRefused = new HashSet<ulong> { 3 } });
        Assert.Null(refused.Next);
        Assert.Equal(SelfMembership.Learner, refused.Self);
        Assert.NotNull(refused.Environment);
    }

    [Fact]
    public void Plan_NoHealthyQuorum_DoesNotAddAndWritesNothing()
    {
        var plan = Plan(Inventory("i-d", Members("i-a", "i-b", "i-c", "i-d")), Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-c")], healthy: [1]));

        Assert.Null(plan.Next);
        Assert.Null(plan.Environment);
        Assert.Contains("1 of 3 voting members are healthy", Assert.Single(plan.Withheld), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_VotingAddWouldLoseQuorumUntilStarted_WithheldSuggestsLearner()
    {
        // Two voters, one down: a third voting member that has not started would need 2 of 3 healthy.
        var input = new ReconcileInput
        {
            Urls = Urls,
            Inventory = Inventory("i-c", Members("i-a", "i-b", "i-c")),
            Cluster = Cluster([Voter(1, "i-a"), Voter(2, "i-b")], healthy: [1, 2]),
            Learner = false,
        };
        Assert.Equal(ReconcileActionKind.Add, ReconcilePlanner.Plan(input).Next!.Kind);

        var down = ReconcilePlanner.Plan(input with { Cluster = Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-x")], healthy: [1, 2]) });
        Assert.Equal(ReconcileActionKind.Remove, down.Next!.Kind);

        Assert.False(ReconcilePlanner.Plan(input).Next!.AsLearner);
        var lonely = ReconcilePlanner.Plan(input with { Cluster = Cluster([Voter(1, "i-a")], healthy: [1]) });
        Assert.Null(lonely.Next);
        Assert.Contains("join as a learner instead", Assert.Single(lonely.Withheld), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ProxyMode_NeverChangesAndListsClientUrls()
    {
        // A gone member and a missing self would both mean changes for a member; a consumer makes none.
        var plan = ReconcilePlanner.Plan(new ReconcileInput
        {
            Urls = Urls,
            Inventory = Inventory("i-consumer", Members("i-a", "i-b")),
            Cluster = Cluster([Voter(1, "i-a"), Voter(2, "i-b"), Voter(3, "i-gone")], healthy: [1, 2]),
            ProxyMode = true,
        });

        Assert.Null(plan.Next);
        Assert.Equal(SelfMembership.Proxy, plan.Self);
        var env = plan.Environment!;
        Assert.True(env.Proxy);
        Assert.Equal("existing", env.State);
        Assert.Equal([Client("i-gone"), Client("i-a"), Client("i-b")], env.Endpoints);
        Assert.Empty(env.AdvertisePeerUrls);
        Assert.Contains("ETCD_PROXY=\"on\"", env.Render(), StringComparison.Ordinal);
        Assert.Contains($"ETCD_ENDPOINTS=\"{Client("i-gone")},{Client("i-a")},{Client("i-b")}\"", env.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ProxyModeNoClusterYet_PointsAtTheCandidates()
    {
        var plan = ReconcilePlanner.Plan(new ReconcileInput { Urls = Urls, Inventory = Inventory("i-consumer", Members("i-a", "i-b")), ProxyMode = true });

        Assert.Equal([Client("i-a"), Client("i-b")], plan.Environment!.Endpoints);
        Assert.Equal([("i-a", Peer("i-a")), ("i-b", Peer("i-b"))], plan.Environment.InitialCluster);
    }

    [Fact]
    public void Render_ValueWithQuote_Refused()
    {
        var env = new EtcdEnvironment("new", "bad\"name", [], [], [], false, []);

        var ex = Assert.Throws<FormatException>(env.Render);
        Assert.Contains("ETCD_NAME", ex.Message, StringComparison.Ordinal);
    }

    private static string Host(string name) => "10.0.0." + (name[^1] - 'a' + 97);

    private static string Peer(string name) => $"https://{Host(name)}:2380";

    private static string Client(string name) => $"https://{Host(name)}:2379";

    private static List<InventoryMember> Members(params string[] names) => [.. names.Select(n => new InventoryMember(n, Host(n)))];

    private static InventorySnapshot Inventory(string self, IReadOnlyList<InventoryMember> candidates, IReadOnlyList<string>? departed = null) =>
        new("auto-scaling group test", self, [.. candidates.OrderBy(c => c.Name, StringComparer.Ordinal)], departed ?? []);

    private static EtcdMember Voter(ulong id, string name) => new(id, name, [Peer(name)], [Client(name)], false);

    private static ClusterView Cluster(IReadOnlyList<EtcdMember> members, ulong[] healthy) => new(members, healthy.ToHashSet());

    private static ReconcilePlan Plan(InventorySnapshot inventory, ClusterView? cluster) =>
        ReconcilePlanner.Plan(new ReconcileInput { Urls = Urls, Inventory = inventory, Cluster = cluster });
}
