using System.Reflection;
using System.Text;

namespace Tend.Cli;

/// <summary>
/// Answers a bare version request before the command tree is built: <c>tend --version</c> (the informational
/// version, as System.CommandLine prints it), <c>tend version</c>, and <c>-version</c>/<c>--version</c> alone
/// under the confd and reconfig names (<c>tend X</c>, as <c>render --version</c> prints it). Building the
/// System.CommandLine tree of every command is most of the work such a call would otherwise do; the answers are
/// the same either way.
/// </summary>
internal static class VersionFastPath
{
    /// <summary>The text to print for <paramref name="args"/>, or null when they are not a bare version request.</summary>
    /// <param name="args">The command line, after the program name.</param>
    /// <param name="asConfdTool">True when invoked as <c>confd</c> or <c>reconfig</c>, whose version flag is <c>-version</c>.</param>
    public static string? Answer(string[] args, bool asConfdTool)
    {
        if (args.Length != 1)
        {
            return null;
        }

        return args[0] switch
        {
            "-version" or "--version" when asConfdTool => $"tend {TendVersion.Value}",
            "--version" => InformationalVersion(),
            "version" when !asConfdTool => $"tend {TendVersion.Value}",
            _ => null,
        };
    }

    /// <summary>Writes <paramref name="text"/> and a newline to standard output in one write.</summary>
    public static void Print(string text)
    {
        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.UTF8.GetBytes(text + "\n"));
    }

    private static string InformationalVersion() =>
        typeof(VersionFastPath).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? TendVersion.Value;
}
