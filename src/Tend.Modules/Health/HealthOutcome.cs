using Tend.Modules.Checks;

namespace Tend.Modules.Health;

/// <summary>One evaluation of a check: the node's role, what the resource itself showed, and the result the role makes of it.</summary>
/// <param name="Role">The cluster role.</param>
/// <param name="Raw">The check of the local resource alone.</param>
/// <param name="Result">The check's state for this role (what is published, reported and exited with).</param>
public sealed record HealthOutcome(ClusterRole Role, CheckResult Raw, CheckResult Result);
