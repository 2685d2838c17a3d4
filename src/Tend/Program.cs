namespace Tend;

internal static class Program
{
    public static int Main(string[] args) => Cli.TendCli.Run(args);
}
