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
            using (var probeLoggers = TendLogging.CreateFactory(config.Log))
            {
                await using var probe = GlobalOptions.OpenStore(config.Store, probeLoggers);
            }

            IHost host = config.Http.Listen is null ? BuildPlainHost(config, global, parse) : BuildWebHost(config, global, parse);
            await host.RunAsync(ct).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return run;
    }

    private static IHost BuildPlainHost(TendConfig config, GlobalOptions global, ParseResult parse)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Register(builder.Services, config, global, parse);
        return builder.Build();
    }

    private static WebApplication BuildWebHost(TendConfig config, GlobalOptions global, ParseResult parse)
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
        Register(builder.Services, config, global, parse);
        var app = builder.Build();
        StatusEndpoints.Map(app, app.Services.GetRequiredService<TendDaemon>());
        HostsEndpoints.Map(app, app.Services.GetRequiredService<TendDaemon>());
        return app;
    }

    private static void Register(IServiceCollection services, TendConfig config, GlobalOptions global, ParseResult parse)
    {
        services.AddLogging(b => TendLogging.Configure(b, config.Log));
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        services.AddSingleton(sp => new TendDaemon(config, () => global.Resolve(parse), sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<TendDaemon>());
    }
}
