using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tend.Core.Agent;
using Tend.Core.Config;
using Tend.Core.Kv;
using Tend.Core.Processes;
using Tend.Modules.Checks;

namespace Tend.Modules.Register;

/// <summary>
/// The register module: one <see cref="ServiceRegistrar"/> per configured service. A reload
/// (<see cref="ApplyAsync"/>) keeps services whose identity (key and data) is unchanged — their
/// entry stays in place — removes entries of services that went away or changed identity, and
/// starts new ones. Disposing removes every entry.
/// </summary>
public sealed partial class RegisterModule : IAsyncDisposable
{
    private readonly IKvStore _store;
    private readonly IConsulAgent? _agent;
    private readonly ICommandRunner _runner;
    private readonly HttpClient _http;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private List<ServiceRegistrar> _registrars = [];
    private RegisterOptions _options = new();

    /// <summary>Creates the module over <paramref name="store"/>; call <see cref="ApplyAsync"/> to start services.</summary>
    public RegisterModule(IKvStore store, ICommandRunner? runner = null, HttpClient? http = null, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.Capabilities.HasFlag(KvStoreCapabilities.Ephemeral))
        {
            throw new KvNotSupportedException($"register needs a store with ephemeral entries (etcd, ZooKeeper or Consul); {store.Name} has none.");
        }

        _store = store;
        _agent = store.FindConsulAgent();
        _runner = runner ?? ShellCommandRunner.Instance;
        _http = http ?? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<RegisterModule>();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Each service's state, in configuration order.</summary>
    public IReadOnlyList<RegisteredServiceStatus> Status => _registrars.Select(r => r.Status).ToList();

    /// <summary>This host's fully qualified name, the default <c>service_hostname</c>.</summary>
    public static string DefaultHostname()
    {
        var name = Dns.GetHostName();
        try
        {
            return Dns.GetHostEntry(name).HostName;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return name;
        }
    }

    /// <summary>Starts, keeps, replaces and stops services to match <paramref name="options"/>.</summary>
    public async Task ApplyAsync(RegisterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_agent is null && options.Services.FirstOrDefault(s => s.Catalog) is { } wantsCatalog)
        {
            // Refused before anything changes: a reload that asks for it keeps the running services as they are.
            throw new ConfigException($"[{wantsCatalog.Name}] (line {wantsCatalog.Line}) catalog = true needs the Consul store (--store consul); {_store.Name} has no service catalog");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var old = _registrars.ToDictionary(r => r.Options.Name, StringComparer.Ordinal);
            var next = new List<ServiceRegistrar>();
            string? fqdn = null;
            foreach (var service in options.Services)
            {
                var host = service.Hostname ?? (fqdn ??= DefaultHostname());
                var check = CreateCheck(service);
                IKvRegistration? adopted = null;
                ConsulTtlService? catalog = null;
                if (old.Remove(service.Name, out var previous))
                {
                    bool same = string.Equals(ServiceRegistrar.IdentityOf(service, host), previous.Identity, StringComparison.Ordinal);
                    bool sameCatalog = same && service.Catalog && previous.Options.Catalog && previous.Options.Tags.SequenceEqual(service.Tags, StringComparer.Ordinal);
                    (adopted, catalog) = await previous.StopAsync(keepRegistration: same, keepCatalog: sameCatalog).ConfigureAwait(false);
                    if (!same)
                    {
                        Log.IdentityChanged(_logger, service.Name, previous.Key, ServiceRegistrar.KeyOf(service, host));
                    }
                }

                if (service.Catalog && catalog is null)
                {
                    catalog = CatalogRegistration.Create(_agent!, service, service.Hostname, options.Ttl, _logger);
                }

                var registrar = new ServiceRegistrar(service, host, _store, check, options.Ttl, _logger, _time, adopted, catalog);
                next.Add(registrar);
            }

            foreach (var gone in old.Values)
            {
                Log.Removed(_logger, gone.Options.Name, gone.Key);
                await gone.DisposeAsync().ConfigureAwait(false);
            }

            _registrars = next;
            _options = options;
            foreach (var r in next)
            {
                r.Start();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes every entry at once (SIGTERM), then waits the configured drain time.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_registrars.Select(r => r.DisposeAsync().AsTask())).ConfigureAwait(false);
            _registrars = [];
        }
        finally
        {
            _gate.Release();
        }

        if (_options.Drain > TimeSpan.Zero)
        {
            Log.Draining(_logger, _options.Drain.TotalSeconds);
            await Task.Delay(_options.Drain, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DrainAsync(CancellationToken.None).ConfigureAwait(false);
        _gate.Dispose();
    }

    private IHealthCheck CreateCheck(RegisterServiceOptions s)
    {
        var env = new Dictionary<string, string>
        {
            ["TEND_SERVICE"] = s.Name,
            ["TEND_SERVICE_PORT"] = s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return s.Check switch
        {
            RegisterCheckKind.Tcp => new TcpHealthCheck(s.TcpHost, s.Port, s.Timeout),
            RegisterCheckKind.Http => new HttpHealthCheck(_http, new Uri(s.HttpUrl!), s.HttpExpect, s.Timeout),
            _ => new CommandHealthCheck(_runner, s.Command!, s.Timeout, env),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "[{Service}] identity changed: {OldKey} is replaced by {NewKey}")]
        public static partial void IdentityChanged(ILogger logger, string service, string oldKey, string newKey);

        [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "[{Service}] removed from the configuration: deregistering {Key}")]
        public static partial void Removed(ILogger logger, string service, string key);

        [LoggerMessage(EventId = 712, Level = LogLevel.Information, Message = "Every entry removed; draining for {Seconds} s")]
        public static partial void Draining(ILogger logger, double seconds);
    }
}
