using System.Globalization;
using Tend.Modules.Membership.Inventories;
using Tend.Stores.Etcd;

namespace Tend.Modules.Membership;

/// <summary>
/// Decides a pass's next change from the inventory and the cluster, as a pure function. A pass plans, makes the
/// one change, reads the cluster again and plans again, so every change is judged on fresh facts.
/// </summary>
/// <remarks>
/// <para>Identity: a member is this machine when its name is this machine's name, or when it has no name yet (added,
/// never started) and its peer URL is this machine's. Other members are matched to the inventory the same way; a
/// member that matches nothing is gone. A named member whose name the inventory lacks but whose peer URL belongs to
/// a candidate holds an address that has since been given to another machine (EC2 reuses private IPs): it is gone
/// when it does not answer, and left alone, with a warning, while it does.</para>
/// <para>Order: removals first (one at a time; learners and members that do not answer first), then adding this
/// machine, then promoting caught-up learners. A voting member is removed only when the voting members that remain
/// would still have a healthy quorum; this machine is never removed.</para>
/// </remarks>
internal static class ReconcilePlanner
{
    public static ReconcilePlan Plan(ReconcileInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inventory = input.Inventory;
        if (input.ProxyMode)
        {
            return PlanProxy(input);
        }

        var self = inventory.Self;
        var state = input.Cluster is null ? "new" : "existing";
        if (self is null)
        {
            return Blocked(state, $"{inventory.SelfName} is not a candidate in {inventory.Source}; refusing to take part (a consumer runs in proxy mode)");
        }

        if (self.Host is null)
        {
            return Blocked(state, $"{inventory.SelfName} has no address in {inventory.Source} yet");
        }

        return input.Cluster is null ? PlanNew(input, self) : PlanExisting(input, self, input.Cluster);
    }

    private static ReconcilePlan PlanNew(ReconcileInput input, InventoryMember self)
    {
        // Every machine started together computes this same list (the same candidates, sorted by name, in the same
        // address form), so etcd's own bootstrap joins them into one cluster.
        var candidates = input.Inventory.Candidates;
        var unaddressed = candidates.Where(c => c.Host is null).Select(c => c.Name).ToList();
        if (unaddressed.Count > 0)
        {
            return Blocked("new", $"no member answers and {string.Join(", ", unaddressed)} in {input.Inventory.Source} has no address yet; waiting so every machine bootstraps with the same list");
        }

        var urls = input.Urls;
        var env = new EtcdEnvironment(
            "new",
            self.Name,
            [.. candidates.Select(c => (c.Name, urls.Peer(c)))],
            [urls.Peer(self)],
            [urls.Client(self)],
            Proxy: false,
            []);
        return new ReconcilePlan("new", null, [], env, SelfMembership.Bootstrapping);
    }

    private static ReconcilePlan PlanExisting(ReconcileInput input, InventoryMember self, ClusterView cluster)
    {
        var urls = input.Urls;
        var inventory = input.Inventory;
        var selfPeer = urls.Peer(self);
        var byName = inventory.Candidates.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var withheld = new List<string>();

        bool IsSelf(EtcdMember m) =>
            string.Equals(m.Name, self.Name, StringComparison.Ordinal)
            || (m.Name.Length == 0 && m.PeerUrls.Any(u => MemberUrls.Same(u, selfPeer)));

        InventoryMember? OwnerOfPeerUrl(EtcdMember m) =>
            inventory.Candidates.FirstOrDefault(c => c.Host is not null && m.PeerUrls.Any(u => MemberUrls.Same(u, urls.Peer(c))));

        InventoryMember? CandidateOf(EtcdMember m) =>
            m.Name.Length > 0 ? byName.GetValueOrDefault(m.Name) : OwnerOfPeerUrl(m);

        // 1. Removals.
        var gone = cluster.Members
            .Where(m => !IsSelf(m) && CandidateOf(m) is null)
            .OrderBy(m => cluster.IsHealthy(m))
            .ThenBy(m => !m.IsLearner)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Id)
            .ToList();
        foreach (var m in gone)
        {
            var describe = Describe(m);
            if (OwnerOfPeerUrl(m) is { } holder && cluster.IsHealthy(m))
            {
                withheld.Add($"keeping {describe}: {inventory.Source} does not list it, but it answers at {string.Join(',', m.PeerUrls)}, an address that now belongs to {holder.Name}; remove it by hand if it is stale");
                continue;
            }

            var facts = $"not in {inventory.Source}" + (DepartedState(inventory, m) is { } d ? $", {d}" : string.Empty)
                + (cluster.IsHealthy(m) ? ", still answers" : ", does not answer");
            var why = $"{describe}: {facts}";
            if (m.IsLearner)
            {
                return Next(input, self, cluster, new ReconcileAction(ReconcileActionKind.Remove, m.Id, MemberName(m), m.PeerUrls, false, why), withheld);
            }

            var remaining = cluster.Voters.Where(v => v.Id != m.Id).ToList();
            int healthy = remaining.Count(cluster.IsHealthy);
            int quorum = ClusterView.Quorum(remaining.Count);
            if (remaining.Count == 0)
            {
                withheld.Add($"keeping {describe} ({facts}): it is the last voting member");
            }
            else if (healthy < quorum)
            {
                withheld.Add($"keeping {describe} ({facts}): without it {healthy} of {remaining.Count} voting members would be healthy and quorum needs {quorum}");
            }
            else
            {
                return Next(input, self, cluster, new ReconcileAction(ReconcileActionKind.Remove, m.Id, MemberName(m), m.PeerUrls, false, why), withheld);
            }
        }

        // 2. This machine.
        var me = cluster.Members.FirstOrDefault(IsSelf);
        if (me is null)
        {
            var voters = cluster.Voters.ToList();
            int healthy = voters.Count(cluster.IsHealthy);
            int quorum = ClusterView.Quorum(voters.Count);
            if (healthy < quorum)
            {
                withheld.Add($"cannot add {self.Name}: {healthy} of {voters.Count} voting members are healthy and a change needs {quorum}");
                return new ReconcilePlan("existing", null, withheld, null, SelfMembership.None);
            }

            if (!input.Learner && healthy < ClusterView.Quorum(voters.Count + 1))
            {
                withheld.Add($"cannot add {self.Name} as a voting member: until it runs, {healthy} of {voters.Count + 1} voting members would be healthy and quorum needs {ClusterView.Quorum(voters.Count + 1)} (join as a learner instead)");
                return new ReconcilePlan("existing", null, withheld, null, SelfMembership.None);
            }

            var add = new ReconcileAction(ReconcileActionKind.Add, 0, self.Name, [selfPeer], input.Learner, $"{self.Name} is in {inventory.Source} but not a member");
            return new ReconcilePlan("existing", add, withheld, null, SelfMembership.None);
        }

        // 3. Promotions: learners that belong here and have started (one never started cannot have caught up).
        var learner = cluster.Members
            .Where(m => m.IsLearner && m.Name.Length > 0 && !input.PromotionRefused.Contains(m.Id) && (IsSelf(m) || CandidateOf(m) is not null))
            .OrderBy(m => !IsSelf(m))
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (learner is not null)
        {
            var promote = new ReconcileAction(ReconcileActionKind.Promote, learner.Id, learner.Name, learner.PeerUrls, false, $"learner {learner.Name} belongs in the cluster");
            return Next(input, self, cluster, promote, withheld);
        }

        return Next(input, self, cluster, null, withheld);
    }

    private static ReconcilePlan Next(ReconcileInput input, InventoryMember self, ClusterView cluster, ReconcileAction? next, List<string> withheld)
    {
        var urls = input.Urls;
        var selfPeer = urls.Peer(self);
        var me = cluster.Members.FirstOrDefault(m =>
            string.Equals(m.Name, self.Name, StringComparison.Ordinal) || (m.Name.Length == 0 && m.PeerUrls.Any(u => MemberUrls.Same(u, selfPeer))));
        if (me is null)
        {
            // Not a member: a file saying "existing" would not start, and "new" would start a second cluster.
            return new ReconcilePlan("existing", next, withheld, null, SelfMembership.None);
        }

        var byPeer = input.Inventory.Candidates.Where(c => c.Host is not null).ToList();
        var initial = new List<(string Name, string PeerUrl)>();
        foreach (var m in cluster.Members)
        {
            // etcd matches the initial cluster to the running one by peer URLs; names only have to be unique, and
            // this machine's entry must carry its own name.
            string name = ReferenceEquals(m, me) ? self.Name
                : m.Name.Length > 0 ? m.Name
                : byPeer.FirstOrDefault(c => m.PeerUrls.Any(u => MemberUrls.Same(u, urls.Peer(c))))?.Name
                ?? "member-" + m.Id.ToString("x16", CultureInfo.InvariantCulture);
            initial.AddRange(m.PeerUrls.Select(u => (name, u)));
        }

        initial.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var c and not 0 ? c : string.CompareOrdinal(a.PeerUrl, b.PeerUrl));
        var env = new EtcdEnvironment(
            "existing",
            self.Name,
            initial,
            me.PeerUrls.Count > 0 ? me.PeerUrls : [selfPeer],
            [urls.Client(self)],
            Proxy: false,
            []);
        return new ReconcilePlan("existing", next, withheld, env, me.IsLearner ? SelfMembership.Learner : SelfMembership.Voter);
    }

    private static ReconcilePlan PlanProxy(ReconcileInput input)
    {
        var urls = input.Urls;
        var inventory = input.Inventory;
        List<(string Name, string PeerUrl)> initial;
        List<string> endpoints;
        if (input.Cluster is { } cluster)
        {
            initial = [.. cluster.Members
                .SelectMany(m => m.PeerUrls.Select(u => (Name: m.Name.Length > 0 ? m.Name : "member-" + m.Id.ToString("x16", CultureInfo.InvariantCulture), PeerUrl: u)))
                .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.PeerUrl, StringComparer.Ordinal)];
            endpoints = [.. cluster.Members.SelectMany(m => m.ClientUrls).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
        else
        {
            var addressed = inventory.Candidates.Where(c => c.Host is not null).ToList();
            initial = [.. addressed.Select(c => (c.Name, urls.Peer(c)))];
            endpoints = [.. addressed.Select(urls.Client)];
        }

        if (initial.Count == 0 || endpoints.Count == 0)
        {
            return new ReconcilePlan("existing", null, [$"{inventory.Source} lists no etcd member to point consumers at"], null, SelfMembership.Proxy);
        }

        // etcd-discovery always wrote "existing" for consumers: a proxy never bootstraps anything.
        var env = new EtcdEnvironment("existing", inventory.SelfName, initial, [], [], Proxy: true, endpoints);
        return new ReconcilePlan("existing", null, [], env, SelfMembership.Proxy);
    }

    private static ReconcilePlan Blocked(string state, string reason) => new(state, null, [reason], null, SelfMembership.None);

    private static string MemberName(EtcdMember m) => m.Name.Length > 0 ? m.Name : "(not started)";

    private static string Describe(EtcdMember m) =>
        (m.IsLearner ? "learner " : "member ") + (m.Name.Length > 0 ? m.Name : "(not started)")
        + " [" + m.Id.ToString("x16", CultureInfo.InvariantCulture) + "]";

    private static string? DepartedState(InventorySnapshot inventory, EtcdMember m) =>
        inventory.Departed.Contains(m.Name, StringComparer.Ordinal) ? "its machine is going or gone" : null;
}
