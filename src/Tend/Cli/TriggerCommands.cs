using System.CommandLine;
using Tend.Core.Agent;
using Tend.Core.Config;
using Tend.Logging;
using Tend.Modules.Health;

namespace Tend.Cli;

/// <summary>
/// <c>tend trigger STATE -S SERVICE</c> and <c>tend watch STATE</c> (a Consul watch handler: the JSON
/// array of checks on stdin; the checks that just entered the state): run <c>triggers/ENV/SERVICE/ROLE/STATE</c> for this node. Exit 0 when
/// every trigger succeeded or there was none, 1 when one failed, 3 when the role or the input cannot
/// be read.
/// </summary>
internal static class TriggerCommands
{
    private static readonly string[] States = ["warning", "critical", "passing"];

    public static Command CreateTrigger(GlobalOptions global)
    {
        var state = State();
        var service = new Option<string>("-S", "--service") { Description = "The service whose trigger runs", Required = true };
        var command = new Command("trigger", "Run this node's trigger for a service in a state (powerconsul trigger)") { state, service };
        command.SetAction(async (parse, ct) =>
            await RunAsync(global, parse, (_, _) => [parse.GetValue(service)!], parse.GetValue(state)!, ct).ConfigureAwait(false));
        return command;
    }

    public static Command CreateWatch(GlobalOptions global)
    {
        var state = State();
        var command = new Command("watch", "Consul watch handler: run the triggers of this node's checks in the state, from the JSON check list on stdin (powerconsul watch)") { state };
        command.SetAction(async (parse, ct) =>
        {
            var json = await Console.In.ReadToEndAsync(ct).ConfigureAwait(false);
            var name = parse.GetValue(state)!;
            return await RunAsync(global, parse, (health, identity) => Watched(health, identity, json, name), name, ct).ConfigureAwait(false);
        });
        return command;
    }

    private static Argument<string> State()
    {
        var state = new Argument<string>("state") { Description = "warning or critical (or passing)" };
        state.AcceptOnlyFromAmong(States);
        return state;
    }

    /// <summary>The services whose checks just entered the state: the watch's list less what the last call already fired.</summary>
    private static List<string> Watched(HealthOptions health, HealthIdentity identity, string json, string state)
    {
        var checks = HealthCommands.WatchedChecks(identity, json, state);
        var (fresh, problem) = new WatchMemory(WatchMemory.DirectoryFor(health.WatchStateDirectory)).Update(state, checks);
        if (problem is not null)
        {
            Console.Error.WriteLine($"tend: {problem}; firing every check in the state");
        }

        return fresh.Select(c => c.Service).Distinct(StringComparer.Ordinal).ToList();
    }

    private static async Task<int> RunAsync(GlobalOptions global, ParseResult parse, Func<HealthOptions, HealthIdentity, IReadOnlyList<string>> services, string state, CancellationToken ct)
    {
        try
        {
            var config = global.Resolve(parse);
            var health = CheckCommand.HealthOf(config);
            using var loggers = TendLogging.CreateFactory(config.Log);
            await using var store = CheckCommand.OpenStoreOrNull(config, loggers)
                ?? throw new HealthUnknownException("triggers are read from the store, and no store is configured ([store] in tend.toml, or --store/--endpoint)");

            // On Consul the node name (which the watch's checks carry) and the datacenter come from the agent.
            health = await AgentIdentity.ApplyAsync(health, store.FindConsulAgent(), HealthCommands.AgentWait, ct).ConfigureAwait(false);
            var list = services(health, HealthCommands.Identity(health));
            if (list.Count == 0)
            {
                return ExitCodes.Ok;
            }

            int exit = ExitCodes.Ok;
            foreach (var service in list)
            {
                var (key, result) = await HealthCommands.TriggerAsync(health, store, service, state, cancellationToken: ct).ConfigureAwait(false);
                if (result is null)
                {
                    Console.Error.WriteLine($"tend: no trigger at {key}; nothing to run");
                    continue;
                }

                if (result.Output.Length > 0)
                {
                    Console.Out.WriteLine(result.Output);
                }

                if (!result.Succeeded)
                {
                    Console.Error.WriteLine($"tend: trigger {key} failed: {result.Error}");
                    exit = ExitCodes.Failure;
                }
            }

            return exit;
        }
        catch (Exception ex) when (ex is HealthUnknownException or ConfigException or UsageException)
        {
            Console.Error.WriteLine($"tend: {ex.Message}");
            return ExitCodes.Unknown;
        }
    }
}
