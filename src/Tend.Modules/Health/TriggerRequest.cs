namespace Tend.Modules.Health;

/// <summary>One firing of a trigger: the key, its value, and what the trigger is told.</summary>
/// <param name="Key">The trigger key, <c>triggers/ENV/SERVICE/ROLE/STATE</c>.</param>
/// <param name="Value">A shell command, or a script starting with <c>#!</c>.</param>
/// <param name="Identity">This node (<c>@ENV</c>, <c>@HOST</c>, <c>@ROLE</c>).</param>
/// <param name="Service">The service whose check changed.</param>
/// <param name="Role">The node's cluster role.</param>
/// <param name="State">The state the check changed to.</param>
public sealed record TriggerRequest(string Key, string Value, HealthIdentity Identity, string Service, ClusterRole Role, string State);
