namespace Tend.Modules.Membership;

/// <summary>A change to the cluster's membership.</summary>
internal enum ReconcileActionKind
{
    /// <summary>Remove a member whose machine is gone.</summary>
    Remove,

    /// <summary>Add this machine.</summary>
    Add,

    /// <summary>Make a caught-up learner a voting member.</summary>
    Promote,
}
