using System.Text.Json.Serialization;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;

namespace Tend.Modules.Hooks;

/// <summary>Source-generated JSON of the hooks' settings, which <see cref="HooksModule"/> compares to tell a changed hook from an unchanged one.</summary>
[JsonSerializable(typeof(HostInventoryOptions))]
[JsonSerializable(typeof(NagiosOptions))]
[JsonSerializable(typeof(ExecHookOptions))]
internal sealed partial class HooksIdentityJsonContext : JsonSerializerContext;
