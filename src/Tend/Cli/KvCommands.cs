using System.CommandLine;
using Microsoft.Extensions.Logging;
using Tend.Core.Kv;
using Tend.Core.Mirror;
using Tend.Logging;

namespace Tend.Cli;

/// <summary><c>tend kv get|put|rm|ls|watch</c>: direct access to any store.</summary>
internal static class KvCommands
{
    public static Command Create(GlobalOptions global)
    {
        var kv = new Command("kv", "Read, write and watch keys in the selected store");

        var getKey = new Argument<string>("key") { Description = "The key, e.g. /hosts/web1" };
        var get = new Command("get", "Print a key's value (exit 1 when the key does not exist)") { getKey };
        get.SetAction((parse, ct) => WithStore(global, parse, async (store, loggers) =>
        {
            var key = KeyPath.Normalize(parse.GetValue(getKey));
            var pair = await store.GetAsync(key, ct).ConfigureAwait(false);
            if (pair is null)
            {
                await Console.Error.WriteLineAsync($"tend: key not found: {key}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await Console.Out.WriteLineAsync(pair.Value).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var putKey = new Argument<string>("key") { Description = "The key" };
        var putValue = new Argument<string>("value") { Description = "The value; - reads it from stdin" };
        var put = new Command("put", "Set a key") { putKey, putValue };
        put.SetAction((parse, ct) => WithStore(global, parse, async (store, loggers) =>
        {
            var value = parse.GetValue(putValue)!;
            if (value == "-")
            {
                value = await Console.In.ReadToEndAsync(ct).ConfigureAwait(false);
            }

            var rev = await store.PutAsync(KeyPath.Normalize(parse.GetValue(putKey)), value, ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"revision {rev}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var rmKey = new Argument<string>("key") { Description = "The key" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Also delete every key below it" };
        var rm = new Command("rm", "Delete a key (with -r, the key and everything below it)") { rmKey, recursive };
        rm.SetAction((parse, ct) => WithStore(global, parse, async (store, loggers) =>
        {
            var n = await store.DeleteAsync(KeyPath.Normalize(parse.GetValue(rmKey)), parse.GetValue(recursive), ct).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"deleted {n} key{(n == 1 ? string.Empty : "s")}").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var lsPrefix = new Argument<string>("prefix") { Description = "The prefix (default /)", DefaultValueFactory = _ => "/" };
        var longFormat = new Option<bool>("-l", "--long") { Description = "Print each value after its key" };
        var ls = new Command("ls", "List the keys at and below a prefix, one absolute key a line") { lsPrefix, longFormat };
        ls.SetAction((parse, ct) => WithStore(global, parse, async (store, loggers) =>
        {
            var snapshot = await store.ListAsync(KeyPath.Normalize(parse.GetValue(lsPrefix)), ct).ConfigureAwait(false);
            var l = parse.GetValue(longFormat);
            var output = new System.Text.StringBuilder();
            foreach (var pair in snapshot)
            {
                output.Append(pair.Key);
                if (l)
                {
                    output.Append(' ').Append(Escape(pair.Value));
                }

                output.Append('\n');
            }

            await Console.Out.WriteAsync(output.ToString()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var watchPrefix = new Argument<string>("prefix") { Description = "The prefix (default /)", DefaultValueFactory = _ => "/" };
        var watch = new Command("watch", "Print one line per change below a prefix (PUT key value / DELETE key) until interrupted") { watchPrefix };
        watch.SetAction((parse, ct) => WithStore(global, parse, async (store, loggers) =>
        {
            await using var mirror = new KvMirror(store, KeyPath.Normalize(parse.GetValue(watchPrefix)), loggers.CreateLogger<KvMirror>());
            using var _ = mirror.Subscribe(update =>
            {
                var lines = new System.Text.StringBuilder();
                if (update.IsResync)
                {
                    foreach (var key in update.ChangedKeys)
                    {
                        Line(lines, update.Current.Get(key) is { } p ? KvChange.Put(key, p.Value, update.Current.Revision) : KvChange.Delete(key, update.Current.Revision));
                    }
                }
                else
                {
                    foreach (var c in update.Changes)
                    {
                        Line(lines, c);
                    }
                }

                Console.Out.Write(lines.ToString());
                Console.Out.Flush();
            });
            mirror.Start();
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Interrupted: a normal end.
            }

            return ExitCodes.Ok;
        }));

        kv.Subcommands.Add(get);
        kv.Subcommands.Add(put);
        kv.Subcommands.Add(rm);
        kv.Subcommands.Add(ls);
        kv.Subcommands.Add(watch);
        return kv;
    }

    private static void Line(System.Text.StringBuilder sb, KvChange c)
    {
        if (c.Kind == KvChangeKind.Put)
        {
            sb.Append("PUT ").Append(c.Key).Append(' ').Append(Escape(c.Value ?? string.Empty)).Append('\n');
        }
        else
        {
            sb.Append("DELETE ").Append(c.Key).Append('\n');
        }
    }

    /// <summary>Keeps one record a line: newlines and backslashes in values are escaped.</summary>
    private static string Escape(string value) =>
        value.Contains('\n', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal)
            ? value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
            : value;

    private static async Task<int> WithStore(GlobalOptions global, ParseResult parse, Func<IKvStore, ILoggerFactory, Task<int>> action)
    {
        var config = global.Resolve(parse);
        using var loggers = TendLogging.CreateFactory(config.Log);
        var store = GlobalOptions.OpenStore(config.Store, loggers);
        await using (store.ConfigureAwait(false))
        {
            return await action(store, loggers).ConfigureAwait(false);
        }
    }
}
