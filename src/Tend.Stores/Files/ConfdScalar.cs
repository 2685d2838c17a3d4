using System.Globalization;
using System.Text;

namespace Tend.Stores.Files;

/// <summary>
/// A YAML scalar as confd's file backend turns it into a value: confd 0.16 decodes its data files
/// with gopkg.in/yaml.v2 (v2.2.1) into Go values and prints them back with strconv — integers in
/// decimal, booleans as <c>true</c>/<c>false</c>, floats in the shortest fixed-point form
/// (<c>FormatFloat(f, 'f', -1, 64)</c>). A null gives no key at all, and so does an integer above
/// 2^63 − 1, which the decoder holds as an unsigned integer that confd's walk does not print.
/// </summary>
/// <remarks>
/// The rules follow that library exactly, not the YAML 1.1 specification: its boolean words
/// (<c>y</c>, <c>Yes</c>, <c>off</c>, …), integers in Go's literal syntax after underscores are
/// removed (<c>0x1F</c>, <c>0o17</c>, <c>017</c>, <c>+12</c>, <c>1_000</c>), and floats only in
/// the forms v2.2.1's pattern admits: an exponent needs its sign (<c>2.5e+3</c> is 2500,
/// <c>2.5e3</c> stays text) and a dot needs a digit after it (<c>1.</c> stays text). A leading
/// zero makes an integer octal; when the digits are not octal the value is read as a decimal
/// float (<c>0800</c> → <c>800</c>). tools/confd-yaml-oracle checks all of this against the
/// library itself.
/// </remarks>
internal static class ConfdScalar
{
    private const string TagPrefix = "tag:yaml.org,2002:";

    /// <summary>The value of a plain (unquoted, untagged) scalar; <c>null</c> when it gives no key.</summary>
    public static string? Plain(string text) => Resolve(text, out _);

    /// <summary>
    /// The value of a scalar with an explicit tag (<c>!!str</c>, <c>!!int</c>, … or a custom one);
    /// <c>null</c> when it gives no key.
    /// </summary>
    /// <exception cref="FormatException">The text is not of the tag's kind (<c>!!int abc</c>), or <c>!!binary</c> holds invalid base64; the message says which.</exception>
    public static string? Tagged(string tag, string text)
    {
        var shortTag = tag.StartsWith(TagPrefix, StringComparison.Ordinal) ? "!!" + tag[TagPrefix.Length..] : tag;
        switch (shortTag)
        {
            case "!!str" or "!!timestamp":
                return text;
            case "!!binary":
                try
                {
                    return Encoding.UTF8.GetString(Convert.FromBase64String(text));
                }
                catch (FormatException ex)
                {
                    throw new FormatException("!!binary value contains invalid base64 data", ex);
                }

            case "!!int" or "!!float" or "!!bool" or "!!null":
                var value = Resolve(text, out var kind);
                if (kind == shortTag || (shortTag == "!!float" && kind == "!!int" && value is not null))
                {
                    // An integer asked to be a float is one: 1 prints as 1 either way, but 0x10 as 16.
                    return shortTag == "!!float" && kind == "!!int" ? FormatFloat(double.Parse(value!, CultureInfo.InvariantCulture)) : value;
                }

                throw new FormatException($"cannot decode {kind} `{text}` as a {shortTag}");
            default:
                // Tags the library does not resolve (custom ones, "!") leave the text as it is.
                return text;
        }
    }

    /// <summary>Go's <c>strconv.FormatFloat(d, 'f', -1, 64)</c>: the shortest digits that read back as <paramref name="d"/>, never an exponent.</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "+Inf" : "-Inf";
        }

        // .NET's round-trip format gives the same shortest digits, sometimes with an exponent.
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        bool negative = r[0] == '-';
        if (negative)
        {
            r = r[1..];
        }

        int exponent = 0;
        int e = r.IndexOf('E', StringComparison.Ordinal);
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }

        int dot = r.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? r : r.Remove(dot, 1);
        int point = (dot < 0 ? r.Length : dot) + exponent;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..];
        point -= lead;
        var sb = new StringBuilder(digits.Length + 8);
        if (negative)
        {
            sb.Append('-');
        }

        if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return sb.ToString();
    }

    /// <summary>The library's resolution of a plain scalar, printed; <paramref name="kind"/> is the tag it resolved to.</summary>
    private static string? Resolve(string text, out string kind)
    {
        kind = "!!str";
        char hint = text.Length == 0 ? 'N' : Hint(text[0]);
        if (hint == '\0')
        {
            return text;
        }

        switch (text)
        {
            case "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON":
                kind = "!!bool";
                return "true";
            case "n" or "N" or "no" or "No" or "NO" or "false" or "False" or "FALSE" or "off" or "Off" or "OFF":
                kind = "!!bool";
                return "false";
            case "" or "~" or "null" or "Null" or "NULL":
                kind = "!!null";
                return null;
            case ".nan" or ".NaN" or ".NAN":
                kind = "!!float";
                return "NaN";
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                kind = "!!float";
                return "+Inf";
            case "-.inf" or "-.Inf" or "-.INF":
                kind = "!!float";
                return "-Inf";
        }

        if (hint == '.')
        {
            // strconv.ParseFloat on the text as written (its underscores between digits included).
            if (GoSyntax.IsDotFloat(text) && TryFloat(text.Replace("_", string.Empty, StringComparison.Ordinal), out var f))
            {
                kind = "!!float";
                return FormatFloat(f);
            }

            return text;
        }

        if (hint != 'D')
        {
            return text; // 'M': only the words above mean something
        }

        // A timestamp (2001-12-14) stays the text: the library hands timestamps to interface{} as strings.
        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        switch (GoSyntax.ParseInteger(plain, out long integer))
        {
            case GoSyntax.IntegerResult.Int64:
                kind = "!!int";
                return integer.ToString(CultureInfo.InvariantCulture);
            case GoSyntax.IntegerResult.UInt64:
                kind = "!!int";
                return null; // a uint64, which confd's walk has no case for: no key
        }

        if (GoSyntax.IsYamlFloat(plain) && TryFloat(plain, out var g))
        {
            kind = "!!float";
            return FormatFloat(g);
        }

        return text;
    }

    private static bool TryFloat(string s, out double value) =>
        double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
        && !double.IsInfinity(value); // Go reports an overflow as an error, and the text stays a string

    /// <summary>The library's first-character hint: digits and signs may be numbers, '.' a float, some letters a word of its table.</summary>
    private static char Hint(char c) => c switch
    {
        >= '0' and <= '9' or '+' or '-' => 'D',
        '.' => '.',
        'y' or 'Y' or 'n' or 'N' or 't' or 'T' or 'f' or 'F' or 'o' or 'O' or '~' => 'M',
        _ => '\0',
    };
}
