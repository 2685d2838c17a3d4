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
            return TomlDecode(buffer.ToArray(), Console.Out, Console.Error);
        });
        debug.Subcommands.Add(tomlDecode);
        return debug;
    }

    /// <summary>The toml-test decoder protocol: UTF-8 TOML in, tagged JSON out; 1 and a positioned message on invalid input.</summary>
    public static int TomlDecode(ReadOnlySpan<byte> input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        TomlTable table;
        try
        {
            table = TomlParser.Parse(input);
        }
        catch (TomlException ex)
        {
            error.WriteLine($"tend: invalid TOML: {ex.Message}");
            return ExitCodes.Failure;
        }

        output.WriteLine(TomlTaggedJson.ToJsonString(table));
        return ExitCodes.Ok;
    }
}
