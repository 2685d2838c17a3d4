namespace Tend.Cli;

internal static class TendCli
{
    public static int Run(string[] args)
    {
        _ = args;
        return 0;
    }
}
