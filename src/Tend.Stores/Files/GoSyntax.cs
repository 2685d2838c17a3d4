using System.Text.RegularExpressions;

namespace Tend.Stores.Files;

/// <summary>
/// The number syntaxes <see cref="ConfdScalar"/> needs from Go: <c>strconv.ParseInt</c> and
/// <c>ParseUint</c> with base 0, the float pattern of gopkg.in/yaml.v2 v2.2.1, and the floats
/// <c>strconv.ParseFloat</c> reads when the text starts with a dot.
/// </summary>
internal static partial class GoSyntax
{
    /// <summary>What <see cref="ParseInteger"/> found.</summary>
    public enum IntegerResult
    {
        /// <summary>Not an integer (or beyond 64 bits): the caller tries a float next.</summary>
        None,

        /// <summary>A signed 64-bit integer (Go's <c>int</c> on 64-bit machines).</summary>
        Int64,

        /// <summary>Beyond <c>int64</c> but an unsigned 64-bit integer, written without a sign.</summary>
        UInt64,
    }

    /// <summary>
    /// <c>strconv.ParseInt(s, 0, 64)</c>, then <c>ParseUint(s, 0, 64)</c>: an optional sign, then
    /// <c>0x</c>/<c>0o</c>/<c>0b</c> (either case) and digits of that base, <c>0</c> and octal
    /// digits, or decimal digits. <paramref name="s"/> holds no underscores (the caller removed them).
    /// </summary>
    public static IntegerResult ParseInteger(string s, out long value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return IntegerResult.None;
        }

        bool signed = s[0] is '+' or '-';
        bool negative = s[0] == '-';
        var body = signed ? s.AsSpan(1) : s.AsSpan();
        if (!TryUnsigned(body, out var magnitude))
        {
            return IntegerResult.None;
        }

        if (negative)
        {
            if (magnitude > 1UL << 63)
            {
                return IntegerResult.None;
            }

            value = magnitude == 1UL << 63 ? long.MinValue : -(long)magnitude;
            return IntegerResult.Int64;
        }

        if (magnitude < 1UL << 63)
        {
            value = (long)magnitude;
            return IntegerResult.Int64;
        }

        // ParseUint refuses a sign, even '+'.
        return signed ? IntegerResult.None : IntegerResult.UInt64;
    }

    /// <summary>gopkg.in/yaml.v2 v2.2.1's float pattern (confd 0.16 vendors it): the exponent's sign is required.</summary>
    public static bool IsYamlFloat(string s) => YamlFloat().IsMatch(s);

    /// <summary>
    /// A text starting with '.' that <c>strconv.ParseFloat</c> reads: digits (underscores only
    /// between two digits), then an optional exponent whose sign is optional.
    /// </summary>
    public static bool IsDotFloat(string s) => DotFloat().IsMatch(s);

    private static bool TryUnsigned(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.Length == 0)
        {
            return false;
        }

        int radix = 10;
        if (s[0] == '0')
        {
            // Go looks at the prefix only when something follows it: "0x" alone is octal "x", invalid.
            char p = s.Length >= 3 ? char.ToLowerInvariant(s[1]) : '\0';
            radix = p switch
            {
                'x' => 16,
                'b' => 2,
                _ => 8,
            };
            s = s[(p is 'x' or 'o' or 'b' ? 2 : 1)..];
        }

        UInt128 total = 0;
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
                return false;
            }

            total = (total * (uint)radix) + (uint)digit;
            if (total > ulong.MaxValue)
            {
                return false;
            }
        }

        value = (ulong)total;
        return true;
    }

    // \z, not $: .NET's $ also matches before a final newline, Go's does not.
    [GeneratedRegex(@"^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex YamlFloat();

    [GeneratedRegex(@"^\.[0-9]+(_[0-9]+)*([eE][-+]?[0-9]+(_[0-9]+)*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DotFloat();
}
