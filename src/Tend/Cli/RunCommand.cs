using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Daemon;
using Tend.Logging;

namespace Tend.Cli;

/// <summary><c>tend run</c>: the agent, running every module tend.toml configures until stopped.</summary>
internal static partial class RunCommand
{
    public static Command Create(GlobalOptions global)
    {
        var run = new Command("run", "Run the agent with the configuration (SIGHUP reloads it, SIGTERM stops)");
        run.SetAction(async (parse, ct) =>
        {
            var config = global.Resolve(parse);

            // Fail fast on the first load: a store that cannot even be opened is a configuration error.
            return await RunDaemonAsync(config, () => global.Resolve(parse), ct).ConfigureAwait(false);
        });
        return run;
    }

    /// <summary>Runs the daemon until stopped; <paramref name="reload"/> re-reads the configuration on SIGHUP.</summary>
    public static async Task<int> RunDaemonAsync(TendConfig config, Func<TendConfig> reload, CancellationToken cancellationToken)
    {
        // SIGHUP is ours from the first moment: one during start-up reloads once running rather than killing Tend.
        using var signal = new ReloadSignal();
        using (var probeLoggers = TendLogging.CreateFactory(config.Log))
        {
            await using var probe = GlobalOptions.OpenStore(DaemonRuntime.StoreOptions(config), probeLoggers);

            // Every module validates its section up front, as a reload would: a check command that does not parse,
            // a repeated id, a Nagios template or a [health] identity that does not resolve is a configuration
            // error (exit 2). A broken template is not: it fails only its own resource.
            await Hosting.DaemonModules.ValidateAsync(config, probe, probeLoggers, cancellationToken).ConfigureAwait(false);
        }

        // A reload has no command line to correct: an option that no longer fits the re-read file is the file's error.
        Func<TendConfig> reloadConfig = () =>
        {
            try
            {
                return reload();
            }
            catch (UsageException ex)
            {
                throw new ConfigException(ex.Message, ex);
            }
        };
        IHost host = config.Http.Listen is null ? BuildPlainHost(config, reloadConfig, signal) : BuildWebHost(config, reloadConfig, signal);
        using (host)
        {
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (config.Http.Listen is { } listen && ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
            {
                // Kestrel's bind failure: a busy port, a port below 1024 without the right, an address this host does not have.
                throw new ConfigException($"[http] listen = \"{listen}\" cannot be bound: {ex.InnerException!.Message} (is another process listening there?)", ex);
            }

            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);

            // In exec mode Tend ends with its child's status.
            return host.Services.GetRequiredService<TendDaemon>().ExitCode ?? ExitCodes.Ok;
        }
    }

    private static IHost BuildPlainHost(TendConfig config, Func<TendConfig> reload, ReloadSignal signal)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Register(builder.Services, config, reload, signal);
        return builder.Build();
    }

    private static WebApplication BuildWebHost(TendConfig config, Func<TendConfig> reload, ReloadSignal signal)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        ListenAddress.TryParse(config.Http.Listen!, out var host, out var port);
        var addresses = ResolveListen(config.Http.Listen!, host);
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (addresses is null)
            {
                k.ListenLocalhost(port);
            }
            else
            {
                k.Listen(addresses[0], port);
            }
        });
        Register(builder.Services, config, reload, signal);
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tend.Http");
        if (config.Http.Token is null && addresses is not null && !IPAddress.IsLoopback(addresses[0]))
        {
            Log.ExposedWithoutToken(logger, config.Http.Listen!);
        }

        var hosts = HostHeaderFilter.Create(config.Http, host);
        app.Use(async (http, next) =>
        {
            if (!hosts.Allows(http.Request.Host))
            {
                http.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                await http.Response.WriteAsJsonAsync(new ErrorResult(hosts.Describe(http.Request.Host.Host)), HostsJsonContext.Default.ErrorResult).ConfigureAwait(false);
                return;
            }

            await next(http).ConfigureAwait(false);
        });
        StatusEndpoints.Map(app, app.Services.GetRequiredService<TendDaemon>());
        StatusPage.Map(app);
        HostsEndpoints.Map(app, app.Services.GetRequiredService<TendDaemon>());
        MetricsEndpoint.Map(app, app.Services.GetRequiredService<TendDaemon>());
        return app;
    }

    /// <summary>The addresses <c>[http] listen</c> names (null: localhost, both loopbacks); a name that does not resolve is a configuration error.</summary>
    private static IPAddress[]? ResolveListen(string listen, string host)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return [ip];
        }

        if (host == "localhost")
        {
            return null;
        }

        try
        {
            var resolved = Dns.GetHostAddresses(host);
            return resolved.Length > 0 ? resolved : throw new ConfigException($"[http] listen = \"{listen}\": \"{host}\" resolves to no address");
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new ConfigException($"[http] listen = \"{listen}\": cannot resolve \"{host}\": {ex.Message}", ex);
        }
    }

    private static void Register(IServiceCollection services, TendConfig config, Func<TendConfig> reload, ReloadSignal signal)
    {
        services.AddLogging(b => TendLogging.Configure(b, config.Log));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => new TendDaemon(config, reload, sp.GetRequiredService<ILoggerFactory>(), signal, lifetime: sp.GetRequiredService<IHostApplicationLifetime>()));
        services.AddHostedService(sp => sp.GetRequiredService<TendDaemon>());
        services.AddHostedService(sp => new MemoryTrim(sp.GetRequiredService<ILogger<MemoryTrim>>()));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "[http] listen = \"{Listen}\" is reachable from other hosts and [http] token is not set: anyone who can reach it reads /getall, /status and /metrics (writes stay disabled); listen on 127.0.0.1, or firewall the port")]
        public static partial void ExposedWithoutToken(ILogger logger, string listen);
    }
}
