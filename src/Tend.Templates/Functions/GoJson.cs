using System.Collections;
using System.Globalization;
using System.Text;
using Tend.Templates.Execution;
using Tend.Templates.Formatting;

namespace Tend.Templates.Functions;

/// <summary>Go encoding/json's Marshal and MarshalIndent for template values: map keys sorted, HTML characters escaped, Go's float format.</summary>
internal static class GoJson
{
    private const string Hex = "0123456789abcdef";

    public static string Marshal(object? value, bool indent)
    {
        var sb = new StringBuilder();
        Write(sb, value, indent, 0, depth: 0);
        ExecState.Current?.Reserve(sb.Length * 2L, $"JSON of {sb.Length} characters");
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, bool indent, int level, int depth)
    {
        if (depth > 1000)
        {
            throw new TemplateFunctionException("json: unsupported value: encountered a cycle or a value nested too deeply");
        }

        switch (value)
        {
            case null or TemplateNilPointer:
                sb.Append("null");
                break;
            case string s:
                Quote(sb, s);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                Float(sb, d);
                break;
            case GoTime t:
                Quote(sb, t.Format("2006-01-02T15:04:05.999999999Z07:00"));
                break;
            case ITemplateStruct st:
                {
                    var fields = st.TemplateType.Fields;
                    var entries = fields.Select(f => new KeyValuePair<object, object?>(f.Name, f.Get(st))).ToList();
                    Object(sb, entries, indent, level, depth);
                    break;
                }

            case IDictionary or IReadOnlyDictionary<string, object?>:
                Object(sb, GoValues.SortedEntries(value), indent, level, depth);
                break;
            case IEnumerable list:
                {
                    var items = list.Cast<object?>().ToList();
                    if (items.Count == 0)
                    {
                        sb.Append("[]");
                        break;
                    }

                    sb.Append('[');
                    for (int i = 0; i < items.Count; i++)
                    {
                        if (i > 0)
                        {
                            sb.Append(',');
                        }

                        NewLine(sb, indent, level + 1);
                        Write(sb, items[i], indent, level + 1, depth + 1);
                    }

                    NewLine(sb, indent, level);
                    sb.Append(']');
                    break;
                }

            default:
                sb.Append("{}");
                break;
        }
    }

    private static void Object(StringBuilder sb, List<KeyValuePair<object, object?>> entries, bool indent, int level, int depth)
    {
        if (entries.Count == 0)
        {
            sb.Append("{}");
            return;
        }

        sb.Append('{');
        for (int i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            NewLine(sb, indent, level + 1);
            Quote(sb, Convert.ToString(entries[i].Key, CultureInfo.InvariantCulture) ?? "");
            sb.Append(indent ? ": " : ":");
            Write(sb, entries[i].Value, indent, level + 1, depth + 1);
        }

        NewLine(sb, indent, level);
        sb.Append('}');
    }

    private static void NewLine(StringBuilder sb, bool indent, int level)
    {
        if (indent)
        {
            sb.Append('\n').Append(' ', level * 2);
        }
    }

    private static void Float(StringBuilder sb, double d)
    {
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            throw new TemplateFunctionException($"json: unsupported value: {GoFloat.Format(d, 'g', -1)}");
        }

        double abs = Math.Abs(d);
        char fmt = abs != 0 && (abs < 1e-6 || abs >= 1e21) ? 'e' : 'f';
        string text = GoFloat.Format(d, fmt, -1);
        int n = text.Length;
        if (fmt == 'e' && n >= 4 && text[n - 4] == 'e' && text[n - 3] == '-' && text[n - 2] == '0')
        {
            // Go writes 1e-07 as 1e-7 in JSON.
            text = string.Concat(text.AsSpan(0, n - 2), text.AsSpan(n - 1));
        }

        sb.Append(text);
    }

    /// <summary>A JSON string as Go writes it: &lt; &gt; &amp; U+2028 U+2029 and control characters as \u escapes.</summary>
    internal static void Quote(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case < ' ' or '<' or '>' or '&':
                    sb.Append("\\u00").Append(Hex[c >> 4]).Append(Hex[c & 0xF]);
                    break;
                case '\u2028' or '\u2029':
                    sb.Append("\\u202").Append(Hex[c & 0xF]);
                    break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // Go replaces invalid UTF-8 with U+FFFD; a lone surrogate is .NET's equivalent.
                        sb.Append("\\ufffd");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
