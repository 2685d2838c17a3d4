namespace Tend.Modules.Membership;

/// <summary>What a pass should do next, and what it may write.</summary>
/// <param name="State"><c>new</c> when no member answered, else <c>existing</c>.</param>
/// <param name="Next">The next change, or <c>null</c> when nothing (more) is to be done.</param>
/// <param name="Withheld">Changes that are due but not safe or not possible now, each a sentence saying why.</param>
/// <param name="Environment">The environment file to write, or <c>null</c> when no content would be right yet.</param>
/// <param name="Self">This machine's place in the cluster.</param>
internal sealed record ReconcilePlan(string State, ReconcileAction? Next, IReadOnlyList<string> Withheld, EtcdEnvironment? Environment, SelfMembership Self);
