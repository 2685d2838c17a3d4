using System.CommandLine;
using System.Globalization;
using Tend.Core.Kv;
using Tend.Logging;
using Tend.Modules.Render;
using Tend.Templates;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tend.Cli;

/// <summary><c>tend template render|functions</c>: try a Go template (confd/consul-template syntax) on its own.</summary>
internal static class TemplateCommands
{
    public static Command Create(GlobalOptions global)
    {
        var template = new Command("template", "Render Go templates (confd syntax) and list their functions");

        var file = new Argument<string>("file") { Description = "The template file" };
        var data = new Option<string?>("--data") { Description = "Data for the template's dot: a JSON or YAML file", HelpName = "FILE" };
        var missing = new Option<string>("--missingkey") { Description = "A missing map key: default (<no value>), zero, or error", DefaultValueFactory = _ => "default" };
        missing.AcceptOnlyFromAmong("default", "invalid", "zero", "error");
        var timeout = new Option<string?>("--timeout") { Description = "Stop a render that runs longer (default 10s, as [render] template_timeout)", HelpName = "DURATION" };
        var maxOutput = new Option<string?>("--max-output") { Description = "Fail a render whose output grows beyond this size (default 64MiB)", HelpName = "SIZE" };
        var maxMemory = new Option<string?>("--max-memory") { Description = "Fail a render whose functions build more than this in values (default 256MiB)", HelpName = "SIZE" };
        var render = new Command("render", "Render FILE to stdout; confd's key functions read the selected store (--store/--file/--endpoint) when one is given. On error: name:line:col: message, exit 1")
        {
            file, data, missing, timeout, maxOutput, maxMemory,
        };
        render.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"{path}: {ex.Message}");
            }

            object? dot = null;
            if (parse.GetValue(data) is { } dataPath)
            {
                dot = LoadData(dataPath);
            }

            var limits = Limits(parse.GetValue(timeout), parse.GetValue(maxOutput), parse.GetValue(maxMemory));
            var keys = await LoadKeysAsync(global, parse, ct).ConfigureAwait(false);
            var options = new TemplateOptions
            {
                MissingKey = parse.GetValue(missing) switch
                {
                    "zero" => MissingKeyMode.Zero,
                    "error" => MissingKeyMode.Error,
                    _ => MissingKeyMode.Default,
                },
                Functions = FunctionRegistry.CreateConfd(keys, DnsTemplateResolver.System),
            };

            var name = Path.GetFileName(path);
            var output = new StringWriter(CultureInfo.InvariantCulture);
            try
            {
                GoTemplate.Parse(name, text, options).Render(output, dot, limits, ct);
            }
            catch (TemplateParseException ex)
            {
                await Console.Error.WriteLineAsync($"{ex.Name}:{ex.Line}:{ex.Column + 1}: {ex.Detail}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (TemplateExecutionException ex)
            {
                // What rendered before the error is not printed: a partial file is never output.
                await Console.Error.WriteLineAsync($"{ex.FileName}:{ex.Line}:{ex.Column + 1}: {ex.Detail}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await Console.Out.WriteAsync(output.ToString()).ConfigureAwait(false);
            return ExitCodes.Ok;
        });

        var functions = new Command("functions", "List the template functions: Go's builtins and confd's");
        functions.SetAction(_ =>
        {
            var registry = FunctionRegistry.CreateConfd(new InMemoryKeySource([]), DnsTemplateResolver.System);
            var sb = new System.Text.StringBuilder();
            foreach (var f in registry.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                sb.Append(f.Signature.PadRight(44)).Append(' ').Append(f.Description).Append('\n');
            }

            Console.Out.Write(sb.ToString());
            return ExitCodes.Ok;
        });

        template.Subcommands.Add(render);
        template.Subcommands.Add(functions);
        return template;
    }

    private static TemplateLimits Limits(string? timeout, string? maxOutput, string? maxMemory)
    {
        var d = Modules.Render.Config.RenderLimits.Default;
        var limits = new TemplateLimits { Timeout = d.Timeout, MaxOutput = d.MaxOutput, MaxMemory = d.MaxMemory };
        if (timeout is not null)
        {
            if (!Core.Config.Durations.TryParse(timeout, out var t, out var error))
            {
                throw new UsageException($"--timeout {error}");
            }

            limits = limits with { Timeout = t > TimeSpan.Zero ? t : throw new UsageException("--timeout must be greater than zero") };
        }

        return limits with
        {
            MaxOutput = Size("--max-output", maxOutput) ?? limits.MaxOutput,
            MaxMemory = Size("--max-memory", maxMemory) ?? limits.MaxMemory,
        };

        static long? Size(string flag, string? text) =>
            text is null ? null
            : Core.Config.ByteSizes.TryParse(text, out var bytes) && bytes > 0 ? bytes
            : throw new UsageException($"{flag} must be a size such as 67108864, \"512KiB\" or \"64MiB\", not \"{text}\"");
    }

    private static async Task<ITemplateKeySource> LoadKeysAsync(GlobalOptions global, ParseResult parse, CancellationToken ct)
    {
        bool storeGiven = parse.GetValue(global.Store) is not null
            || (parse.GetValue(global.File)?.Length ?? 0) > 0
            || (parse.GetValue(global.Endpoint)?.Length ?? 0) > 0;
        if (!storeGiven)
        {
            return new InMemoryKeySource([]);
        }

        var config = global.Resolve(parse);
        using var loggers = TendLogging.CreateFactory(config.Log);
        var store = GlobalOptions.OpenStore(config.Store, loggers);
        await using (store.ConfigureAwait(false))
        {
            var snapshot = await store.ListAsync(KeyPath.Root, ct).ConfigureAwait(false);
            return new InMemoryKeySource(snapshot.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));
        }
    }

    /// <summary>JSON keeps the oracle's mapping (integers → long, other numbers → double); YAML scalars get the same types.</summary>
    private static object? LoadData(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: {ex.Message}");
        }

        var ext = Path.GetExtension(path);
        if (ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(text));
            }
            catch (YamlException ex)
            {
                throw new UsageException($"{path}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {ex.Message}");
            }
            catch (InvalidOperationException ex)
            {
                throw new UsageException($"{path}: invalid YAML: {ex.Message}");
            }

            return stream.Documents.Count == 0 ? null : FromYaml(stream.Documents[0].RootNode);
        }

        try
        {
            return TemplateData.FromJson(text);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new UsageException($"{path}:{(ex.LineNumber ?? 0) + 1}: invalid JSON: {ex.Message}");
        }
    }

    private static object? FromYaml(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => kv.Key is YamlScalarNode k ? k.Value ?? string.Empty : kv.Key.ToString(), kv => FromYaml(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(FromYaml).ToList(),
        YamlScalarNode s when s.Style != ScalarStyle.Plain => s.Value ?? string.Empty,
        YamlScalarNode s => Scalar(s.Value ?? string.Empty),
        _ => null,
    };

    private static object? Scalar(string v)
    {
        if (v is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (v is "true" or "True" or "TRUE")
        {
            return true;
        }

        if (v is "false" or "False" or "FALSE")
        {
            return false;
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && v.Any(char.IsAsciiDigit))
        {
            return d;
        }

        return v;
    }
}
