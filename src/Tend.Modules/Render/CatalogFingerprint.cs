using System.Collections;
using System.Globalization;
using System.Text;
using Tend.Templates;

namespace Tend.Modules.Render;

/// <summary>
/// A text that two catalog answers share exactly when a template sees them alike (every field the template types
/// declare, lists in order, maps by key): an answer that only moved the index renders nothing again.
/// </summary>
internal static class CatalogFingerprint
{
    public static string Of(object? value)
    {
        var sb = new StringBuilder();
        Append(sb, value);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null or TemplateNilPointer:
                // A nil pointer field (node's .Node for a node the catalog does not have) is as absent as null.
                sb.Append('~');
                break;
            case string s:
                sb.Append('"').Append(s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s);
                break;
            case bool b:
                sb.Append(b ? 'T' : 'F');
                break;
            case long or int:
                sb.Append('#').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case IReadOnlyDictionary<string, string> map:
                sb.Append('{');
                foreach (var kv in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    Append(sb, kv.Key);
                    Append(sb, kv.Value);
                }

                sb.Append('}');
                break;
            case ITemplateStruct st:
                sb.Append('<');
                foreach (var f in st.TemplateType.Fields)
                {
                    Append(sb, f.Get(st));
                }

                sb.Append('>');
                break;
            case IEnumerable list:
                sb.Append('[');
                foreach (var item in list)
                {
                    Append(sb, item);
                }

                sb.Append(']');
                break;
            default:
                throw new ArgumentException($"no fingerprint for {value.GetType().Name}", nameof(value));
        }
    }
}
