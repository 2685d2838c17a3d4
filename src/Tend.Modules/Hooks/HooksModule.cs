using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Core.Processes;
using Tend.Modules.Hooks.Exec;
using Tend.Modules.Hooks.Inventory;
using Tend.Modules.Hooks.Nagios;

namespace Tend.Modules.Hooks;

/// <summary>
/// The hooks module: the Nagios inventory generator and the exec hooks of one configuration, all fed
/// by the shared mirrors (one watch per prefix however many hooks read it), each hook holding a lease
/// on the mirror it reads, so a prefix a reload no longer reads stops being watched. A reload reconfigures it
/// in place: hooks whose settings did not change keep running with their queues, the others are
/// replaced; a replaced Nagios generator hands its unfinished known_hosts resets and reload to the new one.
/// </summary>
public sealed class HooksModule : IAsyncDisposable
{
    private readonly KvMirrorSet _mirrors;
    private readonly ICommandRunner _runner;
    private readonly ILoggerFactory _loggers;
    private readonly IKvStore? _store;
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly Lock _gate = new();
    private List<ExecHook> _exec = [];
    private NagiosGenerator? _nagios;
    private string? _nagiosIdentity;
    private InventoryResumer? _resumer;
    private InventoryStartupResumer? _startupResumer;
    private (HostInventoryOptions Inventory, string Mode)? _resumerIdentity;

    /// <summary>Creates an empty module; <see cref="ApplyAsync(HooksOptions, CancellationToken)"/> gives it its hooks.</summary>
    /// <param name="mirrors">The shared mirrors every hook reads.</param>
    /// <param name="runner">Runs the hooks' commands.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="store">The store the mirrors read; with it, a replace of the inventory left unfinished is finished (see <see cref="HostInventoryWriter"/>).</param>
    public HooksModule(KvMirrorSet mirrors, ICommandRunner runner, ILoggerFactory? loggers = null, IKvStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        ArgumentNullException.ThrowIfNull(runner);
        _mirrors = mirrors;
        _runner = runner;
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _store = store;
    }

    /// <summary>True when <paramref name="options"/> asks for anything to run (a Nagios generator or an exec hook).</summary>
    public static bool HasWork(HooksOptions? options) => options is not null && (options.Nagios is not null || options.Exec.Count > 0);

    /// <summary>Checks what <see cref="ApplyAsync(HooksOptions, CancellationToken)"/> would refuse (templates, the ssh user) without running anything.</summary>
    /// <exception cref="ConfigException">The options cannot run.</exception>
    public static void Validate(HooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Nagios is { } n)
        {
            NagiosTemplates.Compile(n);
            if (n.SshReset && KnownHostsResetter.Account(n.SshUser) is null)
            {
                throw new ConfigException($"[hooks.nagios] ssh_user \"{n.SshUser}\" does not exist on this host (ssh_reset resets that user's known_hosts)");
            }
        }
    }

    /// <summary>The state of every hook.</summary>
    public HooksStatus Status
    {
        get
        {
            lock (_gate)
            {
                return new HooksStatus(_nagios?.Status, [.. _exec.Select(h => h.Status)]);
            }
        }
    }

    /// <summary>The Nagios generator, for benchmarks and tests.</summary>
    internal NagiosGenerator? Nagios
    {
        get
        {
            lock (_gate)
            {
                return _nagios;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="options"/>: templates are compiled and the ssh user is looked up first, so
    /// a bad configuration throws <see cref="ConfigException"/> and the running hooks stay as they are.
    /// </summary>
    public Task ApplyAsync(HooksOptions options, CancellationToken cancellationToken = default) =>
        ApplyAsync(options, resumeInventory: false, cancellationToken);

    /// <summary>
    /// As <see cref="ApplyAsync(HooksOptions, CancellationToken)"/>; with a store with transactions, an
    /// unfinished replace of the inventory is finished: with a Nagios generator once it stalls, else
    /// with <paramref name="resumeInventory"/> (this process serves inventory writes) once at start-up.
    /// </summary>
    public async Task ApplyAsync(HooksOptions options, bool resumeInventory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await _applying.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            NagiosGenerator? nextNagios = null;
            string? nextIdentity = null;
            if (options.Nagios is { } n)
            {
                nextIdentity = Identity(options.Inventory, HooksIdentityJsonContext.Default.HostInventoryOptions) + Identity(n, HooksIdentityJsonContext.Default.NagiosOptions) + TemplateTexts(n);
                if (nextIdentity != _nagiosIdentity)
                {
                    var inventory = new HostInventory(options.Inventory);
                    var templates = NagiosTemplates.Compile(n);
                    nextNagios = new NagiosGenerator(n, inventory, templates, _mirrors.Lease(inventory.Root), _runner, _loggers.CreateLogger<NagiosGenerator>());
                }
            }

            var keep = new List<ExecHook>();
            var next = new List<ExecHook>();
            foreach (var o in options.Exec)
            {
                var existing = _exec.FirstOrDefault(h => !keep.Contains(h) && Identity(h.Options, HooksIdentityJsonContext.Default.ExecHookOptions) == Identity(o, HooksIdentityJsonContext.Default.ExecHookOptions));
                if (existing is not null)
                {
                    keep.Add(existing);
                    next.Add(existing);
                }
                else
                {
                    next.Add(new ExecHook(o, _mirrors.Lease(o.Prefix), _runner, _loggers.CreateLogger<ExecHook>()));
                }
            }

            foreach (var gone in _exec.Where(h => !keep.Contains(h)))
            {
                await gone.DisposeAsync().ConfigureAwait(false);
            }

            if (nextIdentity != _nagiosIdentity)
            {
                var old = _nagios;
                if (old is not null)
                {
                    await old.DisposeAsync().ConfigureAwait(false);
                    nextNagios?.Inherit(old);
                }

                lock (_gate)
                {
                    _nagios = nextNagios;
                }

                _nagiosIdentity = nextIdentity;
                nextNagios?.Start();
            }

            lock (_gate)
            {
                _exec = next;
            }

            foreach (var h in next)
            {
                h.Start();
            }

            await ApplyResumerAsync(options, resumeInventory).ConfigureAwait(false);
        }
        finally
        {
            _applying.Release();
        }
    }

    /// <summary>The start-up check for an unfinished replace, when this module runs one (tests wait for it).</summary>
    internal Task? StartupResume => _startupResumer?.Completion;

    private async Task ApplyResumerAsync(HooksOptions options, bool resumeInventory)
    {
        // With a Nagios generator the root is watched anyway: finish a replace once it stalls. A daemon
        // that only accepts writes checks once at start-up and keeps no watch for it.
        bool canWrite = _store is not null && (_store.Capabilities & KvStoreCapabilities.Transactions) != 0;
        var mode = !canWrite ? null : options.Nagios is not null ? "watch" : resumeInventory ? "start" : null;
        (HostInventoryOptions Inventory, string Mode)? identity = mode is null ? null : (options.Inventory, mode);
        if (identity == _resumerIdentity)
        {
            return;
        }

        await StopResumersAsync().ConfigureAwait(false);
        if (mode is not null)
        {
            var inventory = new HostInventory(options.Inventory);
            var writer = new HostInventoryWriter(inventory, _store!, _loggers.CreateLogger<HostInventoryWriter>());
            if (mode == "watch")
            {
                _resumer = new InventoryResumer(writer, _mirrors.Lease(inventory.Root), _loggers.CreateLogger<InventoryResumer>());
                _resumer.Start();
            }
            else
            {
                _startupResumer = new InventoryStartupResumer(writer, _loggers.CreateLogger<InventoryStartupResumer>());
            }
        }

        _resumerIdentity = identity;
    }

    private async Task StopResumersAsync()
    {
        if (_resumer is not null)
        {
            await _resumer.DisposeAsync().ConfigureAwait(false);
            _resumer = null;
        }

        if (_startupResumer is not null)
        {
            await _startupResumer.DisposeAsync().ConfigureAwait(false);
            _startupResumer = null;
        }

        _resumerIdentity = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _applying.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopResumersAsync().ConfigureAwait(false);

            foreach (var h in _exec)
            {
                await h.DisposeAsync().ConfigureAwait(false);
            }

            if (_nagios is not null)
            {
                await _nagios.DisposeAsync().ConfigureAwait(false);
            }

            lock (_gate)
            {
                _exec = [];
                _nagios = null;
            }
        }
        finally
        {
            _applying.Release();
        }
    }

    // Every setting, whatever its type (a list compares by reference in a record), through the
    // source-generated serializer: a property added later takes part without anyone remembering to.
    private static string Identity<T>(T options, JsonTypeInfo<T> type) => JsonSerializer.Serialize(options, type);

    /// <summary>The operator's template files as they are now: a reload after editing one rebuilds the generator.</summary>
    private static string TemplateTexts(NagiosOptions n)
    {
        var texts = new List<string>();
        foreach (var path in new[] { n.HostsTemplate, n.GroupsTemplate, n.HostListTemplate })
        {
            try
            {
                texts.Add(path is null ? string.Empty : File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Compiling reports it, with the path.
                texts.Add(ex.Message);
            }
        }

        return string.Join('\0', texts);
    }
}
