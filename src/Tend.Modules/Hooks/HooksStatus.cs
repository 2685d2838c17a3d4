using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Nagios;

namespace Tend.Modules.Hooks;

/// <summary>The hooks module's state: the Nagios generator (when configured) and each exec hook.</summary>
/// <param name="Nagios">The generator's status, or <c>null</c>.</param>
/// <param name="Exec">Each exec hook, in configuration order.</param>
public sealed record HooksStatus(NagiosStatus? Nagios, IReadOnlyList<ExecHookStatus> Exec);
