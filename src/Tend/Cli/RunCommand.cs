using System.CommandLine;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tend.Core.Config;
using Tend.Daemon;
using Tend.Logging;

namespace Tend.Cli;

/// <summary><c>tend run</c>: the agent, running every module tend.toml configures until stopped.</summary>
internal static class RunCommand
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
            await using var probe = GlobalOptions.OpenStore(config.Store, probeLoggers);

            // Compile the templates once up front: a template error is a configuration error (exit 2).
            if (config.Render.Templates.Count > 0)
            {
                await using var render = Modules.Render.RenderModule.Create(config.Render, probe, null, Core.Processes.ShellCommandRunner.Instance, probeLoggers);
            }

            if (config.Module<Modules.Hooks.HooksOptions>("hooks") is { } hooks)
            {
                Modules.Hooks.HooksModule.Validate(hooks);
            }
        }

        IHost host = config.Http.Listen is null ? BuildPlainHost(config, reload, signal) : BuildWebHost(config, reload, signal);
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
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
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (IPAddress.TryParse(host, out var ip))
            {
                k.Listen(ip, port);
            }
            else if (host == "localhost")
            {
                k.ListenLocalhost(port);
            }
            else
            {
                k.Listen(Dns.GetHostAddresses(host)[0], port);
            }
        });
        Register(builder.Services, config, reload, signal);
        var app = builder.Build();
        StatusEndpoints.Map(app, app.Services.GetRequiredService<TendDaemon>());
        HostsEndpoints.Map(app, app.Services.GetRequiredService<TendDaemon>());
        MetricsEndpoint.Map(app, app.Services.GetRequiredService<TendDaemon>());
        return app;
    }

    private static void Register(IServiceCollection services, TendConfig config, Func<TendConfig> reload, ReloadSignal signal)
    {
        services.AddLogging(b => TendLogging.Configure(b, config.Log));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => new TendDaemon(config, reload, sp.GetRequiredService<ILoggerFactory>(), signal));
        services.AddHostedService(sp => sp.GetRequiredService<TendDaemon>());
    }
}
