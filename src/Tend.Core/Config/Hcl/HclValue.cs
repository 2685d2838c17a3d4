using System.Globalization;

namespace Tend.Core.Config.Hcl;

/// <summary>A value and where it starts: a string, a number (its text), a boolean, a list or an object.</summary>
public sealed class HclValue
{
    private HclValue(HclKind kind, int line, int column)
    {
        Kind = kind;
        Line = line;
        Column = column;
    }

    public HclKind Kind { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>A string's text, or a number's text as written.</summary>
    public string Text { get; private init; } = string.Empty;

    public bool Bool { get; private init; }

    public IReadOnlyList<HclValue> Items { get; private init; } = [];

    public HclObject Object { get; private init; } = new([]);

    internal static HclValue String(string text, int line, int column) => new(HclKind.String, line, column) { Text = text };

    internal static HclValue Number(string text, int line, int column) => new(HclKind.Number, line, column) { Text = text };

    internal static HclValue Boolean(bool value, int line, int column) => new(HclKind.Bool, line, column) { Bool = value };

    internal static HclValue List(IReadOnlyList<HclValue> items, int line, int column) => new(HclKind.List, line, column) { Items = items };

    internal static HclValue Obj(HclObject value, int line, int column) => new(HclKind.Object, line, column) { Object = value };

    /// <summary>A number as an integer the way HCL reads it: decimal, <c>0x</c> hex, or octal with a leading 0 (<c>perms = 0644</c>).</summary>
    public bool TryInteger(out long value)
    {
        value = 0;
        if (Kind != HclKind.Number)
        {
            return false;
        }

        var s = Text;
        bool negative = s.StartsWith('-');
        if (negative)
        {
            s = s[1..];
        }

        bool ok;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            ok = long.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        else if (s.Length > 1 && s[0] == '0' && s.All(char.IsAsciiDigit))
        {
            ok = s.All(c => c < '8');
            if (ok)
            {
                try
                {
                    value = Convert.ToInt64(s, 8);
                }
                catch (OverflowException)
                {
                    ok = false;
                }
            }
        }
        else
        {
            ok = long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }

        value = negative ? -value : value;
        return ok;
    }

    /// <summary>What the value is, for messages.</summary>
    public string Describe() => Kind switch
    {
        HclKind.String => "a string",
        HclKind.Number => "a number",
        HclKind.Bool => "a boolean",
        HclKind.List => "a list",
        _ => "a block",
    };
}
