namespace Tend.Modules.Checks;

/// <summary>The forms of <c>check_procs</c> arguments the native scan serves: count thresholds and the name, argument and user filters.</summary>
internal sealed record ProcessQuery
{
    public NagiosRange? Warning { get; init; }

    public NagiosRange? Critical { get; init; }

    /// <summary><c>-C</c>: the exact command name (as <c>ps -o comm</c> shows it).</summary>
    public string? Command { get; init; }

    /// <summary><c>-a</c>: text the argument list contains.</summary>
    public string? Arguments { get; init; }

    /// <summary><c>-u</c>: a user name or uid.</summary>
    public string? User { get; init; }

    /// <summary>Reads <paramref name="args"/>; <c>null</c> with <paramref name="unsupported"/> set when the scan cannot serve them.</summary>
    public static ProcessQuery? TryParse(IReadOnlyList<string> args, out string? unsupported)
    {
        var q = new ProcessQuery();
        unsupported = null;
        for (int i = 0; i < args.Count; i++)
        {
            var (name, value) = Split(args[i]);
            string Next()
            {
                if (value is not null)
                {
                    return value;
                }

                if (i + 1 >= args.Count)
                {
                    throw new FormatException($"{name} needs a value");
                }

                return args[++i];
            }

            try
            {
                switch (name)
                {
                    case "-w" or "--warning":
                        q = q with { Warning = NagiosRange.Parse(Next()) };
                        break;
                    case "-c" or "--critical":
                        q = q with { Critical = NagiosRange.Parse(Next()) };
                        break;
                    case "-C" or "--command":
                        q = q with { Command = Next() };
                        break;
                    case "-a" or "--argument-array":
                        q = q with { Arguments = Next() };
                        break;
                    case "-u" or "--user":
                        q = q with { User = Next() };
                        break;
                    default:
                        unsupported = $"{args[i]} is not one the native scan serves (-w, -c, -C, -a, -u)";
                        return null;
                }
            }
            catch (FormatException ex)
            {
                unsupported = ex.Message;
                return null;
            }
        }

        return q;
    }

    private static (string Name, string? Value) Split(string arg)
    {
        if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is var eq and > 0)
        {
            return (arg[..eq], arg[(eq + 1)..]);
        }

        // getopt's attached form: -C nginx and -Cnginx are the same.
        return arg.Length > 2 && arg[0] == '-' && arg[1] != '-' ? (arg[..2], arg[2..]) : (arg, null);
    }
}
