using System.Globalization;

namespace Tend.Core.Files;

/// <summary>Permission bits as operators write them: an octal string such as <c>"0644"</c> or <c>"640"</c>.</summary>
public static class FileModes
{
    /// <summary>Parses an octal mode (permission, setuid/setgid and sticky bits only).</summary>
    public static bool TryParseOctal(string text, out UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(text);
        mode = default;
        var s = text.Trim();
        if (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        if (s.Length == 0 || s.Length > 5 || s.Any(c => c is < '0' or > '7'))
        {
            return false;
        }

        int value = 0;
        foreach (var c in s)
        {
            value = (value * 8) + (c - '0');
        }

        if (value > 0xFFF)
        {
            return false;
        }

        mode = (UnixFileMode)value;
        return true;
    }

    /// <summary>Formats a mode as four octal digits, e.g. <c>0644</c>.</summary>
    public static string Format(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0').ToString(CultureInfo.InvariantCulture);
}
