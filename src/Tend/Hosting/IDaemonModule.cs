using System.Text.Json;
using Tend.Core.Config;

namespace Tend.Hosting;

/// <summary>
/// One module as the daemon runs it: the host adapter between a module of <c>Tend.Modules</c> and the daemon's
/// lifecycle. The runtime, <c>/status</c>, <c>/metrics</c> and <c>tend run</c>'s up-front checks loop over
/// <see cref="DaemonModules.Create"/>'s list instead of knowing the modules by name; a new module is one class
/// implementing this and one entry in that list.
/// </summary>
internal interface IDaemonModule : IAsyncDisposable
{
    /// <summary>
    /// Validates <paramref name="config"/>'s section for this module and builds what can be built without touching
    /// the running module (render compiles its templates and check commands). Every module validates before any
    /// applies, so a section that cannot run rejects the whole reload and nothing changed.
    /// </summary>
    /// <returns>The change that puts the section in force: it starts, reconfigures in place or stops the module.
    /// Disposing it unapplied drops what validation built.</returns>
    /// <exception cref="ConfigException">The section cannot run; the running module is as it was.</exception>
    Task<ModuleChange> ValidateAsync(TendConfig config, CancellationToken cancellationToken = default);

    /// <summary>Writes the module's members of the <c>/status</c> object (none while it has nothing to show).</summary>
    void WriteStatus(Utf8JsonWriter json);

    /// <summary>Writes the module's series of <c>/metrics</c> (none while it does not run).</summary>
    void WriteMetrics(MetricsWriter metrics);
}
