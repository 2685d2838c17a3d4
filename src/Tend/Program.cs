namespace Tend;

internal static class Program
{
    public static int Main(string[] args)
    {
        // Installed as (or symlinked to) confd, reconfig, etcd-discovery or consul-template, Tend takes that tool's command line as it is.
        var name = InvokedName();
        bool asConfdTool = string.Equals(name, "confd", StringComparison.Ordinal) || string.Equals(name, "reconfig", StringComparison.Ordinal);
        if (Cli.VersionFastPath.Answer(args, asConfdTool) is { } version)
        {
            Cli.VersionFastPath.Print(version);
            return 0;
        }

        if (string.Equals(name, "confd", StringComparison.Ordinal))
        {
            args = ["render", Cli.RenderCommand.ConfdDefaultsFlag, .. args];
        }
        else if (string.Equals(name, "reconfig", StringComparison.Ordinal))
        {
            // Installed as reconfig: its command line, with /etc/reconfig as the default cfgdir.
            args = ["render", Cli.RenderCommand.ReconfigDefaultsFlag, .. args];
        }
        else if (string.Equals(name, "etcd-discovery", StringComparison.Ordinal))
        {
            // And as etcd-discovery, etcd-discovery's.
            args = [Cli.MembershipCommand.Name, .. args];
        }

        else if (string.Equals(name, "consul-template", StringComparison.Ordinal))
        {
            // And as consul-template, consul-template's.
            args = [Cli.ConsulTemplateCommand.Name, .. args];
        }

        return Cli.TendCli.Run(args);
    }

    /// <summary>The name the process was started under: argv[0], which the apphost leaves in /proc/self/cmdline even through a symlink.</summary>
    private static string InvokedName()
    {
        try
        {
            var cmdline = File.ReadAllBytes("/proc/self/cmdline");
            int end = Array.IndexOf(cmdline, (byte)0);
            var argv0 = System.Text.Encoding.UTF8.GetString(cmdline, 0, end < 0 ? cmdline.Length : end);
            return Path.GetFileName(argv0);
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
