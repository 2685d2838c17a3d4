using System.CommandLine;
using System.Globalization;
using Tend.Core.Kv;
using Tend.Logging;
using Tend.Modules.Hooks;

namespace Tend.Cli;

/// <summary>
/// <c>tend hosts add|remove|list</c>: etcdhooks' add-hosts.sh / remove-hosts.sh on any writable store.
/// <c>tend hosts add 800 801</c> adds ordinals 800 and 801 for each pod type, in one transaction.
/// </summary>
internal static class HostsCommands
{
    private static readonly string[] DefaultTypes = ["web", "papi", "extapi"];

    public static Command Create(GlobalOptions global)
    {
        var hosts = new Command("hosts", "Add, remove and list the host inventory (etcdhooks' add-hosts / remove-hosts)");
        var types = new Option<string>("--type") { Description = "Pod types, comma-separated", DefaultValueFactory = _ => string.Join(',', DefaultTypes) };
        var root = new Option<string?>("--root") { Description = "The inventory root (default: [hooks.nagios] root, else /site)" };

        var start = new Argument<int>("start") { Description = "First ordinal" };
        var end = new Argument<int>("end") { Description = "Last ordinal (inclusive)" };
        var state = new Option<string>("--state") { Description = "The state of the new hosts", DefaultValueFactory = _ => "created" };
        var add = new Command("add", "Add ordinals START..END for each type, in one transaction") { start, end, types, state, root };
        add.SetAction((parse, ct) => WithInventory(global, parse, root, async (store, inventory) =>
        {
            var st = parse.GetValue(state)!;
            var ops = Range(parse.GetValue(start), parse.GetValue(end), Types(parse.GetValue(types)!))
                .Select(x =>
                {
                    HostInventory.ValidateState(inventory.NameOf(x.Type, x.Ordinal), st);
                    return KvOperation.Put(inventory.KeyOf(x.Type, x.Ordinal), st);
                })
                .ToList();
            var result = await store.CommitAsync(new KvTransaction([], ops), ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"added {ops.Count} hosts at revision {result.Revision}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var rstart = new Argument<int>("start") { Description = "First ordinal" };
        var rend = new Argument<int>("end") { Description = "Last ordinal (inclusive)" };
        var remove = new Command("remove", "Remove ordinals START..END of each type, in one transaction") { rstart, rend, types, root };
        remove.SetAction((parse, ct) => WithInventory(global, parse, root, async (store, inventory) =>
        {
            var ops = Range(parse.GetValue(rstart), parse.GetValue(rend), Types(parse.GetValue(types)!))
                .Select(x => KvOperation.Delete(inventory.KeyOf(x.Type, x.Ordinal)))
                .ToList();
            var result = await store.CommitAsync(new KvTransaction([], ops), ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"removed ordinals {parse.GetValue(rstart)}..{parse.GetValue(rend)} at revision {result.Revision}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var ltypes = new Option<string?>("--type") { Description = "Only these pod types, comma-separated" };
        var list = new Command("list", "Print each host and its state, sorted by host") { ltypes, root };
        list.SetAction((parse, ct) => WithInventory(global, parse, root, async (store, inventory) =>
        {
            var only = parse.GetValue(ltypes) is { } t ? Types(t).ToHashSet(StringComparer.Ordinal) : null;
            var (entries, ignored) = inventory.Read(await store.ListAsync(inventory.Root, ct).ConfigureAwait(false));
            var sb = new System.Text.StringBuilder();
            foreach (var h in entries.Where(h => only is null || only.Contains(h.Type)))
            {
                sb.Append(h.Name).Append(' ').Append(h.State).Append('\n');
            }

            await Console.Out.WriteAsync(sb.ToString()).ConfigureAwait(false);
            foreach (var key in ignored)
            {
                await Console.Error.WriteLineAsync($"tend: ignored {key}: not ROOT/<type>/<ordinal>").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));

        hosts.Subcommands.Add(add);
        hosts.Subcommands.Add(remove);
        hosts.Subcommands.Add(list);
        return hosts;
    }

    private static IEnumerable<(string Type, string Ordinal)> Range(int start, int end, IReadOnlyList<string> types)
    {
        if (end < start)
        {
            throw new UsageException($"END ({end}) is before START ({start})");
        }

        if (end - start >= 100_000)
        {
            throw new UsageException("at most 100000 ordinals at a time");
        }

        for (int o = start; o <= end; o++)
        {
            foreach (var t in types)
            {
                yield return (t, o.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private static List<string> Types(string text)
    {
        var list = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (list.Count == 0 || list.Any(t => !t.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new UsageException($"--type must be comma-separated names of letters, digits and _, not \"{text}\"");
        }

        return list;
    }

    private static async Task<int> WithInventory(GlobalOptions global, ParseResult parse, Option<string?> rootOption, Func<IKvStore, HostInventory, Task<int>> action)
    {
        var config = global.Resolve(parse);
        var options = config.Module<HooksOptions>("hooks")?.Inventory ?? new HostInventoryOptions();
        if (parse.GetValue(rootOption) is { } r)
        {
            options = options with { Root = r };
        }

        HostInventory inventory;
        try
        {
            inventory = new HostInventory(options);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }

        using var loggers = TendLogging.CreateFactory(config.Log);
        var store = GlobalOptions.OpenStore(config.Store, loggers);
        await using (store.ConfigureAwait(false))
        {
            try
            {
                return await action(store, inventory).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
        }
    }
}
