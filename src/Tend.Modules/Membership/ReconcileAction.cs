namespace Tend.Modules.Membership;

/// <summary>The next change a pass makes.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="MemberId">The member removed or promoted (0 for an add).</param>
/// <param name="MemberName">Its name, for messages.</param>
/// <param name="PeerUrls">The peer URLs added (an add only).</param>
/// <param name="AsLearner">Add as a learner.</param>
/// <param name="Reason">Why, for the log.</param>
internal sealed record ReconcileAction(ReconcileActionKind Kind, ulong MemberId, string MemberName, IReadOnlyList<string> PeerUrls, bool AsLearner, string Reason);
