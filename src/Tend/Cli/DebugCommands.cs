using System.CommandLine;
using Tend.Core.Config.Toml;

namespace Tend.Cli;

/// <summary><c>tend debug …</c>: tools for checking Tend's parsers against conformance suites.</summary>
internal static class DebugCommands
{
    public static Command Create()
    {
        var debug = new Command("debug", "Diagnostic tools");
        var tomlDecode = new Command("toml-decode", "Read TOML on stdin, write toml-test's tagged JSON on stdout (exit 1 on invalid input)");
        tomlDecode.SetAction(async (_, ct) =>
        {
            using var stdin = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            await stdin.CopyToAsync(buffer, ct).ConfigureAwait(false);
            TomlTable table;
            try
            {
                table = TomlParser.Parse(buffer.ToArray());
            }
            catch (TomlException ex)
            {
                await Console.Error.WriteLineAsync($"tend: invalid TOML: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            await Console.Out.WriteLineAsync(TomlTaggedJson.ToJsonString(table)).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        debug.Subcommands.Add(tomlDecode);
        return debug;
    }
}
