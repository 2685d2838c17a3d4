using System.Globalization;

namespace Tend.Cli;

/// <summary>
/// Parses a command line the way Go's <c>flag</c> package does, so a Go tool's command line (etcd-discovery's)
/// works unchanged: <c>-flag</c> or <c>--flag</c>, <c>-flag=value</c> or <c>-flag value</c>; a boolean is
/// <c>-flag</c> or <c>-flag=true|false</c> (never <c>-flag false</c>, which Go reads as the end of the flags);
/// <c>--</c> ends the flags. Unlike Go, a stray argument is an error rather than silently ending the parse.
/// </summary>
internal sealed class GoFlagParser
{
    /// <summary>
    /// The index of <paramref name="command"/> when it is the command of <paramref name="args"/>, after Tend's
    /// global options only, else -1: the commands whose own command line is Go's flag syntax are found
    /// before System.CommandLine sees them. Every global option takes a value (<c>--config x</c>, <c>--config=x</c>).
    /// </summary>
    public static int FindCommand(string[] args, string command)
    {
        ArgumentNullException.ThrowIfNull(args);
        int i = 0;
        while (i < args.Length && args[i].StartsWith('-') && args[i] != "--")
        {
            i += args[i].Contains('=', StringComparison.Ordinal) ? 1 : 2;
        }

        return i < args.Length && args[i] == command ? i : -1;
    }

    private readonly Dictionary<string, Flag> _flags = new(StringComparer.Ordinal);

    /// <summary>The kinds of value a flag takes.</summary>
    public enum Kind
    {
        String,
        Bool,
        Int,
    }

    /// <summary>Declares a flag; <paramref name="repeatable"/> keeps every value instead of the last.</summary>
    public GoFlagParser Add(string name, Kind kind, string usage, string? defaultText = null, bool repeatable = false)
    {
        _flags[name] = new Flag(name, kind, usage, defaultText, repeatable);
        return this;
    }

    /// <summary>The declared flags in name order, for the usage text.</summary>
    public IEnumerable<(string Name, Kind Kind, string Usage, string? Default)> Flags =>
        _flags.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (f.Name, f.Kind, f.Usage, f.Default));

    /// <summary>Parses <paramref name="args"/>; returns the values given (every one of a repeatable flag), or <c>null</c> when help was asked for.</summary>
    /// <exception cref="UsageException">An unknown flag, a missing or malformed value, or a stray argument.</exception>
    public Dictionary<string, List<string>>? Parse(IEnumerable<string> args)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var queue = new Queue<string>(args);
        while (queue.Count > 0)
        {
            var arg = queue.Dequeue();
            if (arg == "--")
            {
                if (queue.Count > 0)
                {
                    throw new UsageException($"unexpected argument '{queue.Peek()}' after --");
                }

                break;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                throw new UsageException($"unexpected argument '{arg}' (flags are -name=value; a boolean takes -name=false, not -name false)");
            }

            var body = arg[1] == '-' ? arg[2..] : arg[1..];
            if (body.Length == 0 || body[0] is '-' or '=')
            {
                throw new UsageException($"bad flag syntax: {arg}");
            }

            int eq = body.IndexOf('=', StringComparison.Ordinal);
            var name = eq < 0 ? body : body[..eq];
            string? value = eq < 0 ? null : body[(eq + 1)..];
            if (!_flags.TryGetValue(name, out var flag))
            {
                if (name is "h" or "help")
                {
                    return null;
                }

                throw new UsageException($"flag provided but not defined: -{name}");
            }

            if (flag.Kind == Kind.Bool)
            {
                value = value is null ? "true" : ParseBool(name, value) ? "true" : "false";
            }
            else if (value is null)
            {
                // Go takes the next argument as the value, whatever it looks like.
                value = queue.Count > 0 ? queue.Dequeue() : throw new UsageException($"flag needs an argument: -{name}");
            }

            if (flag.Kind == Kind.Int)
            {
                value = ParseInt(name, value).ToString(CultureInfo.InvariantCulture);
            }

            if (!values.TryGetValue(name, out var list) || !flag.Repeatable)
            {
                values[name] = list = [];
            }

            list.Add(value);
        }

        return values;
    }

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    public static bool ParseBool(string name, string value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new UsageException($"invalid boolean value \"{value}\" for -{name}: use true or false"),
    };

    /// <summary>Go's <c>strconv.ParseInt(value, 0, 64)</c>: decimal, or 0x/0o/0b prefixed, or a leading 0 for octal; underscores between digits after a prefix.</summary>
    public static long ParseInt(string name, string value)
    {
        var s = value;
        bool negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        int radix = 10;
        bool prefixed = false;
        if (s.Length > 1 && s[0] == '0')
        {
            (radix, s, prefixed) = char.ToLowerInvariant(s[1]) switch
            {
                'x' => (16, s[2..], true),
                'o' => (8, s[2..], true),
                'b' => (2, s[2..], true),
                _ => (8, s[1..], true),
            };
        }

        if (prefixed)
        {
            if (s.StartsWith('_') || s.EndsWith('_') || s.Contains("__", StringComparison.Ordinal))
            {
                throw Invalid();
            }

            s = s.Replace("_", string.Empty, StringComparison.Ordinal);
        }

        if (s.Length == 0)
        {
            throw Invalid();
        }

        long result = 0;
        foreach (var c in s)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                throw Invalid();
            }

            try
            {
                result = checked((result * radix) + digit);
            }
            catch (OverflowException)
            {
                throw Invalid();
            }
        }

        return negative ? -result : result;

        UsageException Invalid() => new($"invalid value \"{value}\" for -{name}: not an integer");
    }

    private sealed record Flag(string Name, Kind Kind, string Usage, string? Default, bool Repeatable);
}
