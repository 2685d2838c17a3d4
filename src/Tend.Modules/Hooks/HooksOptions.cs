using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;

namespace Tend.Modules.Hooks;

/// <summary>The <c>[hooks]</c> section: the host inventory, the Nagios generator and the exec hooks.</summary>
public sealed record HooksOptions
{
    /// <summary>Where hosts live and how they are named (<c>/getall</c>, <c>/putall</c>, <c>tend hosts</c>, the Nagios files).</summary>
    public HostInventoryOptions Inventory { get; init; } = new();

    /// <summary>The Nagios generator; <c>null</c> unless <c>[hooks.nagios] hosts_file</c> is set.</summary>
    public NagiosOptions? Nagios { get; init; }

    /// <summary>The <c>[[hooks.exec]]</c> hooks, in file order.</summary>
    public IReadOnlyList<ExecHookOptions> Exec { get; init; } = [];
}
