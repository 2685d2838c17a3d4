namespace Tend.Modules.Membership;

/// <summary>This machine's place in the cluster, as a plan sees it.</summary>
public enum SelfMembership
{
    /// <summary>Not a member (yet).</summary>
    None,

    /// <summary>Not known: no member answered.</summary>
    Unknown,

    /// <summary>In the initial member list of a cluster about to be bootstrapped.</summary>
    Bootstrapping,

    /// <summary>A learner, waiting to be promoted.</summary>
    Learner,

    /// <summary>A voting member.</summary>
    Voter,

    /// <summary>A consumer (proxy mode): never a member.</summary>
    Proxy,
}
