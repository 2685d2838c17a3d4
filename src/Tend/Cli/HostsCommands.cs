using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Logging;
using Tend.Modules.Hooks;
using Tend.Modules.Hooks.Inventory;

namespace Tend.Cli;

/// <summary>
/// <c>tend hosts add|remove|list</c>: etcdhooks' add-hosts.sh / remove-hosts.sh on any writable store.
/// <c>tend hosts add 800 801</c> adds ordinals 800 and 801 for each pod type, atomically (in one
/// transaction, or journaled through <see cref="HostInventoryWriter"/> when the store's limit needs more).
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
        var add = new Command("add", "Add ordinals START..END for each type (hosts already in that state are left alone)") { start, end, types, state, root };
        add.SetAction((parse, ct) => WithInventory(global, parse, root, async (writer, inventory) =>
        {
            var st = parse.GetValue(state)!;
            var hosts = Range(parse.GetValue(start), parse.GetValue(end), Types(parse.GetValue(types)!))
                .Select(x =>
                {
                    HostInventory.ValidateState(inventory.NameOf(x.Type, x.Ordinal), st);
                    return new KeyValuePair<string, string>(inventory.KeyOf(x.Type, x.Ordinal), st);
                })
                .ToList();
            var result = await writer.PutAsync(hosts, ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"added {result.Puts} hosts ({hosts.Count - result.Puts} already so) at revision {result.Revision}{Transactions(result)}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var rstart = new Argument<int>("start") { Description = "First ordinal" };
        var rend = new Argument<int>("end") { Description = "Last ordinal (inclusive)" };
        var remove = new Command("remove", "Remove ordinals START..END of each type") { rstart, rend, types, root };
        remove.SetAction((parse, ct) => WithInventory(global, parse, root, async (writer, inventory) =>
        {
            var keys = Range(parse.GetValue(rstart), parse.GetValue(rend), Types(parse.GetValue(types)!))
                .Select(x => inventory.KeyOf(x.Type, x.Ordinal))
                .ToList();
            var result = await writer.DeleteAsync(keys, ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"removed {result.Deletes} hosts of ordinals {parse.GetValue(rstart)}..{parse.GetValue(rend)} at revision {result.Revision}{Transactions(result)}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var resume = new Command("resume", "Finish a replace of the inventory that was left unfinished (a writer died or lost the store half-way)") { root };
        resume.SetAction((parse, ct) => WithInventory(global, parse, root, async (writer, _) =>
        {
            var result = await writer.ResumeAsync(ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync(result is null
                ? "no replace is unfinished"
                : $"finished: {result.Puts} puts and {result.Deletes} deletes at revision {result.Revision}{Transactions(result)}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var ltypes = new Option<string?>("--type") { Description = "Only these pod types, comma-separated" };
        var list = new Command("list", "Print each host and its state, sorted by host") { ltypes, root };
        list.SetAction((parse, ct) => WithInventory(global, parse, root, async (writer, inventory) =>
        {
            var only = parse.GetValue(ltypes) is { } t ? Types(t).ToHashSet(StringComparer.Ordinal) : null;
            var snapshot = await writer.Store.ListAsync(inventory.Root, ct).ConfigureAwait(false);
            if (inventory.GuardIn(snapshot) is { Applying: true } guard)
            {
                await Console.Error.WriteLineAsync(
                    $"tend: warning: a replace of these hosts is being applied ({guard.Applied} of {guard.Operations} operations): the list is part old, part new; if it does not progress, `tend hosts resume` finishes it").ConfigureAwait(false);
            }

            var (entries, ignored) = inventory.Read(snapshot);
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
        hosts.Subcommands.Add(resume);
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

    private static string Transactions(InventoryWriteResult result) =>
        result.Transactions > 1 ? $" ({result.Transactions} store writes)" : string.Empty;

    private static async Task<int> WithInventory(GlobalOptions global, ParseResult parse, Option<string?> rootOption, Func<HostInventoryWriter, HostInventory, Task<int>> action)
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
                return await action(new HostInventoryWriter(inventory, store, loggers.CreateLogger<HostInventoryWriter>()), inventory).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                throw new UsageException(ex.Message);
            }
            catch (InventoryWriteException ex)
            {
                throw new KvStoreException(ex.Message, ex);
            }
        }
    }
}
