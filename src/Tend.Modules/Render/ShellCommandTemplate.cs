using System.Text;
using Tend.Core.Config;
using Tend.Templates;

namespace Tend.Modules.Render;

/// <summary>
/// A command line written as a Go template (<c>check_cmd = "haproxy -c -f {{.src}}"</c>) whose values
/// are paths: each value is shell-quoted for the place it lands in, so a directory named
/// <c>/srv/my app</c> or <c>/srv/$(reboot)</c> stays one argument and never runs anything.
/// </summary>
/// <remarks>
/// The template is rendered with a marker in place of each value; the rendered line is then scanned
/// as <c>/bin/sh</c> reads it, and each marker becomes the value quoted for its context: bare
/// (single-quoted, or left as it is when it holds no shell metacharacter — so confd's usual
/// <c>{{.src}}</c> expands exactly as before), inside the operator's own single quotes, or inside
/// double quotes. A function applied to a value (<c>{{base .src}}</c>) would work on the marker,
/// not the path, so such templates are refused when loaded.
/// </remarks>
internal sealed class ShellCommandTemplate
{
    private const char Mark = '\u0001';
    private const string Probe = "/p";

    private readonly string _rendered;
    private readonly string[] _names;

    private ShellCommandTemplate(string rendered, string[] names)
    {
        _rendered = rendered;
        _names = names;
    }

    /// <summary>Parses <paramref name="text"/> and proves it expands with values for <paramref name="names"/> only, untransformed.</summary>
    /// <param name="setting">The setting, for messages (<c>check_cmd</c>).</param>
    /// <param name="origin">Where it was declared (<c>file:line</c>), for messages.</param>
    /// <param name="text">The command template.</param>
    /// <param name="names">The values it may use (<c>src</c>).</param>
    /// <exception cref="ConfigException">It does not parse, uses another value, or applies a function to a value.</exception>
    public static ShellCommandTemplate Parse(string setting, string origin, string text, params string[] names)
    {
        var usable = string.Join(" and ", names.Select(n => "{{." + n + "}}"));
        string rendered, withProbes;
        try
        {
            // Only the built-in functions, which give the same line every time: rendered once, here.
            var template = GoTemplate.Parse(setting, text, new TemplateOptions { MissingKey = MissingKeyMode.Error });
            rendered = template.RenderToString(Markers(names));
            withProbes = template.RenderToString(names.ToDictionary(n => n, _ => (object?)Probe, StringComparer.Ordinal));
        }
        catch (Exception ex) when (ex is TemplateParseException or TemplateExecutionException)
        {
            throw new ConfigException(origin, 0, 0, $"{setting}: {ex.Message} (it may use {usable})", ex);
        }

        var command = new ShellCommandTemplate(rendered, names);
        if (!command.MarkersIntact(withProbes))
        {
            throw new ConfigException(origin, 0, 0, $"{setting}: use {usable} as it is; a function applied to it cannot be shell-quoted safely");
        }

        return command;
    }

    /// <summary>The command line with <paramref name="values"/> (in the order of the names given to <see cref="Parse"/>) quoted in place.</summary>
    public string Expand(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var rendered = _rendered;
        var sb = new StringBuilder(rendered.Length + values.Sum(v => v.Length + 8));
        var state = Quote.None;
        for (int i = 0; i < rendered.Length; i++)
        {
            char c = rendered[i];
            if (c == Mark)
            {
                int end = rendered.IndexOf(Mark, i + 1);
                int index = rendered[i + 1] - 'a';
                sb.Append(Quoted(values[index], state));
                i = end;
                continue;
            }

            sb.Append(c);
            switch (state)
            {
                case Quote.None when c == '\\' && i + 1 < rendered.Length && rendered[i + 1] != Mark:
                    sb.Append(rendered[++i]);
                    break;
                case Quote.None when c == '\'':
                    state = Quote.Single;
                    break;
                case Quote.None when c == '"':
                    state = Quote.Double;
                    break;
                case Quote.Single when c == '\'':
                    state = Quote.None;
                    break;
                case Quote.Double when c == '\\' && i + 1 < rendered.Length && rendered[i + 1] != Mark:
                    sb.Append(rendered[++i]);
                    break;
                case Quote.Double when c == '"':
                    state = Quote.None;
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary><paramref name="value"/> as one shell word in the <paramref name="state"/> it lands in.</summary>
    internal static string Quoted(string value, Quote state) => state switch
    {
        // Inside '...': close, add an escaped quote, reopen.
        Quote.Single => value.Replace("'", @"'\''", StringComparison.Ordinal),

        // Inside "...": only \ " $ ` are special.
        Quote.Double => EscapeForDoubleQuotes(value),
        _ => value.Length > 0 && value.All(IsPlain) ? value : "'" + value.Replace("'", @"'\''", StringComparison.Ordinal) + "'",
    };

    private static string EscapeForDoubleQuotes(string value)
    {
        var sb = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '\\' or '"' or '$' or '`')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static bool IsPlain(char c) => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '@' or '%' or '=';

    private static Dictionary<string, object?> Markers(string[] names)
    {
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < names.Length; i++)
        {
            // A marker shaped like a path, so path functions (base, dir, split) visibly change it.
            data[names[i]] = $"{Mark}{(char)('a' + i)}/x/{Mark}";
        }

        return data;
    }

    /// <summary>
    /// True when every value landed as it is: the markers are whole, and putting a plain path in
    /// their place gives what the template renders with that path as every value — a function
    /// applied to a value (<c>printf "%q"</c>, <c>len</c>) leaves a difference.
    /// </summary>
    private bool MarkersIntact(string withProbes)
    {
        var rendered = _rendered;
        var rest = new StringBuilder(rendered.Length);
        int i = 0;
        while (i < rendered.Length)
        {
            int mark = rendered.IndexOf(Mark, i);
            if (mark < 0)
            {
                rest.Append(rendered, i, rendered.Length - i);
                break;
            }

            rest.Append(rendered, i, mark - i).Append(Probe);
            int end = mark + 5 < rendered.Length ? mark + 5 : -1;
            if (end < 0 || rendered[end] != Mark || rendered[mark + 1] - 'a' is var index && (index < 0 || index >= _names.Length) || rendered.AsSpan(mark + 2, 3) is not "/x/")
            {
                return false;
            }

            i = end + 1;
        }

        return string.Equals(rest.ToString(), withProbes, StringComparison.Ordinal);
    }

    /// <summary>Where the shell is when it reads a value.</summary>
    internal enum Quote
    {
        None,
        Single,
        Double,
    }
}
