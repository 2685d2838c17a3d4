using System.CommandLine;
using Tend.Core.Config;
using Tend.Core.Kv;

namespace Tend.Cli;

/// <summary>The <c>tend</c> command line.</summary>
internal static class TendCli
{
    private const string ExitCodeHelp = "Exit codes: 0 success, 1 runtime failure (store unreachable, key missing, resource failed), 2 usage or configuration error; tend check: 0 passing, 1 warning, 2 critical, 3 unknown.";

    public static int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(string[] args)
    {
        // etcd-discovery's command line is Go's flag syntax, which System.CommandLine would misread: it has its own parser.
        int membership = MembershipCommand.Find(args);
        if (membership >= 0)
        {
            return await RunMembershipAsync(args, membership).ConfigureAwait(false);
        }

        // So is consul-template's.
        int consulTemplate = ConsulTemplateCommand.Find(args);
        if (consulTemplate >= 0)
        {
            return await RunConsulTemplateAsync(args, consulTemplate).ConfigureAwait(false);
        }

        var root = Build();
        var parse = root.Parse(RenderCommand.NormalizeArgs(args));
        if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"tend: {error.Message}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync("Run 'tend --help' for usage.").ConfigureAwait(false);

            // A check that cannot run is "unknown" to Nagios and Consul, never critical, and says so on its status line.
            if (CheckCommand.IsCheck(parse))
            {
                await Console.Out.WriteLineAsync($"UNKNOWN: {parse.Errors[0].Message}").ConfigureAwait(false);
                return ExitCodes.Unknown;
            }

            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                EnableDefaultExceptionHandler = false,

                // Long enough for a graceful stop (deregistration, a reload in flight) after SIGTERM.
                ProcessTerminationTimeout = TimeSpan.FromSeconds(60),
            }).ConfigureAwait(false);
        }
        catch (ConfigException ex)
        {
            await Console.Error.WriteLineAsync($"tend: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"tend: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (KvStoreException ex)
        {
            await Console.Error.WriteLineAsync($"tend: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Failure;
        }
    }

    private static async Task<int> RunMembershipAsync(string[] args, int at)
    {
        using var stop = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        try
        {
            return await MembershipCommand.RunAsync(args, at, stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConfigException or UsageException)
        {
            await Console.Error.WriteLineAsync($"tend: {ex.Message}").ConfigureAwait(false);
            await Console.Error.WriteLineAsync("Run 'tend membership -help' for the flags.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return ExitCodes.Failure;
        }

        void Stop(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<int> RunConsulTemplateAsync(string[] args, int at)
    {
        try
        {
            return await ConsulTemplateCommand.RunAsync(args, at).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConfigException or UsageException)
        {
            await Console.Error.WriteLineAsync($"tend: {ex.Message}").ConfigureAwait(false);
            await Console.Error.WriteLineAsync("Run 'tend consul-template -help' for the flags.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (KvStoreException ex)
        {
            await Console.Error.WriteLineAsync($"tend: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Failure;
        }
    }

    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Tend keeps this host converged with its discovery store (etcd, ZooKeeper, Consul or local files) " +
            "and keeps the store truthful about this host.\n\n" + ExitCodeHelp);
        var global = new GlobalOptions();
        global.AddTo(root);

        var version = new Command("version", "Print the version");
        version.SetAction(_ =>
        {
            Console.Out.WriteLine($"tend {TendVersion.Value}");
            return ExitCodes.Ok;
        });

        root.Subcommands.Add(version);
        root.Subcommands.Add(RunCommand.Create(global));
        root.Subcommands.Add(RenderCommand.Create(global));
        root.Subcommands.Add(KvCommands.Create(global));
        root.Subcommands.Add(RegisterCommand.Create(global));
        root.Subcommands.Add(HostsCommands.Create(global));
        root.Subcommands.Add(HooksCommand.Create(global));
        root.Subcommands.Add(MembershipCommand.Create());
        root.Subcommands.Add(ConsulTemplateCommand.Create());
        root.Subcommands.Add(TemplateCommands.Create(global));
        root.Subcommands.Add(CheckCommand.Create(global));
        root.Subcommands.Add(TriggerCommands.CreateTrigger(global));
        root.Subcommands.Add(TriggerCommands.CreateWatch(global));
        root.Subcommands.Add(DebugCommands.Create());
        return root;
    }
}
