using System.Text.Json;
using Tend.Core.Config;

namespace Tend.Hosting;

/// <summary>
/// A module that runs while its tend.toml section exists (or while <see cref="OptionsOf"/> gives it options):
/// created by the first apply that has them, reconfigured in place by the next ones (the module keeps what did not
/// change), stopped when a reload removes them. A first apply that fails disposes the module it created, so nothing
/// half started stays behind and the next apply starts afresh; a reconfiguration that fails leaves the running
/// module as it was.
/// </summary>
/// <typeparam name="TModule">The module.</typeparam>
/// <typeparam name="TOptions">What it runs with: its section's options.</typeparam>
internal abstract class SectionModuleHost<TModule, TOptions>(string section) : IDaemonModule
    where TModule : class, IAsyncDisposable
    where TOptions : class
{
    private volatile TModule? _module;

    /// <summary>The running module, if any (read by the status and metrics writers on other threads); set once its first apply succeeded.</summary>
    protected TModule? Module => _module;

    public Task<ModuleChange> ValidateAsync(TendConfig config, CancellationToken cancellationToken = default)
    {
        var options = OptionsOf(config);
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

    /// <summary>What the module runs with under <paramref name="config"/>, or <c>null</c> when it does not run: the section's options.</summary>
    protected virtual TOptions? OptionsOf(TendConfig config) => config.Module<TOptions>(section);

    /// <summary>Throws <see cref="ConfigException"/> for options the module would refuse; nothing runs.</summary>
    protected virtual void Validate(TOptions options)
    {
    }

    /// <summary>Creates the module, empty: <see cref="ApplyAsync(TModule, TOptions, CancellationToken)"/> gives it its options.</summary>
    protected abstract TModule Create();

    /// <summary>Starts or reconfigures <paramref name="module"/> with <paramref name="options"/>; a failure leaves a running module as it was.</summary>
    protected abstract Task ApplyAsync(TModule module, TOptions options, CancellationToken cancellationToken);

    private async Task ApplyAsync(TOptions? options, CancellationToken cancellationToken)
    {
        if (options is null)
        {
            await DisposeAsync().ConfigureAwait(false);
            return;
        }

        if (_module is { } running)
        {
            await ApplyAsync(running, options, cancellationToken).ConfigureAwait(false);
            return;
        }

        var module = Create();
        try
        {
            await ApplyAsync(module, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing half started keeps its watches, threads or connections; the failure is the caller's to report.
            await module.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _module = module;
    }
}
