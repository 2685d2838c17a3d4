using System.Text.Json;
using Tend.Core.Config;

namespace Tend.Hosting;

/// <summary>
/// A module that runs while its tend.toml section exists: created by the first apply that has the section,
/// reconfigured in place by the next ones (the module keeps what did not change), stopped when a reload
/// removes the section.
/// </summary>
/// <typeparam name="TModule">The module.</typeparam>
/// <typeparam name="TOptions">Its section's options.</typeparam>
internal abstract class SectionModuleHost<TModule, TOptions>(string section) : IDaemonModule
    where TModule : class, IAsyncDisposable
    where TOptions : class
{
    private volatile TModule? _module;

    /// <summary>The running module, if any (read by the status and metrics writers on other threads).</summary>
    protected TModule? Module => _module;

    public Task<ModuleChange> ValidateAsync(TendConfig config, CancellationToken cancellationToken = default)
    {
        var options = config.Module<TOptions>(section);
        if (options is not null)
        {
            Validate(options);
        }

        return Task.FromResult(new ModuleChange(ct => ApplyAsync(options, ct)));
    }

    public abstract void WriteStatus(Utf8JsonWriter json);

    public abstract void WriteMetrics(MetricsWriter metrics);

    public async ValueTask DisposeAsync()
    {
        if (_module is { } module)
        {
            _module = null;
            await module.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Throws <see cref="ConfigException"/> for options the module would refuse; nothing runs.</summary>
    protected virtual void Validate(TOptions options)
    {
    }

    /// <summary>Creates the module, empty: <see cref="ApplyAsync(TModule, TOptions, CancellationToken)"/> gives it its options.</summary>
    protected abstract TModule Create();

    /// <summary>Starts or reconfigures <paramref name="module"/> with <paramref name="options"/>.</summary>
    protected abstract Task ApplyAsync(TModule module, TOptions options, CancellationToken cancellationToken);

    private async Task ApplyAsync(TOptions? options, CancellationToken cancellationToken)
    {
        if (options is null)
        {
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        var module = _module ?? Create();
        _module = module;
        await ApplyAsync(module, options, cancellationToken).ConfigureAwait(false);
    }
}
