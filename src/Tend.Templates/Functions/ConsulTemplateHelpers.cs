using System.Collections;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tend.Templates.Execution;
using Tend.Templates.Formatting;
using static Tend.Templates.Functions.ConsulTemplateFunctions;
using P = Tend.Templates.TemplateParameterType;

namespace Tend.Templates.Functions;

/// <summary>consul-template's helper functions (template/funcs.go), with its argument order (the data last, for pipelines) and its messages.</summary>
internal static partial class ConsulTemplateHelpers
{
    public static IEnumerable<TemplateFunction> All(Func<DateTimeOffset> now)
    {
        // Strings.
        yield return F("env", "env(name string) (string, error)", "An environment variable; empty when unset.", [P.String], a => Environment.GetEnvironmentVariable(S(a[0])) ?? "");
        yield return F("split", "split(sep string, s string) ([]string, error)", "strings.Split of the trimmed text; empty text gives an empty list.", [P.String, P.String], a =>
        {
            string s = S(a[1]).Trim();
            return s.Length == 0 ? Array.Empty<string>() : ConfdFunctions.Split(s, S(a[0]));
        });
        yield return F("join", "join(sep string, list []string) (string, error)", "strings.Join, the list last.", [P.String, P.StringList], a => ConfdFunctions.Join((IReadOnlyList<string>)a[1]!, S(a[0])));
        yield return F("replaceAll", "replaceAll(old string, new string, s string) (string, error)", "Every old replaced by new.", [P.String, P.String, P.String], a => ConfdFunctions.Replace(S(a[2]), S(a[0]), S(a[1]), -1));
        yield return F("regexMatch", "regexMatch(re string, s string) (bool, error)", "Whether the RE2 expression matches.", [P.String, P.String], a => GoValues.Box(GoRegex.Get(S(a[0])).IsMatch(S(a[1]))));
        yield return F("regexReplaceAll", "regexReplaceAll(re string, replacement string, s string) (string, error)", "Every match replaced; $1, ${name} expand as in Go.", [P.String, P.String, P.String], a => GoRegex.ReplaceAll(S(a[0]), S(a[1]), S(a[2])));
        yield return F("toLower", "toLower(s string) (string, error)", "strings.ToLower.", [P.String], a => S(a[0]).ToLowerInvariant());
        yield return F("toUpper", "toUpper(s string) (string, error)", "strings.ToUpper.", [P.String], a => S(a[0]).ToUpperInvariant());
        yield return F("toTitle", "toTitle(s string) (string, error)", "strings.Title: the first letter of each word upper-cased.", [P.String], a => Title(S(a[0])));
        yield return F("trimSpace", "trimSpace(s string) (string, error)", "strings.TrimSpace.", [P.String], a => S(a[0]).Trim());
        yield return F("indent", "indent(spaces int, s string) (string, error)", "Every non-empty line prefixed with spaces.", [P.Integer, P.String], a => Indent((long)a[0]!, S(a[1])));
        yield return F("sha256Hex", "sha256Hex(s string) (string, error)", "The SHA-256 of the text, in lower-case hex.", [P.String], a => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(S(a[0])))));
        yield return F("base64Encode", "base64Encode(s string) (string, error)", "Standard base64 of the text.", [P.String], a => Convert.ToBase64String(Encoding.UTF8.GetBytes(S(a[0]))));
        yield return F("base64Decode", "base64Decode(s string) (string, error)", "Decodes standard base64.", [P.String], a => Wrap("base64Decode", () => ConfdFunctions.Base64Decode(S(a[0]))));
        yield return F("base64URLEncode", "base64URLEncode(s string) (string, error)", "URL-safe base64 of the text (with padding).", [P.String], a => Convert.ToBase64String(Encoding.UTF8.GetBytes(S(a[0]))).Replace('+', '-').Replace('/', '_'));
        yield return F("base64URLDecode", "base64URLDecode(s string) (string, error)", "Decodes URL-safe base64.", [P.String], a => Wrap("base64URLDecode", () =>
        {
            string s = S(a[0]);
            int bad = s.AsSpan().IndexOfAny('+', '/');
            if (bad >= 0)
            {
                throw new TemplateFunctionException($"illegal base64 data at input byte {bad}");
            }

            return ConfdFunctions.Base64Decode(s.Replace('-', '+').Replace('_', '/'));
        }));

        // Parsing.
        yield return F("parseBool", "parseBool(s string) (bool, error)", "strconv.ParseBool; empty text is false.", [P.String], a =>
        {
            string s = S(a[0]);
            return s.Length == 0 ? GoValues.False : Wrap("parseBool", () => GoValues.Box(ConfdFunctions.ParseBool(s)));
        });
        yield return F("parseInt", "parseInt(s string) (int64, error)", "strconv.ParseInt base 10; empty text is 0.", [P.String], a => GoValues.Box(ParseInteger("parseInt", "ParseInt", S(a[0]), unsigned: false)));
        yield return F("parseUint", "parseUint(s string) (uint64, error)", "strconv.ParseUint base 10; empty text is 0.", [P.String], a => GoValues.Box(ParseInteger("parseUint", "ParseUint", S(a[0]), unsigned: true)));
        yield return F("parseFloat", "parseFloat(s string) (float64, error)", "strconv.ParseFloat; empty text is 0.", [P.String], a => ParseFloat(S(a[0])));
        yield return F("parseJSON", "parseJSON(s string) (interface {}, error)", "Parses JSON (numbers become float64); empty text is an empty map.", [P.String], a =>
        {
            string s = S(a[0]);
            if (s.Length == 0)
            {
                return new Dictionary<string, object?>(StringComparer.Ordinal);
            }

            try
            {
                return TemplateData.FromJsonAllFloat(s);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new TemplateFunctionException("parseJSON: " + ex.Message, ex);
            }
        });
        yield return F("toJSON", "toJSON(v interface {}) (string, error)", "encoding/json's Marshal (map keys sorted, <>& escaped).", [P.Any], a => Wrap("toJSON", () => GoJson.Marshal(a[0], indent: false)));
        yield return F("toJSONPretty", "toJSONPretty(v interface {}) (string, error)", "encoding/json's MarshalIndent with two spaces.", [P.Any], a => Wrap("toJSONPretty", () => GoJson.Marshal(a[0], indent: true)));

        // Collections.
        yield return F("contains", "contains(v interface {}, l interface {}) (bool, error)", "Whether the list l holds v (or the text l contains v).", [P.Any, P.Any], a => GoValues.Box(In(a[1], a[0])));
        yield return F("in", "in(l interface {}, v interface {}) (bool, error)", "Whether the list l holds v (or the text l contains v).", [P.Any, P.Any], a => GoValues.Box(In(a[0], a[1])));
        yield return F("containsAll", "containsAll(values []interface {}, l interface {}) (bool, error)", "Whether l holds every one of values.", [P.Any, P.Any], a => GoValues.Box(ContainsSome(a[0], a[1], retTrue: true, invert: true)));
        yield return F("containsAny", "containsAny(values []interface {}, l interface {}) (bool, error)", "Whether l holds any of values.", [P.Any, P.Any], a => GoValues.Box(ContainsSome(a[0], a[1], retTrue: false, invert: false)));
        yield return F("containsNone", "containsNone(values []interface {}, l interface {}) (bool, error)", "Whether l holds none of values.", [P.Any, P.Any], a => GoValues.Box(ContainsSome(a[0], a[1], retTrue: true, invert: false)));
        yield return F("containsNotAll", "containsNotAll(values []interface {}, l interface {}) (bool, error)", "Whether l lacks at least one of values.", [P.Any, P.Any], a => GoValues.Box(ContainsSome(a[0], a[1], retTrue: false, invert: true)));
        yield return F("explode", "explode(pairs []*dependency.KeyPair) (map[string]interface {}, error)", "Turns tree's pairs into nested maps by path.", [P.Any], a => Explode(Pairs("explode", a[0])));
        yield return F("byTag", "byTag(in interface {}) (map[string][]interface {}, error)", "Groups service's or services' results by tag.", [P.Any], a => ByTag(a[0]));
        yield return F("byKey", "byKey(pairs []*dependency.KeyPair) (map[string]map[string]*dependency.KeyPair, error)", "Groups tree's pairs by their top-level folder.", [P.Any], a => ByKey(Pairs("byKey", a[0])));
        yield return V("loop", "loop(ints ...int64) (<-chan int64, error)", "The integers [0, n) or [start, stop), for range.", [P.Integer], a => Loop(a));
        yield return V("timestamp", "timestamp(format ...string) (string, error)", "The current UTC time: RFC 3339, a Go layout, or \"unix\".", [P.String], a => a.Length switch
        {
            0 => new GoTime(now().ToUniversalTime()).Format("2006-01-02T15:04:05Z07:00"),
            1 when S(a[0]) == "unix" => now().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            1 => new GoTime(now().ToUniversalTime()).Format(S(a[0])),
            _ => throw new TemplateFunctionException($"timestamp: wrong number of arguments, expected 0 or 1, but got {a.Length}"),
        });

        // Arithmetic: the second argument is the left operand, so {{ 10 | subtract 3 }} is 7.
        yield return F("add", "add(b interface {}, a interface {}) (interface {}, error)", "a + b (ints stay ints; a float makes a float).", [P.Any, P.Any], a => Arithmetic("add", a[0], a[1]));
        yield return F("subtract", "subtract(b interface {}, a interface {}) (interface {}, error)", "a - b.", [P.Any, P.Any], a => Arithmetic("subtract", a[0], a[1]));
        yield return F("multiply", "multiply(b interface {}, a interface {}) (interface {}, error)", "a * b.", [P.Any, P.Any], a => Arithmetic("multiply", a[0], a[1]));
        yield return F("divide", "divide(b interface {}, a interface {}) (interface {}, error)", "a / b (integer division for ints).", [P.Any, P.Any], a => Arithmetic("divide", a[0], a[1]));
        yield return F("modulo", "modulo(b interface {}, a interface {}) (interface {}, error)", "a % b (ints only).", [P.Any, P.Any], a => Arithmetic("modulo", a[0], a[1]));
    }

    private static T Wrap<T>(string function, Func<T> f)
    {
        try
        {
            return f();
        }
        catch (TemplateFunctionException ex)
        {
            // github.com/pkg/errors' Wrap: "function: cause".
            throw new TemplateFunctionException($"{function}: {ex.Message}", ex);
        }
    }

    internal static string Indent(long spaces, string s)
    {
        if (spaces < 0)
        {
            throw new TemplateFunctionException("indent value must be a positive integer");
        }

        int lines = 1;
        foreach (char c in s)
        {
            lines += c == '\n' ? 1 : 0;
        }

        ExecState.Current?.Reserve((s.Length + (spaces * lines)) * 2, $"indent of {lines} lines by {spaces}");
        var prefix = new string(' ', (int)Math.Min(spaces, int.MaxValue));
        var sb = new StringBuilder(s.Length);
        bool atLineStart = true;
        foreach (char c in s)
        {
            if (atLineStart && c != '\n')
            {
                sb.Append(prefix);
            }

            sb.Append(c);
            atLineStart = c == '\n';
        }

        return sb.ToString();
    }

    /// <summary>Go's strings.Title: the first letter after a separator in title case.</summary>
    internal static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool prevSeparator = true;
        for (int i = 0; i < s.Length;)
        {
            int r = RuneAt(s, i, out int width);
            if (prevSeparator)
            {
                var upper = char.ConvertFromUtf32(r).ToUpperInvariant();
                sb.Append(upper);
            }
            else
            {
                sb.Append(s, i, width);
            }

            prevSeparator = IsSeparator(r);
            i += width;
        }

        return sb.ToString();
    }

    private static int RuneAt(string s, int i, out int width)
    {
        if (char.IsSurrogatePair(s, i))
        {
            width = 2;
            return char.ConvertToUtf32(s[i], s[i + 1]);
        }

        width = 1;
        return char.IsSurrogate(s[i]) ? 0xFFFD : s[i];
    }

    private static bool IsSeparator(int r)
    {
        if (r <= 0x7F)
        {
            return !(r is (>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_');
        }

        string text = char.ConvertFromUtf32(r);
        if (char.IsLetter(text, 0) || char.IsDigit(text, 0))
        {
            return false;
        }

        return char.IsWhiteSpace(text, 0);
    }

    private static long ParseInteger(string function, string goName, string s, bool unsigned)
    {
        if (s.Length == 0)
        {
            return 0;
        }

        string q = GoStrings.Quote(s);
        string body = s;
        bool negative = false;
        if (!unsigned && body.Length > 0 && body[0] is '+' or '-')
        {
            negative = body[0] == '-';
            body = body[1..];
        }

        if (body.Length == 0 || body.Any(c => c is < '0' or > '9'))
        {
            throw new TemplateFunctionException($"{function}: strconv.{goName}: parsing {q}: invalid syntax");
        }

        if (!UInt128.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > ulong.MaxValue
            || (unsigned ? n > long.MaxValue : n > (negative ? (UInt128)long.MaxValue + 1 : long.MaxValue)))
        {
            // uint64 values above the int64 range have no type here to live in; they are refused like an overflow.
            throw new TemplateFunctionException($"{function}: strconv.{goName}: parsing {q}: value out of range");
        }

        return negative ? (long)(0 - (Int128)n) : (long)n;
    }

    private static object ParseFloat(string s)
    {
        if (s.Length == 0)
        {
            return 0.0;
        }

        string lower = s.ToLowerInvariant();
        string body = lower.TrimStart('+', '-');
        bool negative = lower.StartsWith('-');
        if (lower.Length - body.Length <= 1 && body is "inf" or "infinity")
        {
            return negative ? double.NegativeInfinity : double.PositiveInfinity;
        }

        if (lower.Length == body.Length && body == "nan")
        {
            return double.NaN;
        }

        if (s.Any(c => !(c is (>= '0' and <= '9') or '.' or 'e' or 'E' or '+' or '-'))
            || !double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out double d))
        {
            throw new TemplateFunctionException($"parseFloat: strconv.ParseFloat: parsing {GoStrings.Quote(s)}: invalid syntax");
        }

        if (double.IsInfinity(d))
        {
            throw new TemplateFunctionException($"parseFloat: strconv.ParseFloat: parsing {GoStrings.Quote(s)}: value out of range");
        }

        return d;
    }

    private static long[] Loop(object?[] a)
    {
        var (start, stop) = a.Length switch
        {
            1 => (0L, (long)a[0]!),
            2 => ((long)a[0]!, (long)a[1]!),
            _ => throw new TemplateFunctionException($"loop: wrong number of arguments, expected 1 or 2, but got {a.Length}"),
        };
        return start >= stop ? [] : ConfdFunctions.Seq(start, stop - 1);
    }

    /// <summary>Go's <c>in</c>: a list holds v when an element of the same kind equals it; a string holds a substring.</summary>
    internal static bool In(object? l, object? v)
    {
        switch (l)
        {
            case string s:
                return v is string sub && s.Contains(sub, StringComparison.Ordinal);
            case IEnumerable list when l is not IDictionary && l is not ITemplateStruct:
                foreach (var e in list)
                {
                    bool equal = e switch
                    {
                        long x => v is long y && x == y,
                        double x => v is double y && x == y,
                        string x => v is string y && x == y,
                        _ => false,
                    };
                    if (equal)
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static bool ContainsSome(object? values, object? l, bool retTrue, bool invert)
    {
        if (values is not IEnumerable list || values is string || values is IDictionary)
        {
            throw new TemplateFunctionException($"wrong type for value; expected []interface {{}}; got {GoValues.TypeName(values)}");
        }

        foreach (var v in list)
        {
            if (In(l, v) != invert)
            {
                return !retTrue;
            }
        }

        return retTrue;
    }

    /// <summary>consul-template's byTag: each tag of the listed services → the services carrying it, in list order.</summary>
    private static Dictionary<string, object?> ByTag(object? value)
    {
        IEnumerable<(object Item, IReadOnlyList<string> Tags)> items = value switch
        {
            null => [],
            IReadOnlyList<Catalog.HealthService> services => services.Select(s => ((object)s, s.Tags)),
            IReadOnlyList<Catalog.CatalogSnippet> snippets => snippets.Select(s => ((object)s, s.Tags)),
            _ => throw new TemplateFunctionException($"byTag: wrong argument type {GoValues.TypeName(value)}"),
        };
        var groups = new Dictionary<string, List<object?>>(StringComparer.Ordinal);
        foreach (var (item, tags) in items)
        {
            foreach (var tag in tags)
            {
                if (!groups.TryGetValue(tag, out var list))
                {
                    groups[tag] = list = [];
                }

                list.Add(item);
            }
        }

        return groups.ToDictionary(g => g.Key, g => (object?)g.Value, StringComparer.Ordinal);
    }

    private static IReadOnlyList<ConsulKeyPair> Pairs(string function, object? value) => value switch
    {
        IReadOnlyList<ConsulKeyPair> pairs => pairs,
        null => [],
        _ => throw new TemplateFunctionException($"wrong type for value; expected []*dependency.KeyPair; got {GoValues.TypeName(value)}"),
    };

    private static Dictionary<string, object?> Explode(IReadOnlyList<ConsulKeyPair> pairs)
    {
        var root = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var m = root;
            string k = pair.Key;
            string parent = pair.Key;
            while (k.Contains('/', StringComparison.Ordinal))
            {
                int slash = k.IndexOf('/', StringComparison.Ordinal);
                string top = k[..slash];
                if (!m.TryGetValue(top, out var next))
                {
                    m[top] = next = new Dictionary<string, object?>(StringComparer.Ordinal);
                }

                if (next is not Dictionary<string, object?> nest)
                {
                    throw new TemplateFunctionException($"explode: not a map: {GoStrings.Quote(parent)}: {GoStrings.Quote(top)} already has value {GoStrings.Quote((string)next!)}");
                }

                parent = k;
                k = k[(slash + 1)..];
                m = nest;
            }

            if (k.Length > 0)
            {
                m[k] = pair.Value;
            }
        }

        return root;
    }

    private static Dictionary<string, object?> ByKey(IReadOnlyList<ConsulKeyPair> pairs)
    {
        var m = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            int slash = pair.Key.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || slash == pair.Key.Length - 1)
            {
                continue;
            }

            string top = pair.Key[..slash];
            string key = pair.Key[(slash + 1)..];
            if (!m.TryGetValue(top, out var inner))
            {
                m[top] = inner = new Dictionary<string, object?>(StringComparer.Ordinal);
            }

            ((Dictionary<string, object?>)inner!)[key] = pair with { Key = key };
        }

        return m;
    }
}
