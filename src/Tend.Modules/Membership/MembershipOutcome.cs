namespace Tend.Modules.Membership;

/// <summary>How a membership pass ended.</summary>
public enum MembershipOutcome
{
    /// <summary>This machine is where it should be (a voting member, in the bootstrap list, or a consumer) and the file says so.</summary>
    Settled,

    /// <summary>Nothing failed, but this machine is not settled yet: a learner not caught up, or a change that is not safe now.</summary>
    Pending,

    /// <summary>Something failed (the inventory, an etcd call, the file); the message says what, and what was left as it was.</summary>
    Failed,
}
